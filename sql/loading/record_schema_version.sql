insert into warehouse_schema (version) values ($version)
