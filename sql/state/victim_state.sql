-- The injured victims of the knife crimes in knife_crimes, each with its crime's borough,
-- recorded date and domestic abuse flag: a victim measure reads this table alone, with no
-- second join back to its crimes.
create or replace temp table victim_state as
with knife as (
    select * from knife_crimes
),

injured_victims as (
    select
        crime_ref,
        extract_date,
        age
    from victims
    where injured
),

final as (
    select
        injured_victims.crime_ref,
        injured_victims.extract_date,
        injured_victims.age,
        knife.borough_code,
        knife.recorded_date,
        knife.domestic_abuse
    from injured_victims
    inner join knife
        on
            injured_victims.crime_ref = knife.crime_ref
            and injured_victims.extract_date = knife.extract_date
)

select * from final
