with young_injured as (
    select * from victim_state
    where age between 1 and 24 and not domestic_abuse
),

final as (
    select
        borough_code,
        date_trunc('month', recorded_date)::date as month,
        count(*) as count
    from young_injured
    group by all
)

select * from final
