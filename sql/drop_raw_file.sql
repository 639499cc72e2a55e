drop table if exists raw_file cascade
