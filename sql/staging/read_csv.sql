-- A CSV file, every field as text, by DuckDB's strict reader: a row with too few or too many
-- fields is an error naming its line.
select *
from read_csv(
    $path,
    header = true,
    auto_detect = false,
    delim = ',',
    quote = '"',
    escape = '"',
    columns = $columns
)
