"""One writer at a time: real processes contend for warehouse/writer.lock."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from statement_figures.config import Settings
from statement_figures.publication.publish import publish
from tests.support.extracts import crime, write_extract
from tests.support.processes import figures, figures_process
from tests.support.warehouse import ingest, load_monthly_extracts, london_knife_crime

HOLD = """
import sys
from pathlib import Path
from statement_figures.warehouse.lock import writer_lock
with writer_lock(Path(sys.argv[1]), "test holder"):
    print("held", flush=True)
    sys.stdin.read()
"""


@contextmanager
def lock_held(lock_file: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process holds the lock until the block ends (it is killed then at the latest)."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(lock_file)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline() == "held\n"
        yield holder
    finally:
        holder.kill()
        holder.wait()


def wait_for_line(process: subprocess.Popen[str], text: str) -> str:
    """Read the process's stderr up to the first line containing text."""
    assert process.stderr is not None
    for line in process.stderr:
        if text in line:
            return line
    raise AssertionError(f"the process ended without printing {text!r}")


def test_a_writer_waits_for_the_holder_and_says_whom_it_waits_for(
    settings: Settings, tmp_path: Path
) -> None:
    ingest(settings, write_extract(tmp_path / "in", "2021-12-06", [crime("C1")]))
    with lock_held(settings.lock_file) as holder:
        publisher = figures_process(settings.warehouse, "publish")
        line = wait_for_line(publisher, "waiting for the warehouse writer lock")
        assert f"held by pid {holder.pid} (test holder, since " in line
        assert line.split(" ", 1)[1].startswith("figures publish: waiting")
        time.sleep(0.5)
        assert publisher.poll() is None, "the publisher went on while the lock was held"
        assert holder.stdin is not None
        holder.stdin.close()  # the holder lets go
        out, err = publisher.communicate(timeout=120)
    assert publisher.returncode == 0, err
    assert "got the warehouse writer lock" in err
    assert out.strip().splitlines()[-1].endswith("figures.json")


def test_reading_a_publication_never_waits_for_the_writer(
    settings: Settings, tmp_path: Path
) -> None:
    ingest(settings, write_extract(tmp_path / "in", "2021-12-06", [crime("C1")]))
    figures_json = publish(settings).figures_json
    with lock_held(settings.lock_file):
        result = figures("verify", str(figures_json), warehouse=settings.warehouse)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"genuine: {figures_json}")
    assert "waiting" not in result.stderr


def test_a_killed_holder_leaves_no_stale_lock(settings: Settings, tmp_path: Path) -> None:
    ingest(settings, write_extract(tmp_path / "in", "2021-12-06", [crime("C1")]))
    with lock_held(settings.lock_file) as holder:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait()
        publisher = figures_process(settings.warehouse, "publish")
        out, err = publisher.communicate(timeout=120)
    assert publisher.returncode == 0, err
    assert "waiting" not in err
    assert out.strip().endswith("figures.json")


def test_a_nightly_run_and_a_backfill_started_together_both_finish(
    settings: Settings, tmp_path: Path
) -> None:
    load_monthly_extracts(settings, tmp_path / "in")
    write_extract(settings.landing, "2021-05-04", [crime("A1", recorded_date="2021-04-20")])
    backfill_args = ("--from", "2021-01", "--to", "2021-03", "--period-type", "month")
    processes = [
        figures_process(settings.warehouse, "run"),
        figures_process(settings.warehouse, "backfill", *backfill_args, "--as-of", "2021-04-02"),
    ]
    try:
        results = [process.communicate(timeout=300) for process in processes]
    finally:
        for process in processes:
            process.kill()
    for process, (_, err) in zip(processes, results, strict=True):
        assert process.returncode == 0, err
    waited = [
        (process, err)
        for process, (_, err) in zip(processes, results, strict=True)
        if "waiting for the warehouse writer lock" in err
    ]
    assert len(waited) == 1, "exactly one of the two should have waited for the other"
    second, err = waited[0]
    (first,) = [process for process in processes if process is not second]
    # The lock is held by the first command's worker (cli/supervisor.py): its own pid, its name.
    command = "run" if first is processes[0] else "backfill"
    assert re.search(rf"held by pid \d+ \(figures {command}, since ", err), err

    nightly = settings.published / "2021-05-04/statement-ytd-2021-04-vs-2019"
    assert (settings.published / "LATEST").read_text().strip() == str(
        nightly.relative_to(settings.published)
    )
    assert london_knife_crime(nightly / "figures.json") == 7  # J1, L1, L2, F1, M1, M2, A1
    backfilled = [
        london_knife_crime(
            settings.published / f"2021-04-02/statement-month-2021-0{m}-vs-2019/figures.json"
        )
        for m in (1, 2, 3)
    ]
    assert backfilled == [3, 1, 2]
