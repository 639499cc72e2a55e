create table if not exists victims (
    extract_date date not null,
    crime_ref varchar not null,
    victim_ref varchar not null,
    age integer,
    injured boolean not null
)
