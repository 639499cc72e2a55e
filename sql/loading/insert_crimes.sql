-- The accepted rows of a crimes file, already typed (schemas/crimes.py STORED).
insert into crimes
with source as (
    select * from accepted_rows
),

final as (
    select
        $extract_date::date as extract_date,
        crime_ref,
        recorded_date,
        offence_group,
        knife_flag,
        domestic_abuse,
        borough_code,
        status
    from source
)

select * from final
