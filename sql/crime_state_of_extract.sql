-- The versions one extract brings: every crime it carries, as it carries it. A view, not a
-- copy: a first extract of 10 million crimes would be copied whole.
create or replace temp view crime_state as
select * from crimes
where extract_date = getvariable('crime_state_date')
