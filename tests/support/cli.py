"""The `figures` command line run in this process, with what it printed."""

from __future__ import annotations

from pathlib import Path

import pytest

from statement_figures.cli import main


def run(warehouse: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """`figures --warehouse WAREHOUSE -q ARGS...`: its exit code, stdout and stderr."""
    code = main(["--warehouse", str(warehouse), "-q", *args])
    out, err = capsys.readouterr()
    return code, out, err
