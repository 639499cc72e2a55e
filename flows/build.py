"""Monthly counts per measure, area and month, kept up to date one extract at a time.

Every measure counts crimes (or their victims) one crime at a time, so the counts as of a date
are a sum over crimes of each crime's latest version on or before it. Ingesting an extract
therefore records only what it changes: the counts of the versions it brings minus the counts
of the versions they replace (table `measure_deltas`). The counts as of any date are the sum
of the changes of the extracts on or before it, so the nightly run costs what the new extract
costs, not what the history costs. `state_counts` computes the same counts the long way, from
the full as-of state; the tests hold the two equal.

Each source has one function giving counts by measure, borough (null when unknown) and month
as of a date: `incident_counts` (incident extracts) and `dashboard_counts` (the Met's Monthly
Crime Dashboard). Everything after that (areas, comparisons, figures) is shared.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

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
# The SQL every measure's recorded changes depend on, besides its own file.
SHARED_SQL = (
    "insert_measure_deltas",
    "crime_state_date",
    "crime_state_of_extract",
    "crime_state_replaced",
    "victim_state",
    "knife_crimes",
)
EARLIEST = dt.date(1900, 1, 1)


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


def definition_sha256(measure: Measure) -> str:
    """A fingerprint of everything that decides a measure's counts: its SQL and what it reads."""
    digest = hashlib.sha256()
    for name in (*SHARED_SQL, measure.sql):
        digest.update(db.sql(name).encode("utf-8"))
    return digest.hexdigest()


def _state(con: duckdb.DuckDBPyConnection, name: str, state_date: dt.date) -> None:
    """Temp view crime_state: sql/<name>.sql for the given date."""
    db.run(con, "crime_state_date", {"state_date": state_date})
    db.run(con, name)


def _count_state(con: duckdb.DuckDBPyConnection, measures: tuple[Measure, ...]) -> pa.Table:
    """Each measure's counts by borough and month, over the crimes in temp view crime_state."""
    db.run(con, "knife_crimes")
    db.run(con, "victim_state")
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


def extract_changes(
    con: duckdb.DuckDBPyConnection,
    extract_date: dt.date,
    measures: tuple[Measure, ...],
    *,
    first: bool = False,
) -> pa.Table:
    """What one extract changes: its versions' counts minus those of the versions they replace.

    The first extract replaces nothing (and skipping the search saves a join over its rows).
    """
    _state(con, "crime_state_of_extract", extract_date)
    brought = _count_state(con, measures)
    if first:
        return brought
    _state(con, "crime_state_replaced", extract_date)
    replaced = _count_state(con, measures)
    negated = replaced.set_column(3, "count", pc.negate(replaced["count"]))
    return pa.concat_tables([brought, negated])


def record_changes(
    con: duckdb.DuckDBPyConnection,
    from_date: dt.date,
    measures: tuple[Measure, ...] = MEASURES,
) -> int:
    """(Re)record the changes of every extract dated from_date or later; return how many.

    An extract that arrives late, dated before others already loaded, changes what those
    later extracts replace, so they are recorded again after it.
    """
    ids = [m.id for m in measures]
    db.run(con, "delete_measure_deltas", {"from_date": from_date, "measures": ids})
    every = [row[0] for row in db.query(con, "incident_extract_dates", {"from_date": EARLIEST})]
    dates = [d for d in every if d >= from_date]
    for extract_date in dates:
        changes = extract_changes(con, extract_date, measures, first=extract_date == every[0])
        con.register("extract_changes", changes)
        try:
            db.run(con, "insert_measure_deltas", {"extract_date": extract_date})
        finally:
            con.unregister("extract_changes")
    for measure in measures:
        db.run(
            con,
            "upsert_measure_build",
            {"measure": measure.id, "definition_sha256": definition_sha256(measure)},
        )
    return len(dates)


def stale_measures(
    con: duckdb.DuckDBPyConnection, measures: tuple[Measure, ...]
) -> tuple[Measure, ...]:
    """Measures whose recorded changes are missing or came from another definition."""
    built = dict(db.query(con, "measure_builds"))
    return tuple(m for m in measures if built.get(m.id) != definition_sha256(m))


def update_counts(
    con: duckdb.DuckDBPyConnection,
    from_date: dt.date | None,
    measures: tuple[Measure, ...] = MEASURES,
) -> None:
    """Record the changes of extracts dated from_date or later (None: none).

    Measures added or redefined since their changes were recorded are recounted from the start.
    Call it inside the transaction that loaded the extract.
    """
    stale = stale_measures(con, measures)
    if stale:
        log.info(
            "counting %s from the first extract (new or changed definitions)",
            ", ".join(m.id for m in stale),
        )
        record_changes(con, EARLIEST, stale)
    fresh = tuple(m for m in measures if m not in stale)
    if fresh and from_date is not None:
        record_changes(con, from_date, fresh)


def incident_counts(
    con: duckdb.DuckDBPyConnection, as_of: dt.date, measures: tuple[Measure, ...] = MEASURES
) -> pa.Table:
    """Counts by measure, borough (null when unknown) and month, from incident extracts."""
    if stale_measures(con, measures):
        with db.transaction(con):
            update_counts(con, None, measures)
    params = {"as_of": as_of, "measures": [m.id for m in measures]}
    counted = con.sql(db.sql("measure_counts_as_of"), params=params).to_arrow_table()
    return counted.cast(COUNT_SCHEMA)


def state_counts(
    con: duckdb.DuckDBPyConnection, as_of: dt.date, measures: tuple[Measure, ...] = MEASURES
) -> pa.Table:
    """The same counts the long way: from the latest version of every crime as of the date."""
    _state(con, "crime_state", as_of)
    return _count_state(con, measures)


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
