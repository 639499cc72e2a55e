-- Each staged dashboard row with the measure it counts and the area it belongs to, or the
-- reason it is skipped (skipped_because is null for the rows that load).
create or replace temp table dashboard_rows as
with staged as (
    select * from stg_dashboard
),

subtypes as (
    select * from measure_subtypes
),

boroughs as (
    select * from area_boroughs
),

ward_prefixes as (
    -- Ward rows repeat the borough's name before the ward's in borough_snt.
    select
        staged.file_row,
        max(length(boroughs.borough_name)) as prefix_length
    from staged
    inner join boroughs
        on starts_with(staged.borough_snt, boroughs.borough_name || ' ')
    where staged.area_type = 'Safer Neighbourhood Teams'
    group by staged.file_row
),

classified as (
    select
        staged.file_row,
        staged.refresh as refresh_date,
        staged.month,
        subtypes.measure,
        staged.area_code,
        staged.count_value as count,
        case
            when staged.area_type = 'Borough' then 'borough' else 'ward'
        end as area_type,
        case
            when staged.area_type = 'Borough' then staged.area_name
            else coalesce(
                nullif(trim(substr(staged.borough_snt, ward_prefixes.prefix_length + 2)), ''),
                staged.area_name
            )
        end as area_name,
        case
            when subtypes.measure is null then 'crime subtype not in the measure registry'
            when staged.measure != 'Offences' then 'measure is not Offences'
            when
                staged.area_type = 'Safer Neighbourhood Teams'
                and not coalesce(regexp_full_match(staged.area_code, 'E05[0-9]{6}'), false)
                then 'ward row without a ward (E05) code'
        end as skipped_because
    from staged
    left join subtypes on staged.crime_subtype = subtypes.dashboard_subtype
    left join ward_prefixes on staged.file_row = ward_prefixes.file_row
),

final as (
    select
        file_row,
        refresh_date,
        month,
        measure,
        area_type,
        area_code,
        area_name,
        count,
        skipped_because
    from classified
)

select * from final
