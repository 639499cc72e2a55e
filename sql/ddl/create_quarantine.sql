create table if not exists quarantine (
    file_name varchar not null,
    sha256 varchar not null,
    extract_date date,
    file_row bigint not null,
    column_name varchar not null,
    rule varchar not null,
    value varchar
)
