insert into crimes
with staged as (
    select * from stg_crimes
),

rejected as (
    select file_row from rejects
    where kind = 'crimes'
),

final as (
    select
        staged.extract_date,
        staged.crime_ref,
        staged.recorded_date::date as recorded_date,
        staged.offence_group,
        lower(staged.knife_flag)::boolean as knife_flag,
        lower(staged.domestic_abuse)::boolean as domestic_abuse,
        staged.borough_code,
        staged.status
    from staged
    where not exists (
        select 1 from rejected
        where rejected.file_row = staged.file_row
    )
)

select * from final
