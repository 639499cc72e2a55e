"""Monthly counts per measure and area as of a date, from either source, and the monthly-count
grid (every measure x area x month of a comparison, zeros included) that figures are taken from.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pyarrow as pa

from statement_figures.domain.areas import BCUS, BOROUGHS
from statement_figures.domain.measures import MEASURES, Measure
from statement_figures.domain.sources import DASHBOARD, check_source
from statement_figures.warehouse import db
from statement_figures.warehouse.deltas import COUNT_SCHEMA, stale_measures, update_counts

WARD_COUNT_SCHEMA = pa.schema(
    [
        ("measure", pa.string()),
        ("ward_code", pa.string()),
        ("ward_name", pa.string()),
        ("month", pa.date32()),
        ("count", pa.int64()),
    ]
)


def area_boroughs() -> pa.Table:
    """The boroughs with their BCUs, as the SQL that places counts in areas reads them."""
    bcu_names = {bcu.code: bcu.name for bcu in BCUS}
    return pa.table(
        {
            "borough_code": [b.code for b in BOROUGHS],
            "borough_name": [b.name for b in BOROUGHS],
            "bcu_code": [b.bcu_code for b in BOROUGHS],
            "bcu_name": [bcu_names[b.bcu_code] for b in BOROUGHS],
        }
    )


def incident_counts(
    con: duckdb.DuckDBPyConnection, as_of: dt.date, measures: tuple[Measure, ...] = MEASURES
) -> pa.Table:
    """Counts by measure, borough (null when unknown) and month, from incident extracts."""
    if stale_measures(con, measures):
        with db.transaction(con):
            update_counts(con, None, measures)
    params = {"as_of": as_of, "measures": [m.id for m in measures]}
    counted = con.sql(db.sql("marts/measure_counts_as_of"), params=params).to_arrow_table()
    return counted.cast(COUNT_SCHEMA)


def _dashboard_counts(
    con: duckdb.DuckDBPyConnection,
    name: str,
    as_of: dt.date,
    measures: tuple[Measure, ...],
    schema: pa.Schema,
) -> pa.Table:
    params = {"as_of": as_of, "measures": [m.id for m in measures]}
    return con.sql(db.sql(name), params=params).to_arrow_table().cast(schema)


def dashboard_counts(
    con: duckdb.DuckDBPyConnection, as_of: dt.date, measures: tuple[Measure, ...] = MEASURES
) -> pa.Table:
    """Counts by measure, borough (null for Aviation Security, Other / NK) and month, from the
    dashboard refreshes on or before as_of (sql/state/dashboard_state.sql)."""
    return _dashboard_counts(con, "marts/dashboard_borough_counts", as_of, measures, COUNT_SCHEMA)


def dashboard_ward_counts(
    con: duckdb.DuckDBPyConnection, as_of: dt.date, measures: tuple[Measure, ...] = MEASURES
) -> pa.Table:
    """Counts by measure, ward (GSS E05 code and name) and month, from the dashboard."""
    return _dashboard_counts(con, "marts/dashboard_ward_counts", as_of, measures, WARD_COUNT_SCHEMA)


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


def build_monthly_counts(
    con: duckdb.DuckDBPyConnection,
    borough_counts: pa.Table,
    measures: tuple[Measure, ...],
    first_month: dt.date,
    last_month: dt.date,
    ward_counts: pa.Table | None = None,
) -> None:
    """Temp table monthly_counts: every measure x area x month in range, zeros included.

    Wards (area type `ward`) come only from ward_counts: those with counts in the range.
    """
    inputs = {
        "borough_month_counts": borough_counts,
        "ward_month_counts": WARD_COUNT_SCHEMA.empty_table()
        if ward_counts is None
        else ward_counts,
        "area_boroughs": area_boroughs(),
        "measure_ids": pa.table({"measure": [m.id for m in measures]}),
    }
    for name, table in inputs.items():
        con.register(name, table)
    try:
        db.run(con, "marts/monthly_counts", {"first_month": first_month, "last_month": last_month})
    finally:
        for name in inputs:
            con.unregister(name)
