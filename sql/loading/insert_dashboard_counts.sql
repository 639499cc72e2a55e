insert into dashboard_counts
with loaded as (
    select * from dashboard_rows
    where skipped_because is null
),

final as (
    select
        refresh_date,
        measure,
        area_type,
        area_code,
        area_name,
        month,
        count,
        $sha256::varchar as sha256,
        file_row
    from loaded
)

select * from final
