insert into quarantine
select
    file_name,
    sha256,
    $extract_date::date as extract_date,
    file_row,
    column_name,
    rule,
    value
from rejects
