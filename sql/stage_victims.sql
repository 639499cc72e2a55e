-- The victims file as pandera sees it. Its crimes file is already loaded: a victim must name a
-- crime accepted from the same extract.
with source as (
    select * from raw_rows
),

repeated as (
    select
        crime_ref,
        victim_ref,
        count(*) as victim_key_count
    from raw_file
    where victim_ref is not null
    group by crime_ref, victim_ref
    having count(*) > 1
),

extract_crimes as (
    select crime_ref from crimes
    where extract_date = $extract_date::date
),

-- reads raw_rows itself: a CTE read twice (source) would be materialised, a copy of the file
orphans as (
    select raw_rows.file_row
    from raw_rows
    anti join extract_crimes on raw_rows.crime_ref = extract_crimes.crime_ref
),

final as (
    select
        source.file_row,
        source.crime_ref,
        source.victim_ref,
        source.age,
        source.injured,
        $extract_date::date as extract_date,
        coalesce(repeated.victim_key_count, 1) as victim_key_count,
        orphans.file_row is null as crime_in_extract
    from source
    left join repeated
        on
            source.crime_ref = repeated.crime_ref
            and source.victim_ref = repeated.victim_ref
    left join orphans on source.file_row = orphans.file_row
)

select * from final
