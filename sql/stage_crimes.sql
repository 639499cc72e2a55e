-- The crimes file as pandera sees it: raw text fields, the row number and the cross-row facts.
with source as (
    select * from raw_rows
),

repeated as (
    select
        crime_ref,
        count(*) as crime_ref_count
    from raw_file
    where crime_ref is not null
    group by crime_ref
    having count(*) > 1
),

final as (
    select
        source.file_row,
        source.crime_ref,
        source.recorded_date,
        source.offence_group,
        source.knife_flag,
        source.domestic_abuse,
        source.borough_code,
        source.status,
        $extract_date::date as extract_date,
        coalesce(repeated.crime_ref_count, 1) as crime_ref_count
    from source
    left join repeated on source.crime_ref = repeated.crime_ref
)

select * from final
