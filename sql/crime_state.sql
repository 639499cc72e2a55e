create or replace temp table crime_state as
with crimes_known as (
    select * from crimes
    where extract_date <= $as_of::date
),

final as (
    select * from crimes_known
    qualify row_number() over (partition by crime_ref order by extract_date desc) = 1
)

select * from final
