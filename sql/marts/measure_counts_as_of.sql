-- Counts as of a date: the sum of what every extract on or before it changed.
with deltas as (
    select * from measure_deltas
    where
        extract_date <= $as_of::date
        and list_contains($measures, measure)
),

final as (
    select
        measure,
        borough_code,
        month,
        sum(count)::bigint as count
    from deltas
    group by measure, borough_code, month
    having sum(count) <> 0
)

select * from final
order by measure, borough_code nulls first, month
