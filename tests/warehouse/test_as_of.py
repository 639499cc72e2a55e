"""The state as of a date: the latest version of each crime in an extract on or before it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from statement_figures.config import Settings
from tests.support.extracts import Row, crime, victim, write_extract
from tests.support.warehouse import counts_by_area, ingest, london

FIRST = dt.date(2021, 12, 6)
SECOND = dt.date(2021, 12, 7)


def load(
    settings: Settings, folder: Path, date: dt.date, crimes: list[Row], victims: list[Row]
) -> None:
    ingest(settings, write_extract(folder / str(date), date, crimes, victims))


def test_a_later_extract_revises_a_crime(settings: Settings, tmp_path: Path) -> None:
    load(settings, tmp_path, FIRST, [crime("C1", offence_group="possession_of_weapons")], [])
    load(settings, tmp_path, SECOND, [crime("C1", offence_group="robbery")], [])
    assert london(settings, FIRST)["knife_crime"] == 0
    assert london(settings, SECOND)["knife_crime"] == 1


def test_a_cancelled_crime_stops_counting(settings: Settings, tmp_path: Path) -> None:
    load(settings, tmp_path, FIRST, [crime("C1"), crime("C2")], [victim("C1")])
    load(settings, tmp_path, SECOND, [crime("C1", status="cancelled")], [victim("C1")])
    assert london(settings, FIRST)["knife_crime"] == 2
    assert london(settings, SECOND) == {
        "knife_crime": 1,
        "knife_crime_with_injury": 0,
        "knife_injury_victims_u25": 0,
    }


def test_a_late_recorded_crime_lands_in_its_recorded_month(
    settings: Settings, tmp_path: Path
) -> None:
    load(settings, tmp_path, FIRST, [crime("C1", recorded_date="2021-11-30")], [])
    load(settings, tmp_path, SECOND, [crime("C2", recorded_date="2021-02-01")], [])
    from statement_figures.warehouse import db
    from statement_figures.warehouse.counts import incident_counts

    with db.connect(settings) as con:
        rows = incident_counts(con, SECOND).to_pylist()
    months = {(r["month"], r["count"]) for r in rows if r["measure"] == "knife_crime"}
    assert months == {(dt.date(2021, 11, 1), 1), (dt.date(2021, 2, 1), 1)}


def test_victims_come_from_the_same_version_as_their_crime(
    settings: Settings, tmp_path: Path
) -> None:
    load(settings, tmp_path, FIRST, [crime("C1")], [victim("C1", age="30")])
    load(
        settings,
        tmp_path,
        SECOND,
        [crime("C1")],
        [victim("C1", age="30"), victim("C1", victim_ref="V2", age="17")],
    )
    assert london(settings, FIRST)["knife_injury_victims_u25"] == 0
    assert london(settings, SECOND)["knife_injury_victims_u25"] == 1


def test_extracts_arriving_out_of_order_take_their_place_by_date(
    settings: Settings, tmp_path: Path
) -> None:
    load(settings, tmp_path, SECOND, [crime("C1", status="cancelled")], [])
    load(settings, tmp_path, FIRST, [crime("C1")], [])
    assert london(settings, FIRST)["knife_crime"] == 1
    assert london(settings, SECOND)["knife_crime"] == 0


def test_an_extract_after_the_as_of_date_is_ignored(settings: Settings, tmp_path: Path) -> None:
    load(settings, tmp_path, FIRST, [crime("C1")], [])
    load(settings, tmp_path, SECOND, [crime("C2", borough_code=None)], [])
    assert counts_by_area(settings, FIRST)["knife_crime"]["MPS"] == 1
