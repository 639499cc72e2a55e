-- The versions one extract brings: every crime it carries, as it carries it.
create or replace temp table crime_state as
select * from crimes
where extract_date = $extract_date::date
