select max(version) as version
from warehouse_schema
