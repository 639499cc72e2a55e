-- The flags are true or false in some letter case (pandera checked); the cast ignores case.
insert into crimes
with source as (
    select * from raw_rows
),

rejected as (
    select file_row from rejects
),

final as (
    select
        $extract_date::date as extract_date,
        source.crime_ref,
        source.recorded_date::date as recorded_date,
        source.offence_group,
        source.knife_flag::boolean as knife_flag,
        source.domestic_abuse::boolean as domestic_abuse,
        source.borough_code,
        source.status
    from source
    anti join rejected on source.file_row = rejected.file_row
)

select * from final
