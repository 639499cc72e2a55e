"""Ingest incident extracts: archive each file by content hash, read, validate, load.

An extract is a pair of files with one as-of date, `crimes_YYYY-MM-DD.*` and
`victims_YYYY-MM-DD.*` (.csv, .csv.gz or .parquet). A pair is loaded in one transaction:
the warehouse holds all of it or, after any failure or crash, none of it.

Each file's rows are read as text (sources/files.py), checked with its pandera model
(schemas/), and its accepted rows are typed as their table stores them (the schema's STORED
expressions) and inserted from the same frame.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandera.polars as pa
import polars as pl

from schemas import crimes, victims
from statement_figures.config import Settings
from statement_figures.domain.errors import FiguresError
from statement_figures.domain.sources import INCIDENTS, SYNTHETIC_REF_PREFIX
from statement_figures.sources.files import SourceFile, archive, read_header, read_rows, scan_file
from statement_figures.sources.validate import (
    Progress,
    repeated_keys,
    validate_rows,
    with_key_count,
)
from statement_figures.warehouse import db
from statement_figures.warehouse.deltas import update_counts

log = logging.getLogger(__name__)

# crimes_YYYY-MM-DD.csv (.csv.gz, .parquet); a file from the archive has its sha256 before it.
NAME_PATTERN = re.compile(
    r"^(?:[0-9a-f]{64}-)?(crimes|victims)_(\d{4}-\d{2}-\d{2})\.(csv|csv\.gz|parquet)$"
)
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
DERIVED = {"crimes": crimes.DERIVED, "victims": victims.DERIVED}
STORED = {"crimes": crimes.STORED, "victims": victims.STORED}
# Each kind's key, unique within a file, and the column that tells its model how often it occurs.
KEYS: dict[str, tuple[str, ...]] = {
    "crimes": ("crime_ref",),
    "victims": ("crime_ref", "victim_ref"),
}
KEY_COUNTS = {"crimes": "crime_ref_count", "victims": "victim_key_count"}
# How many victims a crime has in the victims file where they are more than the bound on them
# (FIGURES_MAX_VICTIMS_PER_CRIME), else 1: only those crimes need counting.
CRIME_VICTIM_COUNT = "crime_victim_count"


@dataclass(frozen=True)
class ExtractFile(SourceFile):
    """One file of an incident extract: which kind, of which date (from its name)."""

    kind: str
    extract_date: dt.date


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
    return ExtractFile(path.resolve(), scan_file(path), kind, extract_date)


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


def _read_checked(con: duckdb.DuckDBPyConnection, extract_file: ExtractFile) -> pl.DataFrame:
    """The file's rows (read_rows), after checking its columns."""
    columns = read_header(extract_file)
    _check_columns(extract_file, columns)
    return read_rows(con, extract_file, columns)


def _loaded_sha(con: duckdb.DuckDBPyConnection, extract_file: ExtractFile) -> str | None:
    rows = db.query(
        con,
        "queries/loaded_extract_file",
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
            db.sql("staging/victim_orphans"), params={"extract_date": extract_date}
        ).pl()
        return found.get_column("file_row")
    finally:
        con.unregister("victim_rows")


def _model(settings: Settings, kind: str) -> type[pa.DataFrameModel]:
    """The kind's pandera model, with the settings' bound on victims per crime."""
    if kind == "victims":
        return victims.bounded(settings.max_victims_per_crime)
    return crimes.Crimes


def _staged(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    kind: str,
    rows: pl.DataFrame,
    extract_date: dt.date,
) -> pl.DataFrame:
    """The rows as the kind's pandera model sees them: with the extract date, the values read
    once for several checks (DERIVED), and the facts that need the whole file (how often a key
    occurs; how many victims a crime has; whether a victim's crime was accepted)."""
    staged = rows.with_columns(pl.lit(extract_date).alias("extract_date"), *DERIVED[kind])
    keys = KEYS[kind]
    staged = with_key_count(staged, keys, repeated_keys(rows, keys), KEY_COUNTS[kind])
    if kind != "victims":
        return staged
    by_crime = ("crime_ref",)
    many = repeated_keys(rows, by_crime, more_than=settings.max_victims_per_crime)
    staged = with_key_count(staged, by_crime, many, CRIME_VICTIM_COUNT)
    orphans = _victim_orphans(con, rows, extract_date)
    known = ~pl.col("file_row").is_in(orphans.implode()) if orphans.len() else pl.lit(True)
    return staged.with_columns(known.alias("crime_in_extract"))


def _synthetic(settings: Settings, extract_file: ExtractFile, rows: pl.DataFrame) -> bool:
    """Whether the file is the built-in synthetic sample (its crime refs say so); refused on a
    warehouse that signs with a real key, where synthetic data must never be published."""
    synthetic = bool(rows.get_column("crime_ref").str.starts_with(SYNTHETIC_REF_PREFIX).any())
    if synthetic and settings.signing_key:
        raise FiguresError(
            f"crime refs starting {SYNTHETIC_REF_PREFIX!r} mark the built-in synthetic sample, "
            "and FIGURES_SIGNING_KEY names a real signing key: synthetic data is never loaded "
            "where figures are signed for real; nothing was loaded",
            location=extract_file.name,
            rule="no synthetic data under a real key",
        )
    return synthetic


def _load_file(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    extract_file: ExtractFile,
    result: IngestResult,
    progress: Progress | None,
) -> pl.DataFrame:
    """Read, validate and load one file of an extract (its archived copy); return its
    rejected rows.

    The crimes file goes first: the victims file is checked against the crimes it accepted.
    """
    kind = extract_file.kind
    params = {"extract_date": extract_file.extract_date}
    log.info("%s: staging", extract_file.name)
    started = time.perf_counter()
    rows = _read_checked(con, extract_file)
    staged = _tick(result.seconds, "stage", started)
    log.info("%s: validating %s rows", extract_file.name, f"{rows.height:,}")
    staged_rows = _staged(con, settings, kind, rows, extract_file.extract_date)
    rejects = validate_rows(
        staged_rows,
        _model(settings, kind),
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
        db.run(con, f"loading/insert_{kind}", params)
        db.run(con, "loading/insert_quarantine", params)
    finally:
        con.execute("reset preserve_insertion_order")
        con.unregister("accepted_rows")
        con.unregister("rejects")
    db.run(
        con,
        "loading/insert_loaded_file",
        {
            "sha256": extract_file.sha256,
            "file_name": extract_file.name,
            "source": INCIDENTS,
            "kind": kind,
            "extract_date": extract_file.extract_date,
            "rows_read": rows.height,
            "rows_rejected": rejects["file_row"].n_unique(),
            "archived_as": str(extract_file.path.relative_to(settings.warehouse)),
            "synthetic": _synthetic(settings, extract_file, rows),
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
) -> IngestResult:
    """Load one extract (its crimes and victims files) in one transaction."""
    pair = _pair(files)
    extract_date = pair["crimes"].extract_date
    future = settings.future_date(extract_date)
    if future:
        raise FiguresError(
            f"{future}: not loaded", location=pair["crimes"].name, rule="extract date"
        )
    names = tuple(pair[k].name for k in COLUMNS)
    loaded = {kind: _loaded_sha(con, f) for kind, f in pair.items()}
    if all(loaded[kind] == f.sha256 for kind, f in pair.items()):
        return IngestResult(extract_date, names, already_loaded=True)
    for kind, extract_file in pair.items():
        if loaded[kind] not in (None, extract_file.sha256):  # blame the file that differs
            raise FiguresError(
                f"the extract of {extract_date} is already loaded from a different {kind} file "
                f"(sha256 {loaded[kind]}); extracts are never replaced: send corrections in a "
                "later extract",
                location=extract_file.name,
                rule="one file per extract date",
            )
    # Rows are read from the archived copies: what is loaded is exactly what is archived.
    archived = [archive(settings, f) for f in pair.values()]
    result = IngestResult(extract_date, names)
    with db.transaction(con):
        rejects = [_load_file(con, settings, f, result, progress) for f in archived]
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
) -> list[IngestResult]:
    """Ingest the given files, one extract at a time in date order."""
    groups = group_by_extract(paths)
    results = []
    with db.connect(settings) as con:
        for files in groups.values():
            results.append(ingest_extract(con, settings, files, progress))
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
