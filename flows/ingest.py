"""Ingest incident extracts: archive each file by content hash, stage, validate, load.

An extract is a pair of files with one as-of date, `crimes_YYYY-MM-DD.*` and
`victims_YYYY-MM-DD.*` (.csv, .csv.gz or .parquet). A pair is loaded in one transaction:
the warehouse holds all of it or, after any failure or crash, none of it.

Each file is read whole into a polars frame of text fields (a field is only typed once pandera
has accepted it, so that a bad value is quarantined rather than failing the load), checked with
its pandera model, and its accepted rows are typed as their table stores them (the schema's
STORED expressions) and inserted from that frame.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import hashlib
import logging
import mmap
import os
import re
import shutil
import time
from collections import defaultdict
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from flows import db
from flows.build import update_counts
from flows.errors import FiguresError
from flows.settings import Settings
from flows.validate import Progress, repeated_keys, validate_rows, with_key_count
from schemas import crimes, victims

if TYPE_CHECKING:
    from flows.dashboard import DashboardResult

log = logging.getLogger(__name__)

INCIDENTS = "incidents"
NAME_PATTERN = re.compile(r"^(crimes|victims)_(\d{4}-\d{2}-\d{2})\.(csv|csv\.gz|parquet)$")
COLUMNS: dict[str, tuple[str, ...]] = {
    "crimes": (
        "crime_ref",
        "recorded_date",
        "offence_group",
        "knife_flag",
        "domestic_abuse",
        "borough_code",
        "status",
    ),
    "victims": ("crime_ref", "victim_ref", "age", "injured"),
}
MODELS = {"crimes": crimes.Crimes, "victims": victims.Victims}
DERIVED = {"crimes": crimes.DERIVED, "victims": victims.DERIVED}
STORED = {"crimes": crimes.STORED, "victims": victims.STORED}
# Each kind's key, unique within a file, and the column that tells its model how often it occurs.
KEYS: dict[str, tuple[str, ...]] = {
    "crimes": ("crime_ref",),
    "victims": ("crime_ref", "victim_ref"),
}
KEY_COUNTS = {"crimes": "crime_ref_count", "victims": "victim_key_count"}
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
class ExtractFile:
    path: Path
    kind: str
    extract_date: dt.date
    scan: FileScan

    @property
    def sha256(self) -> str:
        return self.scan.sha256

    @property
    def name(self) -> str:
        return self.path.name


@dataclass
class IngestResult:
    extract_date: dt.date
    files: tuple[str, ...]
    already_loaded: bool = False
    rows: dict[str, int] = field(default_factory=dict)
    rejects: pl.DataFrame | None = None
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def rejected(self) -> int:
        """Rows rejected (a row may break several rules)."""
        if self.rejects is None:
            return 0
        return self.rejects.select("kind", "file_row").unique().height

    @property
    def problems(self) -> int:
        """Rule breaches found: one per rejected value."""
        return 0 if self.rejects is None else self.rejects.height


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


def identify(path: Path) -> ExtractFile:
    """Which file of which extract this is, from its name; refuses anything else."""
    if not path.is_file():
        raise FiguresError("no such file", location=str(path))
    match = NAME_PATTERN.match(path.name)
    if not match:
        raise FiguresError(
            "the name must be crimes_YYYY-MM-DD or victims_YYYY-MM-DD "
            "with .csv, .csv.gz or .parquet",
            location=str(path),
            rule="file name",
        )
    kind, date_text, _ = match.groups()
    try:
        extract_date = dt.date.fromisoformat(date_text)
    except ValueError:
        raise FiguresError(
            f"{date_text} is not a date", location=str(path), rule="file name"
        ) from None
    return ExtractFile(path.resolve(), kind, extract_date, scan_file(path))


def archive(settings: Settings, extract_file: ExtractFile, *, landed: bool = False) -> Path:
    """Keep the raw file under its content hash; writing it twice changes nothing.

    A landed file (one the nightly job will clear from its landing folder once it is loaded)
    is archived as a hard link, which costs nothing: the archive then holds the only name
    left for it. Any other file is the user's, so it is copied (as it is when the archive is
    on another file system): copying a 700 MB file, and writing it back to disk, slows the
    rest of the ingest by seconds.
    """
    target = settings.archive / f"{extract_file.sha256}-{extract_file.name}"
    if not target.exists():
        settings.archive.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.partial")
        partial.unlink(missing_ok=True)
        if not (landed and _linked(extract_file.path, partial)):
            shutil.copyfile(extract_file.path, partial)
        os.replace(partial, target)
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


def _check_columns(extract_file: ExtractFile, columns: list[str]) -> None:
    expected = COLUMNS[extract_file.kind]
    missing = [c for c in expected if c not in columns]
    unexpected = [c for c in columns if c not in expected]
    if missing or unexpected:
        problems = []
        if missing:
            problems.append("missing column(s) " + ", ".join(missing))
        if unexpected:
            problems.append("unexpected column(s) " + ", ".join(unexpected))
        raise FiguresError(
            "; ".join(problems) + f" (the {extract_file.kind} file has: {', '.join(expected)})",
            location=extract_file.name,
            rule="columns",
        )


def _read_error(extract_file: ExtractFile, error: duckdb.Error) -> FiguresError:
    """DuckDB's many-line CSV error as one line naming the row."""
    text = str(error)
    line = re.search(r"CSV Error on Line: (\d+)", text)
    found = re.search(r"Expected Number of Columns: (\d+) Found: (\d+)", text)
    if line and found:
        row = int(line.group(1)) - 1
        message = f"row {row}: expected {found.group(1)} fields, found {found.group(2)}"
    else:
        message = text.strip().splitlines()[0]
    return FiguresError(message, location=extract_file.name, rule="well-formed CSV")


def _read_plain_csv(extract_file: ExtractFile, columns: list[str]) -> pl.DataFrame | None:
    """The rows of a CSV file that holds no quote character, read by polars; None for any
    other file, or one polars cannot read.

    polars refuses a row with too many fields but would read a short row as empty fields.
    With no quotes every comma separates two fields, so a file whose commas number exactly
    (columns - 1) per line, header included, has no short row either.
    """
    if extract_file.scan.quotes or not extract_file.name.endswith(".csv"):
        return None
    try:
        rows = pl.read_csv(
            extract_file.path,
            infer_schema=False,
            new_columns=columns,
            quote_char=None,
            raise_if_empty=False,
        )
    except (pl.exceptions.PolarsError, OSError):
        return None
    if extract_file.scan.commas != (rows.height + 1) * (len(columns) - 1):
        return None
    return rows


def _read_with_duckdb(
    con: duckdb.DuckDBPyConnection, extract_file: ExtractFile, columns: list[str]
) -> pl.DataFrame:
    """The rows of any readable file, by DuckDB's strict CSV reader (or its parquet reader)."""
    try:
        if extract_file.name.endswith(".parquet"):
            relation = con.sql(db.sql("read_parquet"), params={"path": str(extract_file.path)})
        else:
            params = {"path": str(extract_file.path), "columns": dict.fromkeys(columns, "VARCHAR")}
            relation = con.sql(db.sql("read_csv"), params=params)
        rows = pl.from_arrow(relation.to_arrow_table())
    except duckdb.Error as error:
        raise _read_error(extract_file, error) from None
    assert isinstance(rows, pl.DataFrame)
    return rows


def read_rows(
    con: duckdb.DuckDBPyConnection, extract_file: ExtractFile, columns: list[str]
) -> pl.DataFrame:
    """The file's rows, every field as text (empty fields null), in columns named `columns`
    (the file's own, in its order), numbered from 1 in column file_row."""
    rows = _read_plain_csv(extract_file, columns)
    if rows is None:
        rows = _read_with_duckdb(con, extract_file, columns)
    return rows.with_row_index("file_row", offset=1).with_columns(pl.col("file_row").cast(pl.Int64))


def _read_checked(con: duckdb.DuckDBPyConnection, extract_file: ExtractFile) -> pl.DataFrame:
    """The file's rows (read_rows), after checking its columns."""
    columns = read_header(extract_file.path)
    _check_columns(extract_file, columns)
    return read_rows(con, extract_file, columns)


def _loaded_sha(con: duckdb.DuckDBPyConnection, extract_file: ExtractFile) -> str | None:
    rows = db.query(
        con,
        "loaded_extract_file",
        {"kind": extract_file.kind, "extract_date": extract_file.extract_date},
    )
    return str(rows[0][0]) if rows else None


def _pair(files: list[ExtractFile]) -> dict[str, ExtractFile]:
    by_kind: dict[str, ExtractFile] = {}
    for extract_file in files:
        if extract_file.kind in by_kind:
            other = by_kind[extract_file.kind]
            raise FiguresError(
                f"two {extract_file.kind} files for {extract_file.extract_date}: "
                f"{other.name} and {extract_file.name}",
                location=extract_file.name,
                rule="one file of each kind per extract",
            )
        by_kind[extract_file.kind] = extract_file
    for kind in COLUMNS:
        if kind not in by_kind:
            present = next(iter(by_kind.values()))
            raise FiguresError(
                f"no {kind} file for extract {present.extract_date}: "
                f"give {kind}_{present.extract_date}.csv with it",
                location=present.name,
                rule="an extract is a pair of files",
            )
    return {kind: by_kind[kind] for kind in COLUMNS}


def _tick(seconds: dict[str, float], stage: str, since: float) -> float:
    """Add the time since `since` to seconds[stage]; return now."""
    now = time.perf_counter()
    seconds[stage] = seconds.get(stage, 0.0) + now - since
    return now


def _victim_orphans(
    con: duckdb.DuckDBPyConnection, rows: pl.DataFrame, extract_date: dt.date
) -> pl.Series:
    """The file rows of victims whose crime was not accepted from the extract's crimes file."""
    victim_rows = rows.select("file_row", "crime_ref")
    con.register("victim_rows", victim_rows.to_arrow(compat_level=pl.CompatLevel.newest()))
    try:
        found: pl.DataFrame = con.sql(
            db.sql("victim_orphans"), params={"extract_date": extract_date}
        ).pl()
        return found.get_column("file_row")
    finally:
        con.unregister("victim_rows")


def _staged(
    con: duckdb.DuckDBPyConnection, kind: str, rows: pl.DataFrame, extract_date: dt.date
) -> pl.DataFrame:
    """The rows as the kind's pandera model sees them: with the extract date, the values read
    once for several checks (DERIVED), and the facts that need the whole file (how often a key
    occurs; whether a victim's crime was accepted)."""
    staged = rows.with_columns(pl.lit(extract_date).alias("extract_date"), *DERIVED[kind])
    keys = KEYS[kind]
    staged = with_key_count(staged, keys, repeated_keys(rows, keys), KEY_COUNTS[kind])
    if kind != "victims":
        return staged
    orphans = _victim_orphans(con, rows, extract_date)
    known = ~pl.col("file_row").is_in(orphans.implode()) if orphans.len() else pl.lit(True)
    return staged.with_columns(known.alias("crime_in_extract"))


def _load_file(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    extract_file: ExtractFile,
    archived_as: Path,
    result: IngestResult,
    progress: Progress | None,
) -> pl.DataFrame:
    """Read, validate and load one file of an extract; return its rejected rows.

    The crimes file goes first: the victims file is checked against the crimes it accepted.
    """
    kind = extract_file.kind
    params = {"extract_date": extract_file.extract_date}
    log.info("%s: staging", extract_file.name)
    started = time.perf_counter()
    rows = _read_checked(con, extract_file)
    staged = _tick(result.seconds, "stage", started)
    log.info("%s: validating %s rows", extract_file.name, f"{rows.height:,}")
    staged_rows = _staged(con, kind, rows, extract_file.extract_date)
    rejects = validate_rows(
        staged_rows,
        MODELS[kind],
        kind=kind,
        file_name=extract_file.name,
        sha256=extract_file.sha256,
        progress=progress,
    )
    validated = _tick(result.seconds, "validate", staged)
    accepted = staged_rows
    if rejects.height:
        accepted = staged_rows.join(rejects.select("file_row"), on="file_row", how="anti")
    stored = accepted.select(STORED[kind]).to_arrow(compat_level=pl.CompatLevel.newest())
    con.register("accepted_rows", stored)
    con.register("rejects", rejects.to_arrow())
    # The order of the rows in the table means nothing, and keeping it costs a fifth of the insert.
    con.execute("set preserve_insertion_order = false")
    try:
        db.run(con, f"insert_{kind}", params)
        db.run(con, "insert_quarantine", params)
    finally:
        con.execute("reset preserve_insertion_order")
        con.unregister("accepted_rows")
        con.unregister("rejects")
    db.run(
        con,
        "insert_loaded_file",
        {
            "sha256": extract_file.sha256,
            "file_name": extract_file.name,
            "source": INCIDENTS,
            "kind": kind,
            "extract_date": extract_file.extract_date,
            "rows_read": rows.height,
            "rows_rejected": rejects["file_row"].n_unique(),
            "archived_as": str(archived_as.relative_to(settings.warehouse)),
        },
    )
    result.rows[kind] = rows.height
    _tick(result.seconds, "load", validated)
    return rejects


def ingest_extract(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    files: list[ExtractFile],
    progress: Progress | None = None,
    *,
    landed: bool = False,
) -> IngestResult:
    """Load one extract (its crimes and victims files) in one transaction; `landed`: see
    archive."""
    pair = _pair(files)
    extract_date = pair["crimes"].extract_date
    names = tuple(pair[k].name for k in COLUMNS)
    loaded = {kind: _loaded_sha(con, f) for kind, f in pair.items()}
    if all(loaded[kind] == f.sha256 for kind, f in pair.items()):
        return IngestResult(extract_date, names, already_loaded=True)
    for kind, extract_file in pair.items():
        if loaded[kind] is not None:
            raise FiguresError(
                f"the extract of {extract_date} is already loaded from a different {kind} file "
                f"(sha256 {loaded[kind]}); extracts are never replaced: send corrections in a "
                "later extract",
                location=extract_file.name,
                rule="one file per extract date",
            )
    archived = {kind: archive(settings, f, landed=landed) for kind, f in pair.items()}
    result = IngestResult(extract_date, names)
    with db.transaction(con):
        rejects = [
            _load_file(con, settings, f, archived[kind], result, progress)
            for kind, f in pair.items()
        ]
        log.info("extract %s: counting what it changes", extract_date.isoformat())
        started = time.perf_counter()
        update_counts(con, extract_date)
        _tick(result.seconds, "build", started)
    result.rejects = pl.concat(rejects)
    return result


def group_by_extract(paths: Iterable[Path]) -> dict[dt.date, list[ExtractFile]]:
    groups: dict[dt.date, list[ExtractFile]] = defaultdict(list)
    for path in paths:
        extract_file = identify(Path(path))
        groups[extract_file.extract_date].append(extract_file)
    return dict(sorted(groups.items()))


def ingest_paths(
    settings: Settings,
    paths: Iterable[Path],
    progress: Progress | None = None,
    *,
    landed: bool = False,
) -> list[IngestResult]:
    """Ingest the given files, one extract at a time in date order; `landed`: see archive."""
    groups = group_by_extract(paths)
    results = []
    with db.connect(settings) as con:
        for files in groups.values():
            results.append(ingest_extract(con, settings, files, progress, landed=landed))
    return results


def ingest_files(
    settings: Settings, paths: Iterable[Path], progress: Progress | None = None
) -> list[IngestResult | DashboardResult]:
    """Ingest files of either source, told apart by their columns: Monthly Crime Dashboard
    files go to flows/dashboard.py, the rest are incident extracts (ingest_paths)."""
    from flows.dashboard import ingest_dashboard_paths, is_dashboard_file

    paths = [Path(p) for p in paths]
    dashboard_paths = [p for p in paths if is_dashboard_file(p)]
    extract_paths = [p for p in paths if p not in dashboard_paths]
    results: list[IngestResult | DashboardResult] = []
    results.extend(ingest_dashboard_paths(settings, dashboard_paths, progress))
    if extract_paths:
        results.extend(ingest_paths(settings, extract_paths, progress))
    return results


def reject_lines(result: IngestResult, limit: int = 20) -> list[str]:
    """One line per rejected value: file, row, column, rule; the first `limit` of them."""
    if result.rejects is None or result.rejects.height == 0:
        return []
    lines = [
        f"{r['file_name']}: row {r['file_row']}: {r['column_name']}: {r['rule']} "
        f"(found {'empty' if r['value'] is None else repr(r['value'])})"
        for r in result.rejects.head(limit).iter_rows(named=True)
    ]
    if result.rejects.height > limit:
        lines.append(
            f"... and {result.rejects.height - limit} more, all in the quarantine table "
            "(`figures quarantine`)"
        )
    return lines
