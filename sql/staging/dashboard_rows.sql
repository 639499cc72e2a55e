-- Each staged dashboard row not set aside for breaking a rule (set_aside_rows), with the
-- measure it counts and the area it belongs to, or the reason it is skipped (skipped_because
-- is null for the rows that load). A row repeating an earlier row's refresh, measure, area
-- and month is skipped too, naming that row (repeats_row): the first is kept, never a sum.
-- A Borough row whose code is not a Met borough's (Aviation Security, other forces, unknown,
-- legacy) counts for London only: its area_code is stored as null, its own code kept in
-- file_area_code.
create or replace temp table dashboard_rows as
with staged as (
    select stg_dashboard.*
    from stg_dashboard
    anti join set_aside_rows on stg_dashboard.file_row = set_aside_rows.file_row
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
        staged.borough_snt,
        staged.area_code as file_area_code,
        staged.area_name as file_area_name,
        staged.count_value as count,
        staged.area_type = 'Borough' and boroughs.borough_code is null as london_only,
        case
            when staged.area_type = 'Borough' then boroughs.borough_code else staged.area_code
        end as area_code,
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
    left join boroughs on staged.area_code = boroughs.borough_code
),

firsts as (
    -- The first row of each refresh, measure, area and month: later ones repeat it. The area
    -- is the row's borough_snt, name and code together: the real file has one ward code under
    -- two boroughs' names (Whitechapel under Hackney and Tower Hamlets) and under two names
    -- (Woodside and Woodside (Croydon)), each row a count of its own.
    select
        file_row,
        first_value(file_row) over same_key as first_row,
        first_value(count) over same_key as first_count
    from classified
    where skipped_because is null
    window same_key as (
        partition by
            refresh_date,
            measure,
            area_type,
            borough_snt,
            file_area_code,
            file_area_name,
            month
        order by file_row
    )
),

final as (
    select
        classified.file_row,
        classified.refresh_date,
        classified.month,
        classified.measure,
        classified.area_type,
        classified.area_code,
        classified.area_name,
        classified.count,
        coalesce(
            classified.skipped_because,
            case when firsts.first_row != classified.file_row then 'repeats an earlier row' end
        ) as skipped_because,
        classified.london_only,
        classified.file_area_code,
        coalesce(classified.file_area_name, classified.borough_snt) as reported_name,
        nullif(firsts.first_row, classified.file_row) as repeats_row,
        firsts.first_count as repeated_count
    from classified
    left join firsts on classified.file_row = firsts.file_row
)

select * from final
