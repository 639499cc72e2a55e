create table if not exists crimes (
    extract_date date not null,
    crime_ref varchar not null,
    recorded_date date not null,
    offence_group varchar not null,
    knife_flag boolean not null,
    domestic_abuse boolean not null,
    borough_code varchar,
    status varchar not null
)
