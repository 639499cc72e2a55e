with knife as (
    select * from knife_crimes
    where not domestic_abuse
),

young_injured as (
    select * from victim_state
    where injured and age between 1 and 24
),

final as (
    select
        knife.borough_code,
        date_trunc('month', knife.recorded_date)::date as month,
        count(*) as count
    from young_injured
    inner join knife
        on
            young_injured.crime_ref = knife.crime_ref
            and young_injured.extract_date = knife.extract_date
    group by all
)

select * from final
