"""Faults of the machine, each as one line naming the path and the cause: a full disk, a
read-only or forbidden warehouse, a damaged database.

The operating system reports them as OSError (errno ENOSPC, EROFS, EACCES), DuckDB as an
exception whose text says the same; both become the same FiguresError here, so the command
line and the flows show one message whichever library hit the fault. No file content is ever
part of a message: only paths and a fixed description of the cause.
"""

from __future__ import annotations

import errno
import re
from pathlib import Path

import duckdb

from statement_figures.config import Settings
from statement_figures.domain.errors import FiguresError

REBUILD = "figures rebuild"
_QUOTED_PATH = re.compile(r'"(/[^"]+)"')
_DAMAGED = (
    "corrupt database file",
    "not a valid duckdb database file",
    "checksum",
    "database has been invalidated",
)
_ABORTED = "please rollback"


def _folder(path: Path) -> Path:
    """The folder a file was being written in, past hidden work folders (`.staging-*`) and
    hidden partial files, which are removed when a write fails."""
    folder = path.parent
    while folder.name.startswith(".") and folder != folder.parent:
        folder = folder.parent
    return folder


def no_space(folder: Path) -> FiguresError:
    return FiguresError(
        "free some space there and run the command again (nothing half-written was kept)",
        location=f"no space left on {folder}",
    )


def read_only(settings: Settings, path: Path) -> FiguresError:
    return FiguresError(
        f"{path} cannot be written: make the warehouse writable (or give --warehouse a "
        "writable one) and run the command again; nothing was changed",
        location=f"warehouse {settings.warehouse} is read-only",
    )


def forbidden(path: Path) -> FiguresError:
    return FiguresError(
        "this user may not write or read it: fix its owner or mode and run the command again; "
        "nothing was changed",
        location=f"permission denied on {path}",
    )


def damaged(settings: Settings) -> FiguresError:
    return FiguresError(
        f"{settings.database} is damaged (a block of it does not read back as written); the "
        f"archive keeps every raw file: run `{REBUILD}` to build a new database from it (the "
        "damaged one is kept aside, never deleted)"
    )


def _errno_fault(code: int | None, path: Path | None, settings: Settings) -> FiguresError | None:
    """The fault for an errno, naming the file being written (the warehouse when the library
    did not say which file)."""
    if code == errno.ENOSPC:
        return no_space(_folder(path) if path else settings.warehouse)
    if code == errno.EROFS:
        return read_only(settings, path or settings.warehouse)
    if code == errno.EACCES:
        return forbidden(path or settings.warehouse)
    return None


def os_fault(error: OSError, settings: Settings) -> FiguresError | None:
    """The one line for a full disk, a read-only file system or a forbidden path; None for any
    other OSError. The path is the file being written (a copy's target), else the warehouse;
    the cause its errno, else (pyarrow gives none) the words of its message."""
    named = error.filename2 if error.filename2 is not None else error.filename
    code = error.errno if error.errno is not None else _cause(str(error))
    return _errno_fault(code, Path(str(named)) if named is not None else None, settings)


def _cause(text: str) -> int | None:
    """The errno a DuckDB message describes in words."""
    lowered = text.lower()
    if "no space left on device" in lowered:
        return errno.ENOSPC
    if "read-only file system" in lowered:
        return errno.EROFS
    if "permission denied" in lowered:
        return errno.EACCES
    return None


def duckdb_fault(error: duckdb.Error, settings: Settings) -> FiguresError | None:
    """The one line for a DuckDB error caused by the machine or a damaged file; None for any
    other (a bug of ours, to be shown as one)."""
    text = str(error)
    lowered = text.lower()
    if any(sign in lowered for sign in _DAMAGED):
        return damaged(settings)
    quoted = _QUOTED_PATH.search(text)
    path = Path(quoted.group(1)) if quoted else settings.database
    fault = _errno_fault(_cause(text), path, settings)
    if fault is None and _ABORTED in lowered:  # an earlier statement failed: nothing was kept
        return FiguresError(
            "a write failed and was rolled back, so nothing of it was kept: run the command "
            "again (free some space first if the disk is full)",
            location=str(settings.database),
        )
    return fault
