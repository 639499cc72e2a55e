-- The date the crime_state views read (views cannot hold bound parameters).
set variable crime_state_date = $state_date::date
