"""What each SQL file reads is found from its text, and a measure's fingerprint covers all of it."""

from __future__ import annotations

import shutil
from pathlib import Path

from statement_figures.domain.measures import MEASURES_BY_ID
from statement_figures.warehouse import db
from statement_figures.warehouse.deltas import definition_sha256

KNIFE_CRIME = MEASURES_BY_ID["knife_crime"]
VICTIMS_U25 = MEASURES_BY_ID["knife_injury_victims_u25"]


def test_a_measure_reads_the_state_tables_and_through_them_the_macros_and_tables() -> None:
    assert db.SQL.reads("measures/knife_crime") == {"state/knife_crimes"}
    assert db.SQL.reads("measures/knife_injury_victims_u25") == {"state/victim_state"}
    assert db.SQL.closure(["measures/knife_injury_victims_u25"]) == (
        "ddl/create_crimes",
        "ddl/create_victims",
        "macros/crime_versions",
        "measures/knife_injury_victims_u25",
        "state/knife_crimes",
        "state/victim_state",
    )


def test_comments_do_not_count_as_reads(tmp_path: Path) -> None:
    (tmp_path / "ddl").mkdir()
    (tmp_path / "ddl" / "create_crimes.sql").write_text("create table crimes (crime_ref varchar)")
    (tmp_path / "counts.sql").write_text("-- not from crimes\nselect 1 as one")
    assert db.SqlFiles(tmp_path).reads("counts") == frozenset()


def edited_copy(tmp_path: Path, name: str) -> db.SqlFiles:
    """A copy of sql/ with one file changed (a new comment line: any change counts)."""
    root = tmp_path / "sql"
    shutil.copytree(db.SQL_DIR, root)
    path = root / f"{name}.sql"
    path.write_text(path.read_text() + "\n-- changed\n")
    return db.SqlFiles(root)


def test_changing_a_shared_file_changes_every_measure_that_reads_it(tmp_path: Path) -> None:
    changed = edited_copy(tmp_path, "macros/crime_versions")
    for measure in MEASURES_BY_ID.values():
        assert definition_sha256(measure, changed) != definition_sha256(measure)


def test_changing_the_victims_state_recounts_the_victim_measures_only(tmp_path: Path) -> None:
    changed = edited_copy(tmp_path, "state/victim_state")
    assert definition_sha256(VICTIMS_U25, changed) != definition_sha256(VICTIMS_U25)
    assert definition_sha256(KNIFE_CRIME, changed) == definition_sha256(KNIFE_CRIME)


def test_changing_the_statement_that_records_changes_recounts_every_measure(
    tmp_path: Path,
) -> None:
    changed = edited_copy(tmp_path, "loading/insert_measure_deltas")
    assert definition_sha256(KNIFE_CRIME, changed) != definition_sha256(KNIFE_CRIME)
