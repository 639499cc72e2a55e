"""Real faults for the tests: a small tmpfs that fills up, a read-only bind mount, a database
with a damaged block. They need root (CI runs as root): without it a test fails, saying why."""

from __future__ import annotations

import os
import random
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def _mount(*args: str) -> None:
    done = subprocess.run(["mount", *args], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.fail(
            f"`mount {' '.join(args)}` failed ({done.stderr.strip()}): the fault tests need "
            "root to make a real full disk or read-only file system",
            pytrace=False,
        )


@contextmanager
def tmpfs(folder: Path, size_kib: int) -> Iterator[Path]:
    """A tmpfs of `size_kib` KiB mounted on folder, unmounted afterwards."""
    folder.mkdir(parents=True, exist_ok=True)
    _mount("-t", "tmpfs", "-o", f"size={size_kib}k", "tmpfs", str(folder))
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def resize(folder: Path, size_kib: int) -> None:
    """Grow (or shrink, to no less than what it holds) the tmpfs on folder."""
    _mount("-o", f"remount,size={size_kib}k", str(folder))


def used_kib(folder: Path) -> int:
    stats = os.statvfs(folder)
    return (stats.f_blocks - stats.f_bfree) * stats.f_frsize // 1024


@contextmanager
def read_only(folder: Path, view: Path) -> Iterator[Path]:
    """folder seen read-only at view (a read-only bind mount: root ignores file modes)."""
    view.mkdir(parents=True, exist_ok=True)
    _mount("--bind", str(folder), str(view))
    try:
        _mount("-o", "remount,bind,ro", str(view))
        yield view
    finally:
        subprocess.run(["umount", "-l", str(view)], check=False)


def damage(database: Path) -> None:
    """Overwrite the middle half of a DuckDB file with garbage, as a bad disk would."""
    size = database.stat().st_size
    with database.open("r+b") as handle:
        handle.seek(size // 4)
        handle.write(random.Random(0).randbytes(size // 2))
