-- Knife crimes with at least one injured victim: each crime version once, however many of
-- its victims were injured.
with injured_victims as (
    select * from victim_state
),

crimes_with_injury as (
    select distinct
        crime_ref,
        extract_date,
        borough_code,
        recorded_date
    from injured_victims
),

final as (
    select
        borough_code,
        date_trunc('month', recorded_date)::date as month,
        count(*) as count
    from crimes_with_injury
    group by all
)

select * from final
