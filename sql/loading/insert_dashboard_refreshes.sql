-- A refresh speaks for the months from its first to its last row, for each measure it has.
insert into dashboard_refreshes
with file_rows as (
    select * from dashboard_rows
),

ranges as (
    select
        refresh_date,
        min(month) as first_month,
        max(month) as last_month,
        $sha256::varchar as sha256
    from file_rows
    group by refresh_date
),

measures as (
    select distinct
        refresh_date,
        measure
    from file_rows
    where skipped_because is null
),

final as (
    select
        measures.refresh_date,
        measures.measure,
        ranges.first_month,
        ranges.last_month,
        ranges.sha256
    from measures
    inner join ranges on measures.refresh_date = ranges.refresh_date
)

select * from final
