select count(*) as loaded
from loaded_files
where source = $source and sha256 = $sha256
