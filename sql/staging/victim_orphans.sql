-- The rows of a victims file (victim_rows) whose crime_ref names no crime accepted from the
-- same extract's crimes file, which is loaded first.
with extract_crimes as (
    select crime_ref from crimes
    where extract_date = $extract_date::date
),

final as (
    select victim_rows.file_row
    from victim_rows
    anti join extract_crimes on victim_rows.crime_ref = extract_crimes.crime_ref
)

select * from final
