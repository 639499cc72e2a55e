create or replace temp view crime_state as
with crimes_known as (
    select * from crimes
    where extract_date <= getvariable('crime_state_date')
),

final as (
    select * from crimes_known
    qualify extract_date = max(extract_date) over (partition by crime_ref)
)

select * from final
