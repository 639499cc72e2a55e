insert into measure_deltas
with changes as (
    select * from extract_changes
),

final as (
    select
        measure,
        borough_code,
        month,
        $extract_date::date as extract_date,
        sum(count)::bigint as count
    from changes
    group by measure, borough_code, month
    having sum(count) <> 0
)

select
    extract_date,
    measure,
    borough_code,
    month,
    count
from final
