select
    file_name,
    file_row,
    column_name,
    rule,
    value
from quarantine
where $extract_date::date is null or extract_date = $extract_date::date
order by extract_date, file_name, file_row, column_name
