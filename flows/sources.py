"""The sources figures are computed from: incident extracts and the Monthly Crime Dashboard.

Each gives monthly counts by measure, borough and month as of a date (flows/build.py); the
areas, comparisons and figures built on them are the same for both.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pyarrow as pa

from flows import db
from flows.build import dashboard_counts, dashboard_ward_counts, incident_counts
from flows.dashboard import DASHBOARD
from flows.errors import FiguresError
from flows.ingest import INCIDENTS
from flows.measures import Measure

SOURCES = (INCIDENTS, DASHBOARD)


def check_source(source: str) -> str:
    if source not in SOURCES:
        raise FiguresError(f"unknown source {source!r} (known: {', '.join(SOURCES)})")
    return source


def default_source(con: duckdb.DuckDBPyConnection, as_of: dt.date | None) -> str:
    """Incident extracts when any are loaded on or before as_of, else the dashboard when it is."""
    for source in SOURCES:
        if db.query(con, "latest_extract_date", {"source": source, "as_of": as_of})[0][0]:
            return source
    return INCIDENTS


def source_counts(
    con: duckdb.DuckDBPyConnection, source: str, as_of: dt.date, measures: tuple[Measure, ...]
) -> pa.Table:
    """Counts by measure, borough (null when unknown) and month, from the source as of a date."""
    counts = dashboard_counts if check_source(source) == DASHBOARD else incident_counts
    return counts(con, as_of, measures)


def source_ward_counts(
    con: duckdb.DuckDBPyConnection, source: str, as_of: dt.date, measures: tuple[Measure, ...]
) -> pa.Table | None:
    """Counts by measure, ward and month; None for a source without wards (incidents)."""
    if check_source(source) == DASHBOARD:
        return dashboard_ward_counts(con, as_of, measures)
    return None


def first_month(con: duckdb.DuckDBPyConnection, source: str, as_of: dt.date) -> dt.date | None:
    """The first month the source's data as of a date speaks for (None: no data)."""
    name = "dashboard_first_month" if check_source(source) == DASHBOARD else "incident_first_month"
    first = db.query(con, name, {"as_of": as_of})[0][0]
    assert first is None or isinstance(first, dt.date)
    return first
