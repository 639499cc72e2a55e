"""Files as the sources receive them: one read that hashes a file (and counts what a plain CSV
reader needs to know), the archive that keeps every raw file under its content hash, and
reading a file's rows as text.

Each file is read whole into a polars frame of text fields (a field is only typed once pandera
has accepted it, so that a bad value is quarantined rather than failing the load). polars reads
a plain CSV; DuckDB's strict reader takes any other file (quotes, blank lines, short rows,
.csv.gz, parquet), so that its errors name the row.
"""

from __future__ import annotations

import csv
import errno
import gzip
import hashlib
import io
import mmap
import os
import re
import stat
import zlib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeVar

import duckdb
import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from statement_figures.config import DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_ROWS, Settings
from statement_figures.domain.errors import FiguresError
from statement_figures.warehouse import db
from statement_figures.warehouse.faults import no_space

COMMA = ord(",")
SCAN_BYTES = 1 << 22
COPY_BYTES = 1 << 23  # archive: copied and hashed 8 MiB at a time
HEADER_CHARS = 1 << 20  # a header is read within the first MiB of text
PRIVATE = 0o600
_READ_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK
_CREATE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
COPY_RANGE_BYTES = 1 << 30
# copy_file_range refuses across some file systems and kernels: then the copy goes through here.
KERNEL_COPY_UNSUPPORTED = {errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.EBADF}


@dataclass(frozen=True)
class FileScan:
    """What one read of a file's bytes tells: its sha256, and for a plain CSV reader, how many
    commas it holds and whether it holds any quote character."""

    sha256: str
    commas: int
    quotes: bool


@dataclass(frozen=True)
class ReadLimits:
    """The most one file may hold: bytes of data (uncompressed) and rows."""

    max_bytes: int = DEFAULT_MAX_FILE_BYTES
    max_rows: int = DEFAULT_MAX_ROWS

    @classmethod
    def of(cls, settings: Settings) -> ReadLimits:
        return cls(settings.max_file_bytes, settings.max_rows)


@dataclass(frozen=True)
class SourceFile:
    """A file given to a source, what one read of its bytes told (FileScan), and the limits
    reading its rows keeps to (the warehouse's, once archive has returned it)."""

    path: Path
    scan: FileScan
    limits: ReadLimits = field(default=ReadLimits(), kw_only=True)

    @classmethod
    def read(cls, path: Path) -> SourceFile:
        return cls(path.resolve(), scan_file(path))

    @property
    def sha256(self) -> str:
        return self.scan.sha256

    @property
    def name(self) -> str:
        """The file's name, without the `<sha256>-` the archive gives it (archive)."""
        own_hash = f"{self.sha256}-"
        name = self.path.name
        return name.removeprefix(own_hash)


S = TypeVar("S", bound=SourceFile)


def scan_file(path: Path) -> FileScan:
    """Hash the file, counting its commas and looking for quotes in the same pass.

    The file is mapped into memory once; a second thread hashes it while this one counts
    (hashlib and numpy both let go of the interpreter's lock on large buffers).
    """
    with path.open("rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        if size == 0:
            return FileScan(hashlib.sha256().hexdigest(), 0, False)
        populate = getattr(mmap, "MAP_POPULATE", 0)  # Linux: map every page in one call
        with (
            mmap.mmap(
                handle.fileno(), 0, flags=mmap.MAP_SHARED | populate, prot=mmap.PROT_READ
            ) as data,
            ThreadPoolExecutor(1) as hasher,
        ):
            digest = hasher.submit(lambda: hashlib.sha256(data).hexdigest())
            commas = _count(data, COMMA)
            quotes = data.find(b'"') >= 0
            return FileScan(digest.result(), commas, quotes)


def _count(data: mmap.mmap, byte: int) -> int:
    """How often the byte occurs in the data, counted by numpy a few megabytes at a time."""
    total = 0
    for at in range(0, len(data), SCAN_BYTES):
        chunk = np.frombuffer(data, np.uint8, min(SCAN_BYTES, len(data) - at), at)
        total += int(np.count_nonzero(chunk == byte))
    return total


def _archive_path(settings: Settings, source_file: SourceFile) -> Path:
    return settings.archive / f"{source_file.sha256}-{source_file.name}"


def archive(settings: Settings, source_file: S) -> S:
    """Keep the raw file under its content hash, and return it as archived: the copy its rows
    are read from (with the warehouse's limits on reading), so that what is loaded is exactly
    what is archived and signed. Archiving a file twice changes nothing.

    The archive is an immutable private copy, never a link to the file given: a new file
    (mode 0600, or stricter when the original is), written as a hidden `.partial` in one read
    of the original that copies and hashes it, synced to disk, and renamed into place only when
    its sha256 is the one the scan found. An archived copy already there is trusted only once
    its content is verified against the sha256 in its name.
    """
    target = _archive_path(settings, source_file)
    if os.path.lexists(target):
        _verify_archived(settings, target, source_file.sha256)
    else:
        _copy_into_archive(source_file, target)
    return replace(source_file, path=target, limits=ReadLimits.of(settings))


@contextmanager
def archived(settings: Settings, source_file: S) -> Iterator[S]:
    """The file as archived (archive), for a block that loads it: when the block fails, a copy
    this call made is removed again (one that was there before stays), so a refused file leaves
    the archive as it was."""
    existed = os.path.lexists(_archive_path(settings, source_file))
    copy = archive(settings, source_file)
    try:
        yield copy
    except BaseException:
        if not existed:
            copy.path.unlink(missing_ok=True)
        raise


def _copy_into_archive(source_file: SourceFile, target: Path) -> None:
    """Copy the file to `target` through a `.partial` that no failure leaves behind."""
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)  # left by a crash: never renamed, so never trusted
    try:
        if _copy_hashing(source_file.path, partial) != source_file.sha256:
            raise FiguresError(
                "changed while it was being read: not loaded", location=source_file.name
            )
        os.replace(partial, target)
        _sync_folder(target.parent)
    except OSError as error:
        raise _archive_error(source_file, target.parent, error) from None
    finally:
        partial.unlink(missing_ok=True)


def _archive_error(source_file: SourceFile, folder: Path, error: OSError) -> FiguresError:
    """An operating system error while archiving, as one line naming the cause."""
    if error.errno == errno.ENOSPC:
        return no_space(folder)
    if error.errno == errno.ELOOP:
        return FiguresError("is a symbolic link: not followed", location=source_file.name)
    return FiguresError(f"cannot archive it: {error.strerror}", location=source_file.name)


def _copy_hashing(source: Path, partial: Path) -> str:
    """Copy the regular file `source` to the new file `partial` (never through a link), synced
    to disk; return the sha256 of the bytes copied."""
    src = os.open(source, _READ_FLAGS)
    try:
        status = os.fstat(src)
        if not stat.S_ISREG(status.st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        mode = PRIVATE & status.st_mode | stat.S_IRUSR
        dst = os.open(partial, _CREATE_FLAGS, mode)
        try:
            os.fchmod(dst, mode)  # whatever the umask
            os.posix_fadvise(src, 0, 0, os.POSIX_FADV_SEQUENTIAL)
            sha256 = _hash_of_copy(partial) if _kernel_copy(src, dst) else _hash_chunks(src, dst)
            os.fsync(dst)
        finally:
            os.close(dst)
    finally:
        os.close(src)
    return sha256


def _kernel_copy(src: int, dst: int) -> bool:
    """Copy all of src to the empty dst inside the kernel (copy_file_range: no pass through
    this process, and a copy-on-write clone where the file system can); False, with nothing
    written, where the system cannot."""
    copied = 0
    try:
        while step := os.copy_file_range(src, dst, COPY_RANGE_BYTES, copied, copied):
            copied += step
    except OSError as error:
        if copied or error.errno not in KERNEL_COPY_UNSUPPORTED:
            raise
        return False
    return True


def _hash_of_copy(partial: Path) -> str:
    """The sha256 of the copy as written: what is archived is what is verified."""
    fd = os.open(partial, _READ_FLAGS)
    try:
        return _hash_chunks(fd)
    finally:
        os.close(fd)


def _hash_chunks(src: int, dst: int | None = None) -> str:
    """The sha256 of what is read from `src`, copying it to `dst` on the way when one is given.

    A second thread hashes each chunk while this one writes it and reads the next (hashlib and
    the operating system calls let go of the interpreter's lock).
    """
    digest = hashlib.sha256()
    with ThreadPoolExecutor(1) as hasher:
        chunk = os.read(src, COPY_BYTES)
        while chunk:
            hashed = hasher.submit(digest.update, chunk)
            if dst is not None:
                _write_all(dst, chunk)
            chunk = os.read(src, COPY_BYTES)
            hashed.result()
    return digest.hexdigest()


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _sync_folder(folder: Path) -> None:
    """Make a rename in the folder durable."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _verify_archived(settings: Settings, target: Path, sha256: str) -> None:
    """Refuse an archived copy whose content is not the sha256 in its name (or that is not a
    regular file); it is left as it is, for whoever looks into it."""
    try:
        fd = os.open(target, _READ_FLAGS)
        try:
            regular = stat.S_ISREG(os.fstat(fd).st_mode)
            intact = regular and _hash_chunks(fd) == sha256
        finally:
            os.close(fd)
    except OSError:
        intact = False
    if not intact:
        raise FiguresError(
            "the archived copy does not match the sha256 in its name: it was changed after it "
            "was archived; it is left as it is, and nothing was loaded",
            location=str(target.relative_to(settings.warehouse)),
            rule="archive integrity",
        )


def read_header(file: Path | SourceFile) -> list[str]:
    """The file's column names: the parquet schema, or the CSV's first line (read within its
    first HEADER_CHARS characters, so a file of one endless line is not read whole)."""
    path, name = (file.path, file.name) if isinstance(file, SourceFile) else (file, file.name)
    try:
        if path.name.endswith(".parquet"):
            return list(pq.read_schema(path).names)
        opener = gzip.open if path.name.endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8-sig", newline="") as handle:
            return next(csv.reader(io.StringIO(handle.read(HEADER_CHARS))), [])
    except (OSError, EOFError, UnicodeDecodeError, csv.Error, pa.ArrowException) as error:
        raise _unreadable(name, error) from None


def _unreadable(name: str, error: Exception) -> FiguresError:
    return FiguresError(str(error), location=name, rule="readable file")


def _refuse_bytes(source_file: SourceFile, size: int) -> None:
    limit = source_file.limits.max_bytes
    _refuse_over(source_file, size, limit, "bytes of data", "FILE_BYTES", "file size")


def _refuse_rows(source_file: SourceFile, rows: int) -> None:
    _refuse_over(source_file, rows, source_file.limits.max_rows, "rows", "ROWS", "rows per file")


def _refuse_over(
    source_file: SourceFile, found: int, limit: int, what: str, knob: str, rule: str
) -> None:
    """Refuse a file holding more than `limit` of `what`, naming the variable FIGURES_MAX_<knob>
    that sets the limit."""
    if found > limit:
        raise FiguresError(
            f"holds more than {limit:,} {what} (FIGURES_MAX_{knob}): not loaded",
            location=source_file.name,
            rule=rule,
        )


def _gunzipped_bytes(source_file: SourceFile) -> int:
    """How many bytes the .gz file decompresses to, counted as it decompresses and no further
    than one chunk past the limit (a small file may expand a thousandfold)."""
    total = 0
    try:
        with gzip.open(source_file.path, "rb") as handle:
            while total <= source_file.limits.max_bytes:
                chunk = handle.read(COPY_BYTES)
                if not chunk:
                    break
                total += len(chunk)
    except (OSError, EOFError, zlib.error) as error:
        raise _unreadable(source_file.name, error) from None
    return total


def _check_bounds(source_file: SourceFile) -> None:
    """Refuse, before its rows are read, a file holding more data than the limits allow: a
    parquet file by its metadata (rows, and bytes uncompressed), a .csv.gz by decompressing it
    through a counter, a CSV file by its size."""
    path = source_file.path
    if path.name.endswith(".parquet"):
        try:
            metadata = pq.read_metadata(path)
        except (OSError, pa.ArrowException) as error:
            raise _unreadable(source_file.name, error) from None
        _refuse_rows(source_file, metadata.num_rows)
        groups = range(metadata.num_row_groups)
        _refuse_bytes(source_file, sum(metadata.row_group(i).total_byte_size for i in groups))
    elif path.name.endswith(".gz"):
        _refuse_bytes(source_file, _gunzipped_bytes(source_file))
    else:
        _refuse_bytes(source_file, path.stat().st_size)


def _read_error(source_file: SourceFile, error: duckdb.Error) -> FiguresError:
    """DuckDB's many-line CSV error as one line naming the row."""
    text = str(error)
    line = re.search(r"CSV Error on Line: (\d+)", text)
    found = re.search(r"Expected Number of Columns: (\d+) Found: (\d+)", text)
    if line and found:
        row = int(line.group(1)) - 1
        message = f"row {row}: expected {found.group(1)} fields, found {found.group(2)}"
    else:
        message = text.strip().splitlines()[0]
    return FiguresError(message, location=source_file.name, rule="well-formed CSV")


def _read_plain_csv(source_file: SourceFile, columns: list[str]) -> pl.DataFrame | None:
    """The rows of a CSV file that holds no quote character, read by polars; None for any
    other file, or one polars cannot read.

    polars refuses a row with too many fields but would read a short row as empty fields.
    With no quotes every comma separates two fields, so a file whose commas number exactly
    (columns - 1) per line, header included, has no short row either.
    """
    if source_file.scan.quotes or not source_file.name.endswith(".csv"):
        return None
    try:
        rows = pl.read_csv(
            source_file.path,
            infer_schema=False,
            new_columns=columns,
            quote_char=None,
            raise_if_empty=False,
            n_rows=source_file.limits.max_rows + 1,
        )
    except (pl.exceptions.PolarsError, OSError):
        return None
    if source_file.scan.commas != (rows.height + 1) * (len(columns) - 1):
        return None
    return rows


def _read_with_duckdb(
    con: duckdb.DuckDBPyConnection, source_file: SourceFile, columns: list[str]
) -> pl.DataFrame:
    """The rows of any readable file, by DuckDB's strict CSV reader (or its parquet reader)."""
    try:
        if source_file.name.endswith(".parquet"):
            relation = con.sql(
                db.sql("staging/read_parquet"), params={"path": str(source_file.path)}
            )
        else:
            params = {"path": str(source_file.path), "columns": dict.fromkeys(columns, "VARCHAR")}
            relation = con.sql(db.sql("staging/read_csv"), params=params)
        # one row past the limit is enough to refuse a file (read_rows)
        rows = pl.from_arrow(relation.limit(source_file.limits.max_rows + 1).to_arrow_table())
    except duckdb.Error as error:
        raise _read_error(source_file, error) from None
    assert isinstance(rows, pl.DataFrame)
    return rows


def read_rows(
    con: duckdb.DuckDBPyConnection, source_file: SourceFile, columns: list[str]
) -> pl.DataFrame:
    """The file's rows, every field as text (empty fields null), in columns named `columns`
    (the file's own, in its order), numbered from 1 in column file_row.

    A file holding more bytes of data or more rows than its limits allow (ReadLimits) is
    refused in one line, reading no more of it than it takes to know.
    """
    _check_bounds(source_file)
    rows = _read_plain_csv(source_file, columns)
    if rows is None:
        rows = _read_with_duckdb(con, source_file, columns)
    _refuse_rows(source_file, rows.height)
    return rows.with_row_index("file_row", offset=1).with_columns(pl.col("file_row").cast(pl.Int64))
