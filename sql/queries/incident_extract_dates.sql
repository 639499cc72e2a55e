select distinct extract_date
from loaded_files
where
    source = 'incidents'
    and extract_date >= $from_date::date
order by extract_date
