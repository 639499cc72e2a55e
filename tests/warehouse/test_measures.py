"""Each measure definition on hand-built extracts; one test per exclusion rule.

Every test starts from one knife robbery in Camden with one injured victim aged 20, which
counts once for every measure, then adds a row that a rule must leave out. Dropping the rule
would change the count, so each test fails if its rule is dropped.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from statement_figures.config import Settings
from tests.support.extracts import crime, victim, write_extract
from tests.support.warehouse import counts_by_area, ingest, london

BASE_CRIMES = [crime("C1")]
BASE_VICTIMS = [victim("C1")]
ONE_EACH = {"knife_crime": 1, "knife_crime_with_injury": 1, "knife_injury_victims_u25": 1}


def counts_with(
    settings: Settings, tmp_path: Path, crimes: list[dict[str, Any]], victims: list[dict[str, Any]]
) -> dict[str, int]:
    paths = write_extract(
        tmp_path / "in", "2021-12-06", BASE_CRIMES + crimes, BASE_VICTIMS + victims
    )
    ingest(settings, paths)
    return london(settings)


def test_the_base_extract_counts_once_for_every_measure(settings: Settings, tmp_path: Path) -> None:
    assert counts_with(settings, tmp_path, [], []) == ONE_EACH


@pytest.mark.parametrize(
    "group", ["homicide", "violence_with_injury", "violence_without_injury", "sexual_offences"]
)
def test_knife_crime_counts_every_eligible_offence_group(
    settings: Settings, tmp_path: Path, group: str
) -> None:
    counts = counts_with(settings, tmp_path, [crime("C2", offence_group=group)], [])
    assert counts["knife_crime"] == 2


def test_possession_of_weapons_is_not_knife_crime(settings: Settings, tmp_path: Path) -> None:
    excluded = crime("C2", offence_group="possession_of_weapons")
    counts = counts_with(settings, tmp_path, [excluded], [victim("C2")])
    assert counts == ONE_EACH


def test_offence_group_other_is_not_knife_crime(settings: Settings, tmp_path: Path) -> None:
    counts = counts_with(settings, tmp_path, [crime("C2", offence_group="other")], [victim("C2")])
    assert counts == ONE_EACH


def test_a_crime_without_the_knife_flag_is_not_knife_crime(
    settings: Settings, tmp_path: Path
) -> None:
    counts = counts_with(settings, tmp_path, [crime("C2", knife_flag="false")], [victim("C2")])
    assert counts == ONE_EACH


def test_a_cancelled_crime_is_not_counted(settings: Settings, tmp_path: Path) -> None:
    counts = counts_with(settings, tmp_path, [crime("C2", status="cancelled")], [victim("C2")])
    assert counts == ONE_EACH


def test_knife_crime_with_injury_needs_an_injured_victim(
    settings: Settings, tmp_path: Path
) -> None:
    counts = counts_with(settings, tmp_path, [crime("C2")], [victim("C2", injured="false")])
    assert counts == {**ONE_EACH, "knife_crime": 2}


def test_knife_crime_with_injury_counts_a_crime_once_however_many_injured(
    settings: Settings, tmp_path: Path
) -> None:
    counts = counts_with(settings, tmp_path, [], [victim("C1", victim_ref="V2", age="40")])
    assert counts == ONE_EACH


def test_under_25_victims_of_domestic_abuse_knife_crimes_are_not_counted(
    settings: Settings, tmp_path: Path
) -> None:
    counts = counts_with(settings, tmp_path, [crime("C2", domestic_abuse="true")], [victim("C2")])
    assert counts == {**ONE_EACH, "knife_crime": 2, "knife_crime_with_injury": 2}


@pytest.mark.parametrize("age", ["0", "25", "60"])
def test_victims_outside_ages_1_to_24_are_not_counted(
    settings: Settings, tmp_path: Path, age: str
) -> None:
    counts = counts_with(settings, tmp_path, [], [victim("C1", victim_ref="V2", age=age)])
    assert counts == ONE_EACH


@pytest.mark.parametrize("age", ["1", "24"])
def test_victims_aged_1_and_24_are_counted(settings: Settings, tmp_path: Path, age: str) -> None:
    counts = counts_with(settings, tmp_path, [], [victim("C1", victim_ref="V2", age=age)])
    assert counts == {**ONE_EACH, "knife_injury_victims_u25": 2}


def test_victims_of_unknown_age_are_not_counted(settings: Settings, tmp_path: Path) -> None:
    counts = counts_with(settings, tmp_path, [], [victim("C1", victim_ref="V2", age=None)])
    assert counts == ONE_EACH


def test_uninjured_young_victims_are_not_counted(settings: Settings, tmp_path: Path) -> None:
    counts = counts_with(settings, tmp_path, [], [victim("C1", victim_ref="V2", injured="false")])
    assert counts == ONE_EACH


def test_young_victims_of_crimes_that_are_not_knife_crime_are_not_counted(
    settings: Settings, tmp_path: Path
) -> None:
    counts = counts_with(
        settings, tmp_path, [crime("C2", offence_group="possession_of_weapons")], [victim("C2")]
    )
    assert counts["knife_injury_victims_u25"] == 1


def test_a_crime_of_unknown_borough_counts_for_london_only(
    settings: Settings, tmp_path: Path
) -> None:
    write_extract(tmp_path / "in", "2021-12-06", [crime("C1"), crime("C2", borough_code=None)])
    ingest(settings, sorted((tmp_path / "in").glob("*.csv")))
    counts = counts_by_area(settings)["knife_crime"]
    assert counts["MPS"] == 2
    assert counts["E09000007"] == 1
    assert counts[None] == 1
