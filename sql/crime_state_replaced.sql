-- The versions one extract replaces: for each of its crimes, the latest earlier version.
create or replace temp view crime_state as
with brought as (
    select crime_ref from crimes
    where extract_date = getvariable('crime_state_date')
),

earlier as (
    select * from crimes
    where extract_date < getvariable('crime_state_date')
),

final as (
    select earlier.*
    from earlier
    semi join brought on earlier.crime_ref = brought.crime_ref
    qualify
        earlier.extract_date
        = max(earlier.extract_date) over (partition by earlier.crime_ref)
)

select * from final
