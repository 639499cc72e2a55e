select
    file_name as name,
    sha256,
    rows_read as rows,
    rows_rejected
from loaded_files
where source = $source and extract_date <= $as_of::date
order by extract_date, kind, file_name
