-- The knife crimes among the crime versions named by $versions for $state_date
-- (macros/crime_versions.sql), with only the columns the measures read (a narrower copy spills
-- less under the memory limit).
create or replace temp table knife_crimes as
with crimes as (
    select * from crime_versions($versions, $state_date::date)
),

final as (
    select
        crime_ref,
        extract_date,
        recorded_date,
        borough_code,
        domestic_abuse
    from crimes
    where
        status = 'recorded'
        and knife_flag
        and offence_group in (
            'homicide',
            'violence_with_injury',
            'violence_without_injury',
            'robbery',
            'sexual_offences'
        )
)

select * from final
