-- The dashboard as of a date: each measure's month as the latest refresh covering it said,
-- an absent row inside that refresh's range meaning zero.
create or replace temp macro dashboard_state(as_of) as table
    with refreshes as (
        select * from dashboard_refreshes
        where refresh_date <= as_of
    ),

    covered_months as (
        select
            refresh_date,
            measure,
            unnest(generate_series(first_month, last_month, interval 1 month))::date as month
        from refreshes
    ),

    latest as (
        select
            measure,
            month,
            max(refresh_date) as refresh_date
        from covered_months
        group by measure, month
    ),

    counts as (
        select * from dashboard_counts
    ),

    final as (
        select counts.*
        from counts
        inner join latest
            on
                counts.measure = latest.measure
                and counts.month = latest.month
                and counts.refresh_date = latest.refresh_date
    )

    select * from final
