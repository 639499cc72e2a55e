-- The rows set aside for repeating an earlier row's refresh, measure, area and month.
select
    file_row,
    repeats_row,
    count,
    repeated_count
from dashboard_rows
where repeats_row is not null
order by file_row
