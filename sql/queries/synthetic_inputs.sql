-- Whether any input file as of a date is the built-in synthetic sample.
select coalesce(bool_or(synthetic), false) as synthetic
from loaded_files
where source = $source and extract_date <= $as_of::date
