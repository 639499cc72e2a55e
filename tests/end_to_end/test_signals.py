"""Signals: `figures run` stopped by SIGTERM or SIGINT, or its supervisor killed with SIGKILL.

Each signal is sent while the run validates (timed by the line it logs, never by a sleep) to
the process the caller started, the supervisor, only. Afterwards no process of the run's
session is alive (its worker, the guard and Prefect's temporary server included), and the
caller's pipes reach EOF at once: nothing is left holding them.
"""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.end_to_end.test_crash_safety import PUBLICATION, uninterrupted_figures
from tests.support.processes import (
    alive_in_session,
    figures,
    figures_process,
    wait_for_session_end,
)

pytestmark = pytest.mark.fault  # the fault suite: `pytest -m fault`

STOPPED = "the run was stopped; the warehouse and published folders keep their last complete state"
EOF_SECONDS = 30  # the pipes must close well within this once the signal is sent


@contextmanager
def started_run(warehouse: Path) -> Iterator[subprocess.Popen[str]]:
    """`figures run --sample` in its own session, once it logs that it validates the sample."""
    process = figures_process(warehouse, "run", "--sample", own_session=True)
    try:
        assert process.stderr is not None
        for line in process.stderr:
            if "crimes_2021-12-06.csv: validating" in line:
                break
        else:
            raise AssertionError("figures run --sample never validated the sample")
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def rest_of_output(process: subprocess.Popen[str]) -> str:
    """What it writes to stderr from now to EOF, which must come within EOF_SECONDS."""
    _, err = process.communicate(timeout=EOF_SECONDS)
    return err


def assert_nothing_left(sid: int) -> None:
    with pytest.raises(ProcessLookupError):
        os.killpg(sid, 0)  # the supervisor's own group
    wait_for_session_end(sid)


@pytest.mark.parametrize(
    ("sig", "code", "kind"),
    [(signal.SIGTERM, 143, "terminated"), (signal.SIGINT, 130, "interrupted")],
)
def test_a_stop_signal_ends_the_run_with_one_line_and_leaves_no_process(
    tmp_path: Path, sig: signal.Signals, code: int, kind: str
) -> None:
    with started_run(tmp_path / "warehouse") as process:
        assert len(alive_in_session(process.pid)) >= 4  # supervisor, guard, worker, server
        process.send_signal(sig)
        err = rest_of_output(process)
        assert process.returncode == code
        lines = err.strip().splitlines()
        assert lines[-1] == f"figures: {kind} ({sig.name}): {STOPPED}"
        assert [line for line in lines if line.startswith("figures:")] == lines[-1:]
        assert "Traceback" not in err
        assert_nothing_left(process.pid)


def test_a_supervisor_killed_with_sigkill_leaves_no_process_and_the_next_run_publishes(
    tmp_path: Path,
) -> None:
    expected = uninterrupted_figures(tmp_path)

    warehouse = tmp_path / "warehouse"
    with started_run(warehouse) as process:
        process.kill()  # the supervisor only: its worker and their server must follow
        rest_of_output(process)
        assert process.returncode == -signal.SIGKILL
        assert_nothing_left(process.pid)

    run = figures("run", warehouse=warehouse)  # the sample is still waiting in landing
    assert run.returncode == 0, run.stderr
    assert (warehouse / PUBLICATION / "figures.json").read_bytes() == expected
