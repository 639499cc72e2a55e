"""The `figures` command line in real processes, with no Prefect server configured."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path


def command(warehouse: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "statement_figures", "--warehouse", str(warehouse), *args]


def environment() -> dict[str, str]:
    """This environment without PREFECT_* settings: a temporary local server each run."""
    return {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}


def figures(
    *args: str, warehouse: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `figures --warehouse WAREHOUSE ARGS...` to the end (with `env` added to the
    environment)."""
    return subprocess.run(
        command(warehouse, *args),
        capture_output=True,
        text=True,
        env=environment() | (env or {}),
        timeout=300,
        check=False,
    )


def figures_process(
    warehouse: Path, *args: str, own_session: bool = False
) -> subprocess.Popen[str]:
    """Start `figures --warehouse WAREHOUSE ARGS...`; stdout and stderr are pipes.

    With own_session, it leads its own process group, so one killpg reaches its children too.
    """
    return subprocess.Popen(
        command(warehouse, *args),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment(),
        start_new_session=own_session,
    )


def alive_in_session(sid: int) -> list[str]:
    """The processes of session `sid` that are alive (not zombies), as "pid (command)"."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        state, _ppid, _pgrp, session = text.rsplit(")", 1)[1].split()[:4]
        if int(session) == sid and state != "Z":
            found.append(f"{stat.parent.name} {text.split(' ', 2)[1]}")
    return found


def wait_for_session_end(sid: int, seconds: float = 5) -> None:
    """Wait until no process of session `sid` is alive: a killed `figures` command's worker and
    Prefect server die a moment after it; fail naming any that outlive `seconds`."""
    deadline = time.monotonic() + seconds
    while alive_in_session(sid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert alive_in_session(sid) == []
