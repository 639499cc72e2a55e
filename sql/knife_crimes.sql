create or replace temp table knife_crimes as
with crimes as (
    select * from crime_state
),

final as (
    select * from crimes
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
