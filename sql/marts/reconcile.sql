-- Monthly counts per measure and borough from both sources, in the months both cover: the
-- dashboard refreshes' ranges (as of a date) inside the incident extracts' months.
with incidents as (
    select * from incident_month_counts
),

dashboard as (
    select * from dashboard_month_counts
),

boroughs as (
    select * from area_boroughs
),

refreshes as (
    select * from dashboard_refreshes
    where refresh_date <= $dashboard_as_of::date and list_contains($measures, measure)
),

areas as (
    select
        borough_code,
        borough_name
    from boroughs
    union all
    select
        null as borough_code,
        'Unknown or other' as borough_name
),

dashboard_months as (
    select distinct
        measure,
        unnest(generate_series(first_month, last_month, interval 1 month))::date as month
    from refreshes
),

compared_months as (
    select * from dashboard_months
    where month between $first_month::date and $last_month::date
),

grid as (
    select
        compared_months.measure,
        compared_months.month,
        areas.borough_code,
        areas.borough_name
    from compared_months
    cross join areas
),

incident_totals as (
    select
        measure,
        borough_code,
        month,
        sum(count) as count
    from incidents
    group by all
),

dashboard_totals as (
    select
        measure,
        borough_code,
        month,
        sum(count) as count
    from dashboard
    group by all
),

joined as (
    select
        grid.measure,
        grid.month,
        grid.borough_code,
        grid.borough_name,
        coalesce(incident_totals.count, 0)::bigint as incidents,
        coalesce(dashboard_totals.count, 0)::bigint as dashboard
    from grid
    left join incident_totals
        on
            grid.measure = incident_totals.measure
            and grid.month = incident_totals.month
            and grid.borough_code is not distinct from incident_totals.borough_code
    left join dashboard_totals
        on
            grid.measure = dashboard_totals.measure
            and grid.month = dashboard_totals.month
            and grid.borough_code is not distinct from dashboard_totals.borough_code
),

final as (
    select
        measure,
        borough_code,
        borough_name,
        month,
        incidents,
        dashboard,
        incidents - dashboard as difference,
        abs(incidents - dashboard) > $tolerance
        and (
            $tolerance_pct::double is null
            or 100 * abs(incidents - dashboard) > $tolerance_pct::double * dashboard
        ) as beyond_tolerance
    from joined
)

select * from final
order by measure, borough_code nulls last, month
