"""Each fault of the machine or the file as one line naming the path and the cause.

A full disk, a read-only file system and a damaged block are made for real in
tests/cli/test_faults.py and tests/cli/test_rebuild.py; here, how each errno and each of
DuckDB's wordings maps to its line (a permission refused cannot be made real as root)."""

from __future__ import annotations

import errno
from pathlib import Path

import duckdb
import pytest

from statement_figures.config import Settings
from statement_figures.warehouse.faults import duckdb_fault, os_fault

pytestmark = pytest.mark.fault  # the fault suite: `pytest -m fault`


@pytest.fixture
def wh() -> Settings:
    return Settings(warehouse=Path("/data/wh"))


def test_a_permission_refused_names_the_path(wh: Settings) -> None:
    fault = os_fault(PermissionError(errno.EACCES, "Permission denied", "/data/wh/tmp"), wh)
    assert str(fault) == (
        "permission denied on /data/wh/tmp: this user may not write or read it: fix its owner "
        "or mode and run the command again; nothing was changed"
    )


def test_a_full_disk_names_the_folder_of_the_copy_not_its_hidden_partial_file(
    wh: Settings,
) -> None:
    error = OSError(errno.ENOSPC, "No space left on device", "/in/crimes.csv", None)
    error.filename2 = "/data/wh/archive/.abc-crimes.csv.partial"
    assert str(os_fault(error, wh)).startswith("no space left on /data/wh/archive: ")
    staged = OSError(errno.ENOSPC, "No space left", "/data/wh/published/d/.staging-x/a.parquet")
    assert str(os_fault(staged, wh)).startswith("no space left on /data/wh/published/d: ")


def test_an_oserror_without_errno_is_told_by_its_words_and_others_are_left_alone(
    wh: Settings,
) -> None:
    pyarrow_like = OSError("Error writing bytes to file. Detail: No space left on device")
    assert str(os_fault(pyarrow_like, wh)).startswith("no space left on /data/wh: ")
    assert os_fault(FileNotFoundError(errno.ENOENT, "No such file", "/x"), wh) is None
    assert os_fault(BrokenPipeError(errno.EPIPE, "Broken pipe"), wh) is None


@pytest.mark.parametrize(
    ("error", "start"),
    [
        (
            duckdb.TransactionException(
                "TransactionContext Error: Failed to commit: Could not write file "
                '"/data/wh/figures.duckdb.wal": No space left on device'
            ),
            "no space left on /data/wh: ",
        ),
        (
            duckdb.IOException(
                'IO Error: Cannot open file "/data/wh/figures.duckdb": Read-only file system'
            ),
            "warehouse /data/wh is read-only: /data/wh/figures.duckdb cannot be written",
        ),
        (
            duckdb.IOException(
                'IO Error: Cannot open file "/data/wh/figures.duckdb": Permission denied'
            ),
            "permission denied on /data/wh/figures.duckdb: ",
        ),
        (
            duckdb.Error(
                "Corrupt database file: computed checksum 1 does not match stored "
                "checksum 2 in block at location 1060864"
            ),
            "/data/wh/figures.duckdb is damaged (a block of it does not read back as written)",
        ),
        (
            duckdb.IOException(
                'IO Error: The file "/data/wh/figures.duckdb" exists, but it '
                "is not a valid DuckDB database file!"
            ),
            "/data/wh/figures.duckdb is damaged",
        ),
        (
            duckdb.TransactionException(
                "TransactionContext Error: Current transaction is aborted (please ROLLBACK)"
            ),
            "/data/wh/figures.duckdb: a write failed and was rolled back, so nothing of it was "
            "kept",
        ),
    ],
)
def test_each_duckdb_wording_of_a_fault_is_its_one_line(
    wh: Settings, error: duckdb.Error, start: str
) -> None:
    fault = duckdb_fault(error, wh)
    assert fault is not None
    assert str(fault).startswith(start)
    assert "\n" not in str(fault)


def test_a_duckdb_error_of_ours_is_left_alone(wh: Settings) -> None:
    assert duckdb_fault(duckdb.BinderException('Referenced column "x" not found'), wh) is None
