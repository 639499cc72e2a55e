"""Real faults, each one line naming the path and the cause, exit 2, and nothing lost: a full
disk (a small tmpfs) while archiving, while DuckDB writes and while publishing; a read-only
warehouse (a read-only bind mount)."""

from __future__ import annotations

from pathlib import Path

import pytest

from statement_figures.cli import main
from statement_figures.cli.base import EXIT_ERROR
from tests.support.extracts import crime, victim, write_extract
from tests.support.faults import read_only, resize, tmpfs, used_kib
from tests.support.snapshots import snapshot

pytestmark = pytest.mark.fault  # the fault suite: `pytest -m fault`

ROOM_KIB = 96  # an empty database, its write-ahead log and the writer lock, with room to spare


def _figures(warehouse: Path, *args: str) -> int:
    return main(["--warehouse", str(warehouse), "-q", *args])


def _extract(folder: Path, crimes: int, victims: int) -> list[Path]:
    rows = [crime(f"C{i:06}", recorded_date="2021-03-01") for i in range(crimes)]
    rows += [crime(f"B{i:06}", recorded_date="2019-03-01") for i in range(crimes)]
    injured = [victim(f"C{i % crimes:06}", victim_ref=f"V{i}") for i in range(victims)]
    return write_extract(folder, "2021-12-06", rows, injured)


def _kib(path: Path) -> int:
    return -(-path.stat().st_size // 4096) * 4


def _no_space_line(folder: Path) -> str:
    return (
        f"figures: error: no space left on {folder}: free some space there and run the command "
        "again (nothing half-written was kept)"
    )


def _last_error(capsys: pytest.CaptureFixture[str]) -> str:
    return capsys.readouterr().err.strip().splitlines()[-1]


def test_a_full_disk_while_archiving_leaves_no_partial_copy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    crimes, victims = _extract(tmp_path / "in", crimes=500, victims=12000)
    originals = snapshot(tmp_path / "in")
    with tmpfs(tmp_path / "disk", _kib(crimes) + ROOM_KIB) as disk:
        warehouse = disk / "wh"
        assert _figures(warehouse, "ingest", str(crimes), str(victims)) == EXIT_ERROR
        assert _last_error(capsys) == _no_space_line(warehouse / "archive")
        assert [p.name for p in (warehouse / "archive").iterdir() if p.name.startswith(".")] == []
        assert snapshot(tmp_path / "in") == originals
        resize(disk, 4096)  # space freed: the same command now loads the extract
        assert _figures(warehouse, "ingest", str(crimes), str(victims)) == 0


def test_a_full_disk_while_the_database_commits_keeps_nothing_of_the_extract(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = _extract(tmp_path / "in", crimes=3000, victims=3000)
    with tmpfs(tmp_path / "disk", sum(map(_kib, paths)) + ROOM_KIB) as disk:
        warehouse = disk / "wh"
        assert _figures(warehouse, "ingest", *map(str, paths)) == EXIT_ERROR
        assert _last_error(capsys) == _no_space_line(warehouse)
        archived = snapshot(warehouse / "archive")
        assert sorted(archived.values()) == sorted(snapshot(tmp_path / "in").values())
        resize(disk, 8192)
        assert _figures(warehouse, "quarantine") == 0  # the database opens: nothing half-kept
        assert "0 quarantined values" in capsys.readouterr().out
        assert _figures(warehouse, "publish") == EXIT_ERROR  # no extract was loaded
        assert _last_error(capsys).startswith("figures: error: no incidents data loaded")
        assert _figures(warehouse, "ingest", *map(str, paths)) == 0
        assert snapshot(warehouse / "archive") == archived


def test_a_full_disk_while_publishing_leaves_no_staging_folder_and_the_old_publication(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = _extract(tmp_path / "in", crimes=300, victims=300)
    with tmpfs(tmp_path / "disk", 16384) as disk:
        warehouse = disk / "wh"
        assert _figures(warehouse, "ingest", *map(str, paths)) == 0
        assert _figures(warehouse, "publish") == 0
        published = snapshot(warehouse / "published")
        resize(disk, used_kib(disk) + 8)
        assert _figures(warehouse, "publish", "--period-type", "rolling_12m") == EXIT_ERROR
        assert _last_error(capsys) == _no_space_line(warehouse)
        assert snapshot(warehouse / "published") == published
        resize(disk, 16384)
        assert _figures(warehouse, "publish", "--period-type", "rolling_12m") == 0


def test_a_read_only_warehouse_is_one_line_and_its_publications_still_show(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = _extract(tmp_path / "in", crimes=20, victims=5)
    writable = tmp_path / "wh"
    assert _figures(writable, "ingest", *map(str, paths)) == 0
    assert _figures(writable, "publish") == 0
    before = snapshot(writable)
    with read_only(writable, tmp_path / "ro") as warehouse:
        for command in (["ingest", *map(str, paths)], ["publish"], ["quarantine"]):
            capsys.readouterr()
            assert _figures(warehouse, *command) == EXIT_ERROR
            assert _last_error(capsys) == (
                f"figures: error: warehouse {warehouse} is read-only: {warehouse}/writer.lock "
                "cannot be written: make the warehouse writable (or give --warehouse a writable "
                "one) and run the command again; nothing was changed"
            )
        assert _figures(warehouse, "show") == 0
    assert snapshot(writable) == before
