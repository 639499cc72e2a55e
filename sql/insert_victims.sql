-- The flags are true or false in some letter case (pandera checked); the cast ignores case.
insert into victims
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
        source.victim_ref,
        source.age::integer as age,
        source.injured::boolean as injured
    from source
    anti join rejected on source.file_row = rejected.file_row
)

select * from final
