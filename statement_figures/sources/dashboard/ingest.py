"""Ingest the Met's Monthly Crime Dashboard files (brief 3.2): the second source.

A dashboard file is told apart from an incident extract by its columns, never its name: the
London Datastore CSV (`Month_Year, Area Type, Borough_SNT, ...`) and its parquet conversion
(`month_year, area_type, borough_snt, ...`) are both accepted. Each row's refresh date is its
as-of date; one file may hold several, and may hold every crime type. A file is refused whole
only when it is not a dashboard file (a required column missing, unreadable) or when any of its
refresh dates is in the future (such a file cannot be trusted). Otherwise it is loaded in one
transaction:

- a row breaking a rule of schemas/dashboard.py is set aside and reported by row and rule;
- a row repeating an earlier row's refresh, subtype, measure, area and month is set aside and
  reported (saying so when its count differs): the first is kept, repeats are never summed;
- rows whose subtype maps to a measure of the registry (measure "Offences") load into
  `dashboard_counts`; the other rows are counted as skipped, by reason;
- a Borough row whose code is not a Met borough's (any code, or none: Aviation Security, other
  forces, unknown, legacy) counts for London only (area_code null) and is reported by name;
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
from statement_figures.domain.text import printable
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
# Set-aside rows printed one by one; the rest are counted ("... and N more").
SET_ASIDE_SHOWN = 10


@dataclass(frozen=True)
class SetAside:
    """A row of the file not loaded for breaking a rule or repeating an earlier row."""

    file_row: int
    problem: str


@dataclass
class DashboardResult:
    file_name: str
    already_loaded: bool = False
    rows: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)
    refresh_dates: tuple[dt.date, ...] = ()
    # (name, its code or None, rows): Borough rows of no Met borough, counted for London only.
    london_only: tuple[tuple[str, str | None, int], ...] = ()
    set_aside: tuple[SetAside, ...] = ()

    def lines(self) -> list[str]:
        """What the ingest did, for a person: loaded rows per measure, skipped rows, rows
        counted for London only, and rows set aside (the first few, one a line)."""
        name = printable(self.file_name)
        if self.already_loaded:
            return [f"dashboard {name}: already loaded, nothing changed"]
        refreshes = ", ".join(d.isoformat() for d in self.refresh_dates) or "none"
        loaded = ", ".join(f"{n:,} {m}" for m, n in self.rows.items()) or "no rows"
        lines = [f"dashboard {name} (refresh {refreshes}): loaded {loaded}"]
        skipped = sum(self.skipped.values())
        if skipped:
            reasons = "; ".join(f"{n:,} {why}" for why, n in self.skipped.items())
            lines.append(f"  skipped {skipped:,} rows: {reasons}")
        if self.london_only:
            areas = "; ".join(_area_text(*area) for area in self.london_only)
            lines.append(f"  counted for London only: {areas}")
        return lines + self._set_aside_lines(name)

    def _set_aside_lines(self, name: str) -> list[str]:
        if not self.set_aside:
            return []
        rows = len({s.file_row for s in self.set_aside})
        lines = [f"  set aside {rows:,} {'row' if rows == 1 else 'rows'}, not loaded:"]
        lines += [
            f"    {name}: row {s.file_row}: {s.problem}" for s in self.set_aside[:SET_ASIDE_SHOWN]
        ]
        more = len(self.set_aside) - SET_ASIDE_SHOWN
        return lines + ([f"    ... and {more:,} more"] if more > 0 else [])


def _area_text(name: str, code: str | None, rows: int) -> str:
    """`Aviation Security (SO18): 48 rows`, the name escaped for a terminal."""
    coded = f"{name} ({code})" if code and code not in name else name
    return f"{printable(coded)}: {rows:,} {'row' if rows == 1 else 'rows'}"


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


def _stage(con: duckdb.DuckDBPyConnection, source_file: SourceFile) -> pl.DataFrame:
    """Temp table stg_dashboard: the file's rows, trimmed, dates and counts read beside the text."""
    con.register("raw_rows", _read(con, source_file).to_arrow())
    try:
        db.run(con, "staging/stage_dashboard")
    finally:
        con.unregister("raw_rows")
    staged: pl.DataFrame = con.table("stg_dashboard").pl()
    return staged


def _refuse_future(settings: Settings, source_file: SourceFile, staged: pl.DataFrame) -> None:
    """A file with any refresh after today (plus the tolerated days) is refused whole: a refresh
    from the future means the file cannot be trusted."""
    future = staged.filter(pl.col("refresh") > settings.latest_plausible_date).sort("file_row")
    if future.height:
        first = future.row(0, named=True)
        rule = f"refresh_date: {settings.future_date(first['refresh'])}"
        _refuse(source_file, first["file_row"], rule, first["refresh_date"], future.height - 1)


def _rule_breaks(
    staged: pl.DataFrame, source_file: SourceFile, progress: Progress | None
) -> pl.DataFrame:
    """Every row breaking a rule of schemas/dashboard.py: file_row, column_name, rule, value."""
    return validate_rows(
        staged,
        Dashboard,
        kind=DASHBOARD,
        file_name=source_file.name,
        sha256=source_file.sha256,
        progress=progress,
    )


def _found(value: str | None) -> str:
    return "empty" if value is None else repr(value)


def _broken_rules(rejects: pl.DataFrame) -> list[SetAside]:
    """`count: is a whole number that is not negative (found '-3')`, per rule a row breaks."""
    return [
        SetAside(r["file_row"], f"{r['column_name']}: {r['rule']} (found {_found(r['value'])})")
        for r in rejects.iter_rows(named=True)
    ]


def _repeats(con: duckdb.DuckDBPyConnection) -> list[SetAside]:
    """The rows repeating an earlier row (sql/staging/dashboard_rows.sql): the first is kept."""
    found = []
    for file_row, first_row, count, first_count in db.query(con, "queries/dashboard_repeats"):
        problem = f"repeats row {first_row} (same refresh, subtype, measure, area and month)"
        if count != first_count:
            problem = (
                f"repeats row {first_row} with a different count ({count} against "
                f"{first_count}): the first is kept"
            )
        found.append(SetAside(file_row, problem))
    return found


def _classify(con: duckdb.DuckDBPyConnection, set_aside: pl.DataFrame) -> None:
    """Temp table dashboard_rows: each staged row not set aside with its measure and area, or
    why it is skipped."""
    subtypes = pa.table(
        {
            "measure": [m.id for m in MEASURES],
            "dashboard_subtype": [m.dashboard_subtype for m in MEASURES],
        }
    )
    tables = {
        "measure_subtypes": subtypes,
        "area_boroughs": area_boroughs(),
        "set_aside_rows": set_aside.select("file_row").unique().to_arrow(),
    }
    for name, table in tables.items():
        con.register(name, table)
    try:
        db.run(con, "staging/dashboard_rows")
    finally:
        for name in tables:
            con.unregister(name)


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
) -> DashboardResult:
    """Load one dashboard file in one transaction (or nothing, when it is already loaded)."""
    source_file = SourceFile.read(path)
    sha256 = source_file.sha256
    result = DashboardResult(source_file.name)
    if db.query(con, "queries/loaded_file_sha", {"source": DASHBOARD, "sha256": sha256})[0][0]:
        result.already_loaded = True
        return result
    log.info("%s: staging and validating the dashboard file", source_file.name)
    # its rows are read from the archived copy, which is removed again if the file is refused
    with archived(settings, source_file) as source_file, db.transaction(con):
        staged = _stage(con, source_file)
        _refuse_future(settings, source_file, staged)
        rejects = _rule_breaks(staged, source_file, progress)
        _classify(con, rejects)
        measures = db.query(con, "queries/dashboard_file_measures")
        _refuse_replacing(con, source_file, [(r, m) for r, m, _ in measures])
        result.skipped = dict(db.query(con, "queries/dashboard_skipped"))
        result.london_only = tuple(db.query(con, "queries/dashboard_london_only"))
        set_aside = _broken_rules(rejects) + _repeats(con)
        result.set_aside = tuple(sorted(set_aside, key=lambda s: s.file_row))
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
) -> list[DashboardResult]:
    """Ingest dashboard files, each in its own transaction, in the order given."""
    paths = list(paths)
    if not paths:
        return []
    with db.connect(settings) as con:
        return [ingest_dashboard_file(con, settings, path, progress) for path in paths]
