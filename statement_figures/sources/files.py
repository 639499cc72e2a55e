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
import gzip
import hashlib
import mmap
import os
import re
import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from statement_figures.config import Settings
from statement_figures.domain.errors import FiguresError
from statement_figures.warehouse import db

COMMA = ord(",")
SCAN_BYTES = 1 << 22


@dataclass(frozen=True)
class FileScan:
    """What one read of a file's bytes tells: its sha256, and for a plain CSV reader, how many
    commas it holds and whether it holds any quote character."""

    sha256: str
    commas: int
    quotes: bool


@dataclass(frozen=True)
class SourceFile:
    """A file given to a source, and what one read of its bytes told (FileScan)."""

    path: Path
    scan: FileScan

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


def archive(settings: Settings, source_file: SourceFile, *, landed: bool = False) -> Path:
    """Keep the raw file under its content hash; writing it twice changes nothing.

    A landed file (one the nightly job will clear from its landing folder once it is loaded)
    is archived as a hard link, which costs nothing: the archive then holds the only name
    left for it. Any other file is the user's, so it is copied (as it is when the archive is
    on another file system): copying a 700 MB file, and writing it back to disk, slows the
    rest of the ingest by seconds.
    """
    target = settings.archive / f"{source_file.sha256}-{source_file.name}"
    if not target.exists():
        settings.archive.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.partial")
        partial.unlink(missing_ok=True)
        try:
            if not (landed and _linked(source_file.path, partial)):
                shutil.copyfile(source_file.path, partial)
            os.replace(partial, target)
        except BaseException:  # a full disk, say: no partial copy is kept to fill it
            partial.unlink(missing_ok=True)
            raise
    return target


def _linked(source: Path, link: Path) -> bool:
    """Whether `link` could be made a hard link to `source` (not across file systems)."""
    try:
        os.link(source, link)
    except OSError:
        return False
    return True


def read_header(path: Path) -> list[str]:
    """The file's column names: the parquet schema, or the CSV's first line."""
    try:
        if path.name.endswith(".parquet"):
            return list(pq.read_schema(path).names)
        opener = gzip.open if path.name.endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8-sig", newline="") as handle:
            return next(csv.reader(handle), [])
    except (OSError, UnicodeDecodeError, csv.Error, pa.ArrowException) as error:
        raise FiguresError(str(error), location=path.name, rule="readable file") from None


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
        rows = pl.from_arrow(relation.to_arrow_table())
    except duckdb.Error as error:
        raise _read_error(source_file, error) from None
    assert isinstance(rows, pl.DataFrame)
    return rows


def read_rows(
    con: duckdb.DuckDBPyConnection, source_file: SourceFile, columns: list[str]
) -> pl.DataFrame:
    """The file's rows, every field as text (empty fields null), in columns named `columns`
    (the file's own, in its order), numbered from 1 in column file_row."""
    rows = _read_plain_csv(source_file, columns)
    if rows is None:
        rows = _read_with_duckdb(con, source_file, columns)
    return rows.with_row_index("file_row", offset=1).with_columns(pl.col("file_row").cast(pl.Int64))
