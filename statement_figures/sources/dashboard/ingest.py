"""Ingest the Met's Monthly Crime Dashboard files (brief 3.2): the second source.

A dashboard file is told apart from an incident extract by its columns, never its name: the
London Datastore CSV (`Month_Year, Area Type, Borough_SNT, ...`) and its parquet conversion
(`month_year, area_type, borough_snt, ...`) are both accepted. Each row's refresh date is its
as-of date; one file may hold several. A file is validated whole with schemas/dashboard.py and
refused at its first bad row, or loaded in one transaction:

- rows whose subtype maps to a measure of the registry (measure "Offences") load into
  `dashboard_counts`; the other rows are counted as skipped, by reason;
- `dashboard_refreshes` records, per refresh date and measure, the first-to-last month range
  the refresh speaks for (sql/dashboard_state.sql reads it);
- `loaded_files` gets one row per refresh date and measure (kind = the measure id), so a
  second, different file for a measure and refresh date already loaded is refused, and the
  same file twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

import duckdb
import polars as pl
import pyarrow as pa

from schemas.dashboard import Dashboard
from statement_figures.config import Settings
from statement_figures.domain.errors import FiguresError
from statement_figures.domain.measures import MEASURES
from statement_figures.domain.sources import DASHBOARD
from statement_figures.sources.files import SourceFile, archived, read_header, read_rows
from statement_figures.sources.validate import Progress, validate_rows
from statement_figures.warehouse import db
from statement_figures.warehouse.counts import area_boroughs

log = logging.getLogger(__name__)

REQUIRED_COLUMNS = (
    "month_year",
    "area_type",
    "borough_snt",
    "area_name",
    "area_code",
    "crime_subtype",
    "measure",
    "count",
    "refresh_date",
)
# Columns only a dashboard file has: any one of them makes a file a dashboard file.
SIGNATURE = frozenset({"month_year", "borough_snt", "crime_subtype", "refresh_date"})


@dataclass
class DashboardResult:
    file_name: str
    already_loaded: bool = False
    rows: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)
    refresh_dates: tuple[dt.date, ...] = ()

    def lines(self) -> list[str]:
        """What the ingest did, for a person: loaded rows per measure and skipped rows."""
        if self.already_loaded:
            return [f"dashboard {self.file_name}: already loaded, nothing changed"]
        refreshes = ", ".join(d.isoformat() for d in self.refresh_dates) or "none"
        loaded = ", ".join(f"{n:,} {m}" for m, n in self.rows.items()) or "no rows"
        lines = [f"dashboard {self.file_name} (refresh {refreshes}): loaded {loaded}"]
        skipped = sum(self.skipped.values())
        if skipped:
            reasons = "; ".join(f"{n:,} {why}" for why, n in self.skipped.items())
            lines.append(f"  skipped {skipped:,} rows: {reasons}")
        return lines


def column_name(header: str) -> str:
    """A dashboard header as a column name: `Area Type` -> `area_type`."""
    return header.strip().lower().replace(" ", "_")


def _read(con: duckdb.DuckDBPyConnection, source_file: SourceFile) -> pl.DataFrame:
    """The file's rows, every field as text, columns named as in the model."""
    header = read_header(source_file)
    columns = [column_name(c) for c in header]
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise FiguresError(
            f"missing column(s) {', '.join(missing)} (a dashboard file has: "
            f"{', '.join(REQUIRED_COLUMNS)}; headers are matched ignoring case, with spaces "
            "read as underscores)",
            location=source_file.name,
            rule="columns",
        )
    return read_rows(con, source_file, columns)


def _refuse(
    source_file: SourceFile, file_row: int, rule: str, value: str | None, more: int
) -> NoReturn:
    """Refuse the whole file at one row, naming the file, row and rule."""
    found = "empty" if value is None else repr(value)
    raise FiguresError(
        f"found {found}; the file is refused, nothing was loaded"
        + (f" ({more} more problem(s) in the file)" if more else ""),
        location=f"{source_file.name}: row {file_row}",
        rule=rule,
    )


def _stage_and_validate(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    source_file: SourceFile,
    progress: Progress | None,
) -> None:
    """Temp table stg_dashboard; a file with any row breaking a rule, or refreshed after today
    (plus the tolerated days), is refused whole."""
    con.register("raw_rows", _read(con, source_file).to_arrow())
    try:
        db.run(con, "staging/stage_dashboard")
    finally:
        con.unregister("raw_rows")
    staged = con.table("stg_dashboard").pl()
    rejects = validate_rows(
        staged,
        Dashboard,
        kind=DASHBOARD,
        file_name=source_file.name,
        sha256=source_file.sha256,
        progress=progress,
    )
    if rejects.height:
        first = rejects.row(0, named=True)
        rule = f"{first['column_name']}: {first['rule']}"
        _refuse(source_file, first["file_row"], rule, first["value"], rejects.height - 1)
    future = staged.filter(pl.col("refresh") > settings.latest_plausible_date).sort("file_row")
    if future.height:
        first = future.row(0, named=True)
        rule = f"refresh_date: {settings.future_date(first['refresh'])}"
        _refuse(source_file, first["file_row"], rule, first["refresh_date"], future.height - 1)


def _classify(con: duckdb.DuckDBPyConnection) -> None:
    """Temp table dashboard_rows: each staged row's measure and area, or why it is skipped."""
    subtypes = pa.table(
        {
            "measure": [m.id for m in MEASURES],
            "dashboard_subtype": [m.dashboard_subtype for m in MEASURES],
        }
    )
    con.register("measure_subtypes", subtypes)
    con.register("area_boroughs", area_boroughs())
    try:
        db.run(con, "staging/dashboard_rows")
    finally:
        con.unregister("measure_subtypes")
        con.unregister("area_boroughs")


def _refuse_replacing(
    con: duckdb.DuckDBPyConnection, source_file: SourceFile, measures: list[tuple[dt.date, str]]
) -> None:
    """A refresh is never replaced: a second file for a measure and refresh date is refused."""
    for refresh_date, measure in measures:
        rows = db.query(
            con, "queries/loaded_extract_file", {"kind": measure, "extract_date": refresh_date}
        )
        if rows:
            raise FiguresError(
                f"{measure} of the refresh of {refresh_date.isoformat()} is already loaded from "
                f"a different file (sha256 {rows[0][0]}); refreshes are never replaced: load a "
                "later refresh",
                location=source_file.name,
                rule="one file per measure and refresh date",
            )


def ingest_dashboard_file(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    path: Path,
    progress: Progress | None = None,
    *,
    landed: bool = False,
) -> DashboardResult:
    """Load one dashboard file in one transaction (or nothing, when it is already loaded);
    `landed`: see statement_figures.sources.incidents.ingest.archive."""
    source_file = SourceFile.read(path)
    sha256 = source_file.sha256
    result = DashboardResult(source_file.name)
    if db.query(con, "queries/loaded_file_sha", {"source": DASHBOARD, "sha256": sha256})[0][0]:
        result.already_loaded = True
        return result
    log.info("%s: staging and validating the dashboard file", source_file.name)
    # its rows are read from the archived copy, which is removed again if the file is refused
    with archived(settings, source_file) as source_file, db.transaction(con):
        _stage_and_validate(con, settings, source_file, progress)
        _classify(con)
        measures = db.query(con, "queries/dashboard_file_measures")
        _refuse_replacing(con, source_file, [(r, m) for r, m, _ in measures])
        result.skipped = dict(db.query(con, "queries/dashboard_skipped"))
        if not measures:
            return result
        db.run(con, "loading/insert_dashboard_counts", {"sha256": sha256})
        db.run(con, "loading/insert_dashboard_refreshes", {"sha256": sha256})
        for refresh_date, measure, rows in measures:
            db.run(
                con,
                "loading/insert_loaded_file",
                {
                    "sha256": sha256,
                    "file_name": source_file.name,
                    "source": DASHBOARD,
                    "kind": measure,
                    "extract_date": refresh_date,
                    "rows_read": rows,
                    "rows_rejected": 0,
                    "archived_as": str(source_file.path.relative_to(settings.warehouse)),
                    "synthetic": False,  # the Met's own published counts
                },
            )
            result.rows[measure] = result.rows.get(measure, 0) + rows
    result.refresh_dates = tuple(sorted({r for r, _, _ in measures}))
    return result


def ingest_dashboard_paths(
    settings: Settings,
    paths: Iterable[Path],
    progress: Progress | None = None,
    *,
    landed: bool = False,
) -> list[DashboardResult]:
    """Ingest dashboard files, each in its own transaction, in the order given."""
    paths = list(paths)
    if not paths:
        return []
    with db.connect(settings) as con:
        return [
            ingest_dashboard_file(con, settings, path, progress, landed=landed) for path in paths
        ]
