with state as (
    select * from dashboard_state($as_of::date)
    where area_type = 'ward' and list_contains($measures, measure)
),

latest_names as (
    select
        area_code,
        area_name
    from state
    qualify rank() over (partition by area_code order by month desc) = 1
),

names as (
    select
        area_code,
        min(area_name) as ward_name
    from latest_names
    group by area_code
),

final as (
    select
        state.measure,
        state.area_code as ward_code,
        names.ward_name,
        state.month,
        sum(state.count)::bigint as count
    from state
    inner join names on state.area_code = names.area_code
    group by state.measure, state.area_code, names.ward_name, state.month
)

select * from final
order by measure, ward_code, month
