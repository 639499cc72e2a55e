-- The accepted rows of a victims file, already typed (schemas/victims.py STORED).
insert into victims
with source as (
    select * from accepted_rows
),

final as (
    select
        $extract_date::date as extract_date,
        crime_ref,
        victim_ref,
        age,
        injured
    from source
)

select * from final
