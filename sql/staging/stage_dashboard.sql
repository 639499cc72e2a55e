create or replace temp table stg_dashboard as
with source as (
    select * from raw_rows
),

trimmed as (
    select
        file_row,
        nullif(trim(month_year), '') as month_year,
        nullif(trim(area_type), '') as area_type,
        nullif(trim(borough_snt), '') as borough_snt,
        nullif(trim(area_name), '') as area_name,
        nullif(trim(area_code), '') as area_code,
        nullif(trim(crime_subtype), '') as crime_subtype,
        nullif(trim(measure), '') as measure,
        nullif(trim(count), '') as count,
        nullif(trim(refresh_date), '') as refresh_date
    from source
),

final as (
    select
        file_row,
        month_year,
        date_trunc('month', try_strptime(
            month_year,
            ['%Y-%m-%d', '%Y-%m-%d %H:%M:%S', '%d/%m/%Y', '%d/%m/%Y %H:%M:%S', '%Y-%m']
        ))::date as month,
        area_type,
        borough_snt,
        area_name,
        area_code,
        crime_subtype,
        measure,
        count,
        case
            when regexp_full_match(count, '0*[0-9]{1,18}') then count::bigint
            when regexp_full_match(count, '[0-9]+') then 9223372036854775807
        end as count_value,
        refresh_date,
        try_strptime(
            refresh_date,
            ['%Y-%m-%d', '%Y-%m-%d %H:%M:%S', '%d/%m/%Y', '%d/%m/%Y %H:%M:%S']
        )::date as refresh
    from trimmed
)

select * from final
