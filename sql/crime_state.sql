create or replace temp table crime_state as
with crimes_known as (
    select * from crimes
    where extract_date <= $as_of::date
),

final as (
    select * from crimes_known
    qualify extract_date = max(extract_date) over (partition by crime_ref)
)

select * from final
