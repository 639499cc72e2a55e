-- The first month the dashboard refreshes on or before the as-of date speak for.
select min(first_month) as first_month
from dashboard_refreshes
where refresh_date <= $as_of::date
