select date_trunc('month', min(recorded_date))::date as first_month
from crime_state
