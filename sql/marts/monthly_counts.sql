create or replace temp table monthly_counts as
with counts as (
    select * from borough_month_counts
),

boroughs as (
    select * from area_boroughs
),

wards as (
    -- Ward rows (dashboard source only): the wards with counts in the months asked for.
    select * from ward_month_counts
    where month between $first_month::date and $last_month::date
),

measures as (
    select measure from measure_ids
),

months as (
    select unnest(
        generate_series($first_month::date, $last_month::date, interval 1 month)
    )::date as month
),

areas as (
    select
        1 as area_rank,
        'london' as area_type,
        'MPS' as area_code,
        'London' as area_name
    union all
    select distinct
        2 as area_rank,
        'bcu' as area_type,
        bcu_code as area_code,
        bcu_name as area_name
    from boroughs
    union all
    select
        3 as area_rank,
        'borough' as area_type,
        borough_code as area_code,
        borough_name as area_name
    from boroughs
    union all
    select distinct
        4 as area_rank,
        'ward' as area_type,
        ward_code as area_code,
        ward_name as area_name
    from wards
),

london_counts as (
    select
        measure,
        'MPS' as area_code,
        month,
        sum(count) as count
    from counts
    group by all
),

bcu_counts as (
    select
        counts.measure,
        boroughs.bcu_code as area_code,
        counts.month,
        sum(counts.count) as count
    from counts
    inner join boroughs on counts.borough_code = boroughs.borough_code
    group by all
),

borough_counts as (
    select
        measure,
        borough_code as area_code,
        month,
        sum(count) as count
    from counts
    where borough_code is not null
    group by all
),

ward_counts as (
    select
        measure,
        ward_code as area_code,
        month,
        sum(count) as count
    from wards
    group by all
),

observed as (
    select * from london_counts
    union all
    select * from bcu_counts
    union all
    select * from borough_counts
    union all
    select * from ward_counts
),

grid as (
    select
        measures.measure,
        areas.area_rank,
        areas.area_type,
        areas.area_code,
        areas.area_name,
        months.month
    from measures
    cross join areas
    cross join months
),

final as (
    select
        grid.measure,
        grid.area_rank,
        grid.area_type,
        grid.area_code,
        grid.area_name,
        grid.month,
        coalesce(observed.count, 0)::bigint as count
    from grid
    left join observed
        on
            grid.measure = observed.measure
            and grid.area_code = observed.area_code
            and grid.month = observed.month
)

select * from final
