-- Rows skipped by reason; repeated rows are reported one by one instead (dashboard_repeats).
select
    skipped_because,
    count(*) as rows
from dashboard_rows
where skipped_because is not null and repeats_row is null
group by skipped_because
order by skipped_because
