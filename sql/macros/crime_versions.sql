-- The crime versions a count is taken over, named by `versions`, for the date `state_date`:
--   'as_of'       the latest version of every crime in the extracts on or before the date
--   'of_extract'  the versions the extract of that date brings (a first extract of 10 million
--                 crimes is read in place, never copied)
--   'replaced'    for each crime that extract brings, its latest earlier version
-- Only the branch named is read: the others are filtered out before they scan a row.
create or replace temp macro crime_versions(versions, state_date) as table
    with as_of as (
        select * from crimes
        where versions = 'as_of' and extract_date <= state_date
        qualify extract_date = max(extract_date) over (partition by crime_ref)
    ),

    of_extract as (
        select * from crimes
        where versions = 'of_extract' and extract_date = state_date
    ),

    brought as (
        select crime_ref from crimes
        where versions = 'replaced' and extract_date = state_date
    ),

    earlier as (
        select * from crimes
        where versions = 'replaced' and extract_date < state_date
    ),

    replaced as (
        select earlier.*
        from earlier
        semi join brought on earlier.crime_ref = brought.crime_ref
        qualify
            earlier.extract_date
            = max(earlier.extract_date) over (partition by earlier.crime_ref)
    ),

    final as (
        select * from as_of
        union all
        select * from of_extract
        union all
        select * from replaced
    )

    select * from final
