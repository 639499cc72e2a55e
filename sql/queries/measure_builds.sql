select
    measure,
    definition_sha256
from measure_builds
