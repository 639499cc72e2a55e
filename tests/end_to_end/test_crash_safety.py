"""Crash safety: runs killed with SIGKILL while ingesting, building and publishing.

Each kill is timed by a real side effect of the process (a line it logs, or DuckDB's
write-ahead log growing while the extract is committed), never by a sleep. After every kill
the warehouse and the published folder must be consistent, and the run after the last kill
must publish exactly the bytes of a run that was never interrupted.
"""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import time
from pathlib import Path

import duckdb
import pytest

from sample.generate import generate_sample
from statement_figures.cli import main
from statement_figures.config import Settings
from statement_figures.publication.folders import LATEST, remove_leftovers
from statement_figures.warehouse.lock import writer_lock
from tests.support.processes import figures, figures_process, wait_for_session_end

pytestmark = pytest.mark.fault  # the fault suite: `pytest -m fault`

PUBLICATION = "published/2021-12-06/statement-ytd-2021-11-vs-2019"


def kill(process: subprocess.Popen[str]) -> None:
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL
    wait_for_session_end(process.pid)  # a supervised worker dies a moment after


def kill_on_line(warehouse: Path, text: str, *args: str) -> None:
    """Run figures ARGS and SIGKILL it (and its children) the moment it logs a line with text."""
    process = figures_process(warehouse, *args, own_session=True)
    try:
        assert process.stderr is not None
        for line in process.stderr:
            if text in line:
                break
        else:
            raise AssertionError(f"figures {' '.join(args)} never logged {text!r}")
    finally:
        kill(process)


def kill_while_committing(warehouse: Path, *args: str) -> None:
    """Run figures ARGS and SIGKILL it while DuckDB writes the commit to its write-ahead log."""
    wal = warehouse / "figures.duckdb.wal"
    process = figures_process(warehouse, *args, own_session=True)
    try:
        while process.poll() is None:
            if wal.exists() and wal.stat().st_size > 1_000_000:
                break
            time.sleep(0.001)
        else:
            raise AssertionError("the ingest ended before its write-ahead log grew")
    finally:
        kill(process)


def wait_until_unlocked(database: Path, seconds: float = 10) -> None:
    """Wait until no process holds the database's lock: the kernel releases a SIGKILLed
    process's locks as it tears the process down, which can outlast its last sign in /proc."""
    deadline = time.monotonic() + seconds
    while database.exists():
        with database.open("rb") as handle:
            try:
                fcntl.lockf(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except OSError:
                if time.monotonic() > deadline:
                    raise AssertionError(f"{database} still locked {seconds} s on") from None
                time.sleep(0.05)
                continue
            fcntl.lockf(handle, fcntl.LOCK_UN)
            return


def assert_consistent(warehouse: Path) -> int:
    """The database opens with whole extracts only; every publication is whole; LATEST points
    at one. Returns the number of extracts loaded."""
    database = warehouse / "figures.duckdb"
    wait_until_unlocked(database)
    with duckdb.connect(str(database), read_only=True) as con:
        loaded = con.sql(
            "select kind, extract_date, rows_read from loaded_files order by all"
        ).fetchall()
        crimes = con.sql("select extract_date, count(*) from crimes group by all").fetchall()
    assert {(date, rows) for kind, date, rows in loaded if kind == "crimes"} == set(crimes)
    assert sorted(kind for kind, _, _ in loaded) == sorted(["crimes", "victims"] * len(crimes))
    published = warehouse / "published"
    for folder in published.glob("*/[!.]*"):
        names = {p.name for p in folder.iterdir()}
        assert {"figures.json", "figures.json.minisig", "manifest.json"} <= names, folder
    pointer = published / LATEST
    if pointer.exists():
        assert (published / pointer.read_text().strip() / "figures.json").is_file()
    return len(crimes)


def uninterrupted_figures(tmp_path: Path) -> bytes:
    """The sample's figures.json as a run that was never interrupted publishes it."""
    sample = generate_sample(tmp_path / "sample")
    reference = tmp_path / "reference"
    assert main(["--warehouse", str(reference), "-q", "ingest", *map(str, sample)]) == 0
    assert main(["--warehouse", str(reference), "-q", "publish"]) == 0
    return (reference / PUBLICATION / "figures.json").read_bytes()


def test_runs_killed_at_any_stage_leave_everything_consistent_and_the_next_run_completes(
    tmp_path: Path,
) -> None:
    expected = uninterrupted_figures(tmp_path)

    warehouse = tmp_path / "warehouse"
    landing = warehouse / "landing"
    generate_sample(landing)
    landed = sorted(map(str, landing.iterdir()))

    kill_on_line(warehouse, "crimes_2021-12-06.csv: validating", "run")  # ingest, in Prefect
    assert assert_consistent(warehouse) == 0
    assert sorted(map(str, landing.iterdir())) == landed  # still waiting to be ingested
    kill_on_line(warehouse, "victims_2021-12-06.csv: validating", "ingest", *landed)
    assert assert_consistent(warehouse) == 0
    kill_on_line(warehouse, "counting what it changes", "ingest", *landed)  # both files in
    assert assert_consistent(warehouse) == 0  # killed inside the transaction: none of it
    kill_while_committing(warehouse, "ingest", *landed)
    # Killed while the commit is written: the extract is there whole if its commit record
    # reached the log, else not at all; assert_consistent fails on anything in between.
    assert assert_consistent(warehouse) in (0, 1)

    assert figures("ingest", *landed, warehouse=warehouse).returncode == 0
    assert assert_consistent(warehouse) == 1
    kill_on_line(warehouse, "building monthly counts", "publish")  # build
    assert assert_consistent(warehouse) == 1
    kill_on_line(warehouse, "/.staging-", "publish")  # publish: figures.json signed in staging
    assert assert_consistent(warehouse) == 1
    assert list(warehouse.glob("published/*/.staging-*")), "the kill came too late"
    assert not (warehouse / PUBLICATION).exists()

    run = figures("run", warehouse=warehouse)
    assert run.returncode == 0, run.stderr
    assert "left by an interrupted run" in run.stderr
    assert assert_consistent(warehouse) == 1
    assert list(warehouse.glob("published/*/.*")) == []
    assert (warehouse / PUBLICATION / "figures.json").read_bytes() == expected
    assert (warehouse / "published" / LATEST).read_text().strip() == PUBLICATION.split("/", 1)[1]


def test_an_old_publication_moved_aside_is_put_back_when_its_replacement_never_came(
    tmp_path: Path,
) -> None:
    settings = Settings(warehouse=tmp_path / "warehouse")
    day = settings.published / "2021-12-06"
    (day / ".retired-statement-ytd-2021-11-vs-2019-0123abcd").mkdir(parents=True)
    (day / ".retired-other-0123abcd").mkdir()
    (day / "other").mkdir()
    (day / ".staging-statement-ytd-2021-11-vs-2019-run-1").mkdir()
    assert remove_leftovers(settings) == []  # not without the writer lock
    with writer_lock(settings.lock_file, "test"):
        assert len(remove_leftovers(settings)) == 3
    assert sorted(p.name for p in day.iterdir()) == ["other", "statement-ytd-2021-11-vs-2019"]
