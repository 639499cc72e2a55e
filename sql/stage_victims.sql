create or replace temp table stg_victims as
with source as (
    select
        ordinality::bigint as file_row,
        * exclude (ordinality)
    from raw_file
),

extract_crimes as (
    select distinct crime_ref from stg_crimes
),

final as (
    select
        source.file_row,
        $extract_date::date as extract_date,
        count(source.victim_ref) over (
            partition by source.crime_ref, source.victim_ref
        ) as victim_key_count,
        extract_crimes.crime_ref is not null as crime_in_extract,
        source.crime_ref,
        source.victim_ref,
        source.age,
        source.injured
    from source
    left join extract_crimes on source.crime_ref = extract_crimes.crime_ref
)

select * from final
