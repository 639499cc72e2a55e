-- The injured victims of the knife crimes in knife_crimes, with only the columns the measures
-- read (every measure counts injured victims of knife crimes; the rest would only be copied).
create or replace temp table victim_state as
with knife as (
    select
        crime_ref,
        extract_date
    from knife_crimes
),

final as (
    select
        victims.crime_ref,
        victims.extract_date,
        victims.age,
        victims.injured
    from victims
    semi join knife
        on
            victims.crime_ref = knife.crime_ref
            and victims.extract_date = knife.extract_date
    where victims.injured
)

select * from final
