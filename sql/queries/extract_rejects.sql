select
    sum(rows_read) as rows_read,
    sum(rows_rejected) as rows_rejected
from loaded_files
where source = $source and extract_date = $extract_date::date
