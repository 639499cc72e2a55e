"""Questions the publication layer asks of the warehouse: what is loaded, and as of when."""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb

from statement_figures.domain.errors import FiguresError
from statement_figures.domain.sources import DASHBOARD, INCIDENTS, SOURCES, check_source
from statement_figures.warehouse import db


def latest_extract(
    con: duckdb.DuckDBPyConnection, source: str, as_of: dt.date | None = None
) -> dt.date:
    """The date of the latest extract loaded (on or before as_of, when given)."""
    rows = db.query(con, "queries/latest_extract_date", {"source": source, "as_of": as_of})
    latest = rows[0][0] if rows else None
    if latest is None:
        when = f" on or before {as_of.isoformat()}" if as_of else ""
        raise FiguresError(
            f"no {source} data loaded{when}: run `figures ingest FILE...` or `figures run` first"
        )
    assert isinstance(latest, dt.date)
    return latest


def default_source(con: duckdb.DuckDBPyConnection, as_of: dt.date | None) -> str:
    """Incident extracts when any are loaded on or before as_of, else the dashboard when it is."""
    for source in SOURCES:
        params = {"source": source, "as_of": as_of}
        if db.query(con, "queries/latest_extract_date", params)[0][0]:
            return source
    return INCIDENTS


def first_month(con: duckdb.DuckDBPyConnection, source: str, as_of: dt.date) -> dt.date | None:
    """The first month the source's data as of a date speaks for (None: no data)."""
    name = (
        "queries/dashboard_first_month"
        if check_source(source) == DASHBOARD
        else "queries/incident_first_month"
    )
    first = db.query(con, name, {"as_of": as_of})[0][0]
    assert first is None or isinstance(first, dt.date)
    return first


def extract_rejects(
    con: duckdb.DuckDBPyConnection, source: str, extract_date: dt.date
) -> tuple[int, int]:
    """(rows read, rows rejected) of the extract of a date."""
    totals = db.query(
        con, "queries/extract_rejects", {"source": source, "extract_date": extract_date}
    )
    rows_read, rejected = (int(v or 0) for v in totals[0])
    return rows_read, rejected


def extract_inputs(
    con: duckdb.DuckDBPyConnection, source: str, as_of: dt.date
) -> list[dict[str, Any]]:
    """Each file the figures as of a date are computed from: name, sha256, rows, rows_rejected."""
    return [
        dict(zip(("name", "sha256", "rows", "rows_rejected"), row, strict=True))
        for row in db.query(con, "queries/extract_inputs", {"source": source, "as_of": as_of})
    ]


def loaded_file_count(con: duckdb.DuckDBPyConnection) -> int:
    """How many files (of either source) the warehouse has loaded: 0 for a new one."""
    [(files,)] = db.query(con, "queries/loaded_file_count")
    return int(files)


def synthetic_inputs(con: duckdb.DuckDBPyConnection, source: str, as_of: dt.date) -> bool:
    """Whether any file the figures as of a date are computed from is the synthetic sample."""
    [(synthetic,)] = db.query(con, "queries/synthetic_inputs", {"source": source, "as_of": as_of})
    return bool(synthetic)
