create table if not exists loaded_files (
    sha256 varchar not null,
    file_name varchar not null,
    source varchar not null,
    kind varchar not null,
    extract_date date not null,
    rows_read bigint not null,
    rows_rejected bigint not null,
    archived_as varchar not null,
    synthetic boolean not null,
    ingested_at timestamp not null,
    primary key (kind, extract_date)
)
