-- The version of the layout of these tables (statement_figures/warehouse/db.py).
create table if not exists warehouse_schema (
    version integer not null
)
