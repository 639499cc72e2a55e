-- The tables of the warehouse database (not the session's temporary ones).
select table_name
from duckdb_tables()
where database_name = current_database() and not temporary
