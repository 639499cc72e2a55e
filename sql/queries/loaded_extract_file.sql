select sha256
from loaded_files
where kind = $kind and extract_date = $extract_date::date
