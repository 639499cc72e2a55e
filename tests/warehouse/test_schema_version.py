"""The warehouse records its schema version; a database of another version is refused with
what to do, before anything reads or writes it."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from statement_figures.config import Settings
from statement_figures.domain.errors import FiguresError
from statement_figures.publication.publish import publish
from statement_figures.sources.incidents.ingest import ingest_paths
from statement_figures.warehouse import db


def test_a_new_warehouse_records_this_schema_version(settings: Settings) -> None:
    with db.connect(settings) as con:
        assert db.query(con, "queries/warehouse_schema_version") == [(db.SCHEMA_VERSION,)]
    with db.connect(settings, read_only=True) as con:  # and opens again as it is
        assert db.query(con, "queries/loaded_file_count") == [(0,)]


def what_to_do(settings: Settings) -> str:
    return (
        f"this version of statement-figures needs schema version {db.SCHEMA_VERSION}. Keep "
        f"this database, and build a new one from the raw files kept in {settings.archive}: "
        f"move figures.duckdb aside, then `figures ingest {settings.archive}/*`"
    )


def test_a_database_of_another_schema_version_is_refused(settings: Settings) -> None:
    with db.connect(settings) as con:
        con.execute("update warehouse_schema set version = 99")
    with pytest.raises(FiguresError) as refused, db.connect(settings):
        pass
    assert str(refused.value) == (
        f"{settings.database}: warehouse schema version: has warehouse schema version 99; "
        + what_to_do(settings)
    )


def test_a_database_made_before_schema_versions_is_refused(settings: Settings) -> None:
    settings.warehouse.mkdir(parents=True)
    with duckdb.connect(str(settings.database)) as con:
        con.execute("create table loaded_files (sha256 varchar)")
    with pytest.raises(FiguresError) as refused, db.connect(settings):
        pass
    assert str(refused.value) == (
        f"{settings.database}: warehouse schema version: was made before warehouse schema "
        "versions were recorded; " + what_to_do(settings)
    )


def test_the_archive_ingested_into_a_new_warehouse_publishes_the_same_bytes(
    settings: Settings, published: Path, tmp_path: Path
) -> None:
    rebuilt = Settings(warehouse=tmp_path / "rebuilt")
    archived = sorted(settings.archive.iterdir())
    assert sorted(p.name[65:] for p in archived) == [
        "crimes_2021-12-06.csv",
        "victims_2021-12-06.csv",
    ]
    ingest_paths(rebuilt, archived)
    again = publish(rebuilt).folder
    assert (again / "figures.json").read_bytes() == (published / "figures.json").read_bytes()
