with knife as (
    select * from knife_crimes
),

final as (
    select
        borough_code,
        date_trunc('month', recorded_date)::date as month,
        count(*) as count
    from knife
    group by all
)

select * from final
