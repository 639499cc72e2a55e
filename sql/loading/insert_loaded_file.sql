insert into loaded_files
values (
    $sha256, $file_name, $source, $kind, $extract_date::date,
    $rows_read, $rows_rejected, $archived_as, $synthetic, current_timestamp
)
