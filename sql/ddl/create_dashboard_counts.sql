create table if not exists dashboard_counts (
    refresh_date date not null,
    measure varchar not null,
    area_type varchar not null,
    area_code varchar,
    area_name varchar,
    month date not null,
    count bigint not null,
    sha256 varchar not null,
    file_row bigint not null
)
