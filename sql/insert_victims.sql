insert into victims
with staged as (
    select * from stg_victims
),

rejected as (
    select file_row from rejects
    where kind = 'victims'
),

final as (
    select
        staged.extract_date,
        staged.crime_ref,
        staged.victim_ref,
        staged.age::integer as age,
        lower(staged.injured)::boolean as injured
    from staged
    where not exists (
        select 1 from rejected
        where rejected.file_row = staged.file_row
    )
)

select * from final
