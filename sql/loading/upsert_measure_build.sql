insert or replace into measure_builds (measure, definition_sha256)
values ($measure, $definition_sha256)
