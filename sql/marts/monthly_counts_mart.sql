-- The monthly counts as published in the monthly_counts/ mart: one row per measure, area and
-- month, areas in the order London, BCUs, boroughs (then wards).
select
    measure,
    area_type,
    area_code,
    area_name,
    month,
    count
from monthly_counts
order by measure, area_rank, area_code, month
