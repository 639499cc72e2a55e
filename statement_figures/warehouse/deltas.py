"""What each incident extract changes in the monthly counts, recorded as it is loaded.

Every measure counts crimes (or their victims) one crime at a time, so the counts as of a date
are a sum over crimes of each crime's latest version on or before it. Ingesting an extract
therefore records only what it changes: the counts of the versions it brings minus the counts
of the versions they replace (table `measure_deltas`). The counts as of any date are the sum
of the changes of the extracts on or before it, so the nightly run costs what the new extract
costs, not what the history costs. `state_counts` computes the same counts the long way, from
the full as-of state; the tests hold the two equal.

A measure's recorded changes carry the fingerprint of every SQL file its counting reads
(`definition_sha256`): change any of them and the measure is recounted from the first extract.
"""

from __future__ import annotations

import datetime as dt
import logging

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from statement_figures.domain.measures import MEASURES, Measure
from statement_figures.warehouse import db

log = logging.getLogger(__name__)

COUNT_SCHEMA = pa.schema(
    [
        ("measure", pa.string()),
        ("borough_code", pa.string()),
        ("month", pa.date32()),
        ("count", pa.int64()),
    ]
)
# The statement that records the changes, besides the measure's own file (and all they read).
RECORDED_BY = "loading/insert_measure_deltas"
EARLIEST = dt.date(1900, 1, 1)
# The crime versions sql/macros/crime_versions.sql can give.
AS_OF, OF_EXTRACT, REPLACED = "as_of", "of_extract", "replaced"


def definition_sha256(measure: Measure, sql: db.SqlFiles = db.SQL) -> str:
    """A fingerprint of everything that decides a measure's counts: its SQL and all it reads."""
    return sql.fingerprint((measure.sql, RECORDED_BY))


def count_versions(
    con: duckdb.DuckDBPyConnection,
    versions: str,
    state_date: dt.date,
    measures: tuple[Measure, ...],
) -> pa.Table:
    """Each measure's counts by borough and month, over the crime versions named (AS_OF,
    OF_EXTRACT or REPLACED) for a date."""
    db.run(con, "state/knife_crimes", {"versions": versions, "state_date": state_date})
    db.run(con, "state/victim_state")
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
    brought = count_versions(con, OF_EXTRACT, extract_date, measures)
    if first:
        return brought
    replaced = count_versions(con, REPLACED, extract_date, measures)
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
    db.run(con, "loading/delete_measure_deltas", {"from_date": from_date, "measures": ids})
    every = [
        row[0] for row in db.query(con, "queries/incident_extract_dates", {"from_date": EARLIEST})
    ]
    dates = [d for d in every if d >= from_date]
    for extract_date in dates:
        changes = extract_changes(con, extract_date, measures, first=extract_date == every[0])
        con.register("extract_changes", changes)
        try:
            db.run(con, RECORDED_BY, {"extract_date": extract_date})
        finally:
            con.unregister("extract_changes")
    for measure in measures:
        db.run(
            con,
            "loading/upsert_measure_build",
            {"measure": measure.id, "definition_sha256": definition_sha256(measure)},
        )
    return len(dates)


def stale_measures(
    con: duckdb.DuckDBPyConnection, measures: tuple[Measure, ...]
) -> tuple[Measure, ...]:
    """Measures whose recorded changes are missing or came from another definition."""
    built = dict(db.query(con, "queries/measure_builds"))
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


def state_counts(
    con: duckdb.DuckDBPyConnection, as_of: dt.date, measures: tuple[Measure, ...] = MEASURES
) -> pa.Table:
    """The counts the long way: from the latest version of every crime as of the date."""
    return count_versions(con, AS_OF, as_of, measures)
