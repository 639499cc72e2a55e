create or replace temp table stg_crimes as
with source as (
    select
        ordinality::bigint as file_row,
        * exclude (ordinality)
    from raw_file
),

final as (
    select
        file_row,
        $extract_date::date as extract_date,
        count(crime_ref) over (partition by crime_ref) as crime_ref_count,
        crime_ref,
        recorded_date,
        offence_group,
        knife_flag,
        domestic_abuse,
        borough_code,
        status
    from source
)

select * from final
