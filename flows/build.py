"""Monthly counts per measure, area and month, from the warehouse as of a date.

Each source has one function giving counts by measure, borough (null when unknown) and month
as of a date: `incident_counts` (incident extracts) and `dashboard_counts` (the Met's Monthly
Crime Dashboard). Everything after that (areas, comparisons, figures) is shared.
"""

from __future__ import annotations

import datetime as dt
import logging

import duckdb
import pyarrow as pa

from flows import db
from flows.areas import BCUS, BOROUGHS
from flows.measures import MEASURES, Measure

log = logging.getLogger(__name__)

COUNT_SCHEMA = pa.schema(
    [
        ("measure", pa.string()),
        ("borough_code", pa.string()),
        ("month", pa.date32()),
        ("count", pa.int64()),
    ]
)

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
    db.run(con, "crime_state", {"as_of": as_of})
    db.run(con, "victim_state")
    db.run(con, "knife_crimes")
    tables = []
    for measure in measures:
        counted = con.sql(db.sql(measure.sql)).to_arrow_table()
        measure_column = pa.array([measure.id] * counted.num_rows, pa.string())
        tables.append(
            pa.table(
                [measure_column, counted["borough_code"], counted["month"], counted["count"]],
                schema=COUNT_SCHEMA,
            )
        )
    return pa.concat_tables(tables) if tables else COUNT_SCHEMA.empty_table()


def _dashboard_state_counts(
    con: duckdb.DuckDBPyConnection,
    name: str,
    as_of: dt.date,
    measures: tuple[Measure, ...],
    schema: pa.Schema,
) -> pa.Table:
    db.run(con, "dashboard_state", {"as_of": as_of})
    params = {"measures": [m.id for m in measures]}
    return con.sql(db.sql(name), params=params).to_arrow_table().cast(schema)


def dashboard_counts(
    con: duckdb.DuckDBPyConnection, as_of: dt.date, measures: tuple[Measure, ...] = MEASURES
) -> pa.Table:
    """Counts by measure, borough (null for Aviation Security, Other / NK) and month, from the
    dashboard refreshes on or before as_of (sql/dashboard_state.sql)."""
    return _dashboard_state_counts(con, "dashboard_borough_counts", as_of, measures, COUNT_SCHEMA)


def dashboard_ward_counts(
    con: duckdb.DuckDBPyConnection, as_of: dt.date, measures: tuple[Measure, ...] = MEASURES
) -> pa.Table:
    """Counts by measure, ward (GSS E05 code and name) and month, from the dashboard."""
    return _dashboard_state_counts(con, "dashboard_ward_counts", as_of, measures, WARD_COUNT_SCHEMA)


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
    con.register("borough_month_counts", borough_counts)
    con.register(
        "ward_month_counts", WARD_COUNT_SCHEMA.empty_table() if ward_counts is None else ward_counts
    )
    con.register("area_boroughs", area_boroughs())
    con.register("measure_ids", pa.table({"measure": [m.id for m in measures]}))
    try:
        db.run(con, "monthly_counts", {"first_month": first_month, "last_month": last_month})
    finally:
        for name in ("borough_month_counts", "ward_month_counts", "area_boroughs", "measure_ids"):
            con.unregister(name)
