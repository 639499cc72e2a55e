select count(*) as files from loaded_files
