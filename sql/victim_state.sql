-- The victims of the crimes in crime_state, with only the columns the measures read.
create or replace temp table victim_state as
with current_crimes as (
    select
        crime_ref,
        extract_date
    from crime_state
),

final as (
    select
        victims.crime_ref,
        victims.extract_date,
        victims.age,
        victims.injured
    from victims
    inner join current_crimes
        on
            victims.crime_ref = current_crimes.crime_ref
            and victims.extract_date = current_crimes.extract_date
)

select * from final
