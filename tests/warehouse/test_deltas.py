"""Counts kept one extract at a time: each extract records only what it changes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from statement_figures.config import Settings
from statement_figures.domain.measures import MEASURES
from statement_figures.warehouse import db
from statement_figures.warehouse.counts import incident_counts
from statement_figures.warehouse.deltas import stale_measures
from tests.support.extracts import Row, crime, victim, write_extract
from tests.support.warehouse import ingest, london

FIRST = dt.date(2021, 12, 6)
SECOND = dt.date(2021, 12, 7)
THIRD = dt.date(2021, 12, 8)
MARCH = dt.date(2021, 3, 1)
CAMDEN = "E09000007"


def load(
    settings: Settings, folder: Path, date: dt.date, crimes: list[Row], victims: list[Row]
) -> None:
    ingest(settings, write_extract(folder / str(date), date, crimes, victims))


def recorded_changes(settings: Settings, extract_date: dt.date) -> set[tuple[object, ...]]:
    with db.connect(settings) as con:
        rows = con.execute(
            "select measure, borough_code, month, count from measure_deltas where extract_date = ?",
            [extract_date],
        ).fetchall()
    return set(rows)


def test_an_extract_records_only_what_it_changes(settings: Settings, tmp_path: Path) -> None:
    load(settings, tmp_path, FIRST, [crime("C1"), crime("C2")], [victim("C1")])
    load(settings, tmp_path, SECOND, [crime("C1", status="cancelled")], [victim("C1")])
    assert recorded_changes(settings, FIRST) == {
        ("knife_crime", CAMDEN, MARCH, 2),
        ("knife_crime_with_injury", CAMDEN, MARCH, 1),
        ("knife_injury_victims_u25", CAMDEN, MARCH, 1),
    }
    assert recorded_changes(settings, SECOND) == {
        ("knife_crime", CAMDEN, MARCH, -1),
        ("knife_crime_with_injury", CAMDEN, MARCH, -1),
        ("knife_injury_victims_u25", CAMDEN, MARCH, -1),
    }


def test_an_unchanged_crime_sent_again_records_no_change(
    settings: Settings, tmp_path: Path
) -> None:
    load(settings, tmp_path, FIRST, [crime("C1")], [victim("C1")])
    load(settings, tmp_path, SECOND, [crime("C1")], [victim("C1")])
    assert recorded_changes(settings, SECOND) == set()


def test_a_late_extract_between_two_loaded_ones_rerecords_the_later_one(
    settings: Settings, tmp_path: Path
) -> None:
    load(settings, tmp_path, FIRST, [crime("C1")], [])
    load(settings, tmp_path, THIRD, [crime("C1", status="cancelled")], [])
    assert recorded_changes(settings, THIRD) == {("knife_crime", CAMDEN, MARCH, -1)}
    # The late extract moves C1 to Westminster: the third now replaces that version instead.
    load(settings, tmp_path, SECOND, [crime("C1", borough_code="E09000033")], [])
    assert recorded_changes(settings, THIRD) == {("knife_crime", "E09000033", MARCH, -1)}
    assert london(settings, FIRST)["knife_crime"] == 1
    assert london(settings, SECOND)["knife_crime"] == 1
    assert london(settings, THIRD)["knife_crime"] == 0


def test_a_redefined_measure_is_recounted_from_the_first_extract(
    settings: Settings, tmp_path: Path
) -> None:
    load(settings, tmp_path, FIRST, [crime("C1"), crime("C2")], [])
    load(settings, tmp_path, SECOND, [crime("C3")], [])
    with db.connect(settings) as con:
        # As if knife_crime's SQL had changed since, and its recorded changes were wrong.
        con.execute(
            "update measure_builds set definition_sha256 = 'old' where measure = ?", ["knife_crime"]
        )
        con.execute("update measure_deltas set count = 99 where measure = 'knife_crime'")
        assert [m.id for m in stale_measures(con, MEASURES)] == ["knife_crime"]
        counts = incident_counts(con, SECOND).to_pylist()
        assert stale_measures(con, MEASURES) == ()
    knife = [(r["month"], r["count"]) for r in counts if r["measure"] == "knife_crime"]
    assert knife == [(MARCH, 3)]
