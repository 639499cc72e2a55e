with knife as (
    select * from knife_crimes
),

injured_victims as (
    select
        crime_ref,
        extract_date
    from victim_state
    where injured
),

with_injury as (
    select knife.*
    from knife
    where exists (
        select 1 from injured_victims
        where
            injured_victims.crime_ref = knife.crime_ref
            and injured_victims.extract_date = knife.extract_date
    )
),

final as (
    select
        borough_code,
        date_trunc('month', recorded_date)::date as month,
        count(*) as count
    from with_injury
    group by all
)

select * from final
