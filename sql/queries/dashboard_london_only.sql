-- The Borough rows that count for London only (no Met borough's code), by name and code.
select
    reported_name,
    file_area_code,
    count(*) as rows
from dashboard_rows
where skipped_because is null and london_only
group by reported_name, file_area_code
order by reported_name, file_area_code
