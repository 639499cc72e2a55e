-- The loaded file with its data row numbers. raw_file keeps the file's order, and its row ids
-- are consecutive (they start high inside a transaction, hence the offset).
create or replace temp view raw_rows as
with first_row as (
    select min(rowid) as first_rowid from raw_file
),

final as (
    select
        raw_file.*,
        raw_file.rowid - first_row.first_rowid + 1 as file_row
    from raw_file
    cross join first_row
)

select * from final
