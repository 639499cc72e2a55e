select
    skipped_because,
    count(*) as rows
from dashboard_rows
where skipped_because is not null
group by skipped_because
order by skipped_because
