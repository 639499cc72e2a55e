create table if not exists measure_deltas (
    extract_date date not null,
    measure varchar not null,
    borough_code varchar,
    month date not null,
    count bigint not null
)
