-- The first month incident extracts speak for: the earliest month any crime loaded on or
-- before the as-of date was recorded in.
select date_trunc('month', min(recorded_date))::date as first_month
from crimes
where extract_date <= $as_of::date
