select max(extract_date) as extract_date
from loaded_files
where
    source = $source
    and ($as_of::date is null or extract_date <= $as_of::date)
