select
    refresh_date,
    measure,
    count(*) as rows
from dashboard_rows
where skipped_because is null
group by refresh_date, measure
order by refresh_date, measure
