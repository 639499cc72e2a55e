-- One row per input file (a dashboard file has a loaded_files row per refresh and measure).
select
    file_name as name,
    sha256,
    sum(rows_read)::bigint as rows,
    sum(rows_rejected)::bigint as rows_rejected
from loaded_files
where source = $source and extract_date <= $as_of::date
group by file_name, sha256
order by min(extract_date), min(kind), file_name
