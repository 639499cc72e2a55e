"""`figures rebuild`: a damaged database is replaced by one replayed from the archive, proved
by republishing every publication byte for byte."""

from __future__ import annotations

from pathlib import Path

import pytest

from statement_figures.cli import main
from statement_figures.cli.base import EXIT_ERROR
from tests.support.extracts import crime, victim, write_extract
from tests.support.faults import damage
from tests.support.snapshots import snapshot

pytestmark = pytest.mark.fault  # the fault suite: `pytest -m fault`


def _figures(warehouse: Path, *args: str) -> int:
    return main(["--warehouse", str(warehouse), "-q", *args])


@pytest.fixture
def warehouse(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """Two extracts ingested and published as of each; nothing printed yet."""
    warehouse = tmp_path / "wh"
    _two_extracts_published_twice(tmp_path, warehouse)
    capsys.readouterr()
    return warehouse


def _two_extracts_published_twice(tmp_path: Path, warehouse: Path) -> None:
    november = [crime(f"B{i}", recorded_date="2019-03-01") for i in range(20)]
    november += [crime(f"C{i}", recorded_date="2021-03-01") for i in range(12)]
    december = [crime(f"C{i}", recorded_date="2021-03-01") for i in range(12, 15)]
    december += [crime("C0", status="cancelled"), crime("D1", recorded_date="2021-11-20")]
    paths = write_extract(tmp_path / "in", "2021-11-02", november, [victim("C1")])
    paths += write_extract(tmp_path / "in", "2021-12-06", december, [victim("D1", age="17")])
    assert _figures(warehouse, "ingest", *map(str, paths)) == 0
    assert _figures(warehouse, "publish", "--as-of", "2021-11-02") == 0
    assert _figures(warehouse, "publish", "--as-of", "2021-12-06") == 0


def test_a_damaged_database_is_rebuilt_from_the_archive_and_reproduces_every_publication(
    warehouse: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = warehouse / "figures.duckdb"
    published, archive = snapshot(warehouse / "published"), snapshot(warehouse / "archive")
    damage(database)
    damaged = database.read_bytes()

    assert _figures(warehouse, "publish", "--as-of", "2021-11-02") == EXIT_ERROR
    assert capsys.readouterr().err.strip().splitlines()[-1] == (
        f"figures: error: {database} is damaged (a block of it does not read back as written); "
        "the archive keeps every raw file: run `figures rebuild` to build a new database from "
        "it (the damaged one is kept aside, never deleted)"
    )

    assert _figures(warehouse, "rebuild") == 0
    out = capsys.readouterr().out.splitlines()
    folders = sorted(p.parent for p in (warehouse / "published").glob("*/*/figures.json"))
    assert len(folders) == 2
    assert out[:2] == [f"  reproduced    {folder}" for folder in folders]
    [aside] = warehouse.glob("figures.duckdb.damaged-*")
    assert out[2] == (
        f"rebuilt {database}: 4 archived files replayed, 2 publications reproduced byte for "
        f"byte; the old one is kept as {aside}"
    )
    assert aside.read_bytes() == damaged  # kept, never deleted
    assert snapshot(warehouse / "published") == published
    assert snapshot(warehouse / "archive") == archive
    assert not list(warehouse.glob(".rebuild-*"))
    assert not list(warehouse.glob("figures.duckdb.rebuilding*"))

    # The rebuilt database publishes the same bytes, and both publications still check out.
    assert _figures(warehouse, "publish", "--as-of", "2021-11-02") == 0
    assert _figures(warehouse, "publish", "--as-of", "2021-12-06") == 0
    assert snapshot(warehouse / "published") == published
    for folder in folders:
        assert _figures(warehouse, "show", str(folder)) == 0
        assert _figures(warehouse, "verify", str(folder / "figures.json")) == 0
        assert _figures(warehouse, "verify", str(folder / "report.html")) == 0


def test_an_archived_file_changed_since_is_refused_and_nothing_is_rebuilt(
    warehouse: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = warehouse / "figures.duckdb"
    before = database.read_bytes()
    changed = sorted((warehouse / "archive").glob("*-victims_2021-12-06.csv"))[0]
    changed.write_text(changed.read_text() + "D1,V2,30,true\n")
    assert _figures(warehouse, "rebuild") == EXIT_ERROR
    assert capsys.readouterr().err.strip().splitlines()[-1] == (
        f"figures: error: {changed}: archive integrity: its sha256 is not the one its name "
        "gives: the archived file was changed; nothing was rebuilt (put the original file back)"
    )
    assert database.read_bytes() == before
    assert not list(warehouse.glob("figures.duckdb.*"))


def test_a_publication_that_differs_keeps_the_old_database(
    warehouse: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = warehouse / "figures.duckdb"
    before = database.read_bytes()
    # An archived extract lost: the publications made from it can no longer be reproduced.
    for lost in (warehouse / "archive").glob("*_2021-12-06.csv"):
        lost.unlink()
    assert _figures(warehouse, "rebuild") == EXIT_ERROR
    out, err = capsys.readouterr()
    december = warehouse / "published" / "2021-12-06" / "statement-ytd-2021-11-vs-2019"
    assert out.splitlines()[-1] == (
        "  not published again: the period end 2021-11 is not a complete month in the data as "
        "of 2021-12-06 (the latest data is of 2021-11-02): the latest complete month is "
        f"2021-10:  {december}"
    )
    assert err.strip().splitlines()[-1] == (
        f"figures: error: {database}: rebuild: 2 archived files replayed, 2 publications: not "
        "every file replayed and every publication was reproduced, so the database was left "
        "as it was (see the lines above)"
    )
    assert database.read_bytes() == before
    assert not list(warehouse.glob("figures.duckdb.*"))


def test_a_publication_whose_bytes_differ_is_named_and_the_old_database_kept(
    warehouse: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = warehouse / "figures.duckdb"
    before = database.read_bytes()
    [report, *_] = sorted((warehouse / "published").glob("*/*/report.html"))
    report.write_bytes(report.read_bytes().replace(b"</body>", b"<p>edited</p></body>"))
    assert _figures(warehouse, "rebuild") == EXIT_ERROR
    assert f"  differs: report.html  {report.parent}" in capsys.readouterr().out.splitlines()
    assert database.read_bytes() == before
