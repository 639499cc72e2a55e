delete from measure_deltas
where
    extract_date >= $from_date::date
    and list_contains($measures, measure)
