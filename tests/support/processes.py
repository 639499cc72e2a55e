"""The `figures` command line in real processes, with no Prefect server configured."""

from __future__ import annotations

import os
import subprocess
import sys
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
