with state as (
    select * from dashboard_state($as_of::date)
    where area_type = 'borough' and list_contains($measures, measure)
),

final as (
    select
        measure,
        area_code as borough_code,
        month,
        sum(count)::bigint as count
    from state
    group by measure, area_code, month
)

select * from final
order by measure, borough_code, month
