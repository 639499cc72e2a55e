create or replace temp table raw_file as
select columns(*)::varchar from read_parquet($path)
