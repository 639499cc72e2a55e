create table if not exists dashboard_refreshes (
    refresh_date date not null,
    measure varchar not null,
    first_month date not null,
    last_month date not null,
    sha256 varchar not null,
    primary key (refresh_date, measure)
)
