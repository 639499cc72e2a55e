-- A parquet file, every field as text (the models check text, as read from a CSV file).
select columns(*)::varchar from read_parquet($path)
