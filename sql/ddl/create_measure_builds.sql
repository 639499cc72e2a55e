create table if not exists measure_builds (
    measure varchar primary key,
    definition_sha256 varchar not null
)
