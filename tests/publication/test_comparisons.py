"""Comparisons through the real publish path: rounding, zero and small baselines, wording."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from statement_figures.config import Settings
from statement_figures.domain.spec import Spec
from statement_figures.publication.publish import publish
from tests.support.extracts import crime, write_extract
from tests.support.warehouse import figures_by_key, ingest

MARCH = Spec(period_type="month", period_end=dt.date(2021, 3, 1), baseline_year=2019)
WESTMINSTER, HACKNEY = "E09000033", "E09000012"


def london_figure(
    settings: Settings, tmp_path: Path, baseline: int, current: int, spec: Spec = MARCH
) -> dict[str, Any]:
    """Publish London knife crime for March 2021 against March 2019 with the given counts."""
    crimes = [crime(f"B{i}", recorded_date="2019-03-15") for i in range(baseline)]
    crimes += [crime(f"C{i}", recorded_date="2021-03-15") for i in range(current)]
    ingest(settings, write_extract(tmp_path / "in", "2021-12-06", crimes))
    doc = publish(settings, spec=spec).document
    return figures_by_key(doc)[("knife_crime", "MPS")]


@pytest.mark.parametrize(
    ("baseline", "current", "pct", "exact", "sentence"),
    [
        (40, 39, -3, "-2.50", "Knife crime decreased by 3 per cent"),
        (40, 41, 3, "2.50", "Knife crime increased by 3 per cent"),
        (200, 135, -33, "-32.50", "Knife crime decreased by 33 per cent"),
        (200, 137, -32, "-31.50", "Knife crime decreased by 32 per cent"),
        (300, 299, 0, "-0.33", "Knife crime decreased by less than 1 per cent"),
        (30, 30, 0, "0.00", "Knife crime did not change"),
        (3, 6, None, None, None),
    ],
)
def test_percentages_round_half_away_from_zero(
    settings: Settings,
    tmp_path: Path,
    baseline: int,
    current: int,
    pct: int | None,
    exact: str | None,
    sentence: str | None,
) -> None:
    figure = london_figure(settings, tmp_path, baseline, current)
    assert (figure["count"], figure["baseline_count"]) == (current, baseline)
    assert figure["change"] == current - baseline
    assert figure["change_pct"] == pct
    assert figure["change_pct_exact"] == exact
    assert figure["sentence"] == sentence


def test_a_baseline_below_the_minimum_is_suppressed(settings: Settings, tmp_path: Path) -> None:
    figure = london_figure(settings, tmp_path, baseline=9, current=3)
    assert figure["suppressed"] is True
    assert figure["change"] == -6
    assert figure["direction"] == "decrease"
    assert (figure["change_pct"], figure["change_pct_exact"], figure["sentence"]) == (
        None,
        None,
        None,
    )


def test_a_baseline_at_the_minimum_is_not_suppressed(settings: Settings, tmp_path: Path) -> None:
    figure = london_figure(settings, tmp_path, baseline=10, current=5)
    assert figure["suppressed"] is False
    assert figure["change_pct"] == -50


def test_a_zero_baseline_gives_no_percentage_and_no_error(
    settings: Settings, tmp_path: Path
) -> None:
    spec = Spec(period_type="month", period_end=dt.date(2021, 3, 1), baseline_year=2019, min_base=0)
    figure = london_figure(settings, tmp_path, baseline=0, current=4, spec=spec)
    assert figure["suppressed"] is False
    assert figure["change"] == 4
    assert figure["direction"] == "increase"
    assert (figure["change_pct"], figure["change_pct_exact"], figure["sentence"]) == (
        None,
        None,
        None,
    )


@pytest.mark.parametrize(
    ("period_type", "end", "expected", "months_counted"),
    [
        ("ytd", "2021-11", ("2021-01", "2021-11", "2019-01", "2019-11"), 11),
        ("rolling_12m", "2021-11", ("2020-12", "2021-11", "2018-12", "2019-11"), 12),
        ("month", "2021-11", ("2021-11", "2021-11", "2019-11", "2019-11"), 1),
        ("fytd", "2021-11", ("2021-04", "2021-11", "2019-04", "2019-11"), 8),
        ("fytd", "2022-02", ("2021-04", "2022-02", "2018-04", "2019-02"), 11),
    ],
)
def test_each_period_type_counts_its_own_months(
    settings: Settings,
    tmp_path: Path,
    period_type: str,
    end: str,
    expected: tuple[str, ...],
    months_counted: int,
) -> None:
    """One knife crime a month from 2018 to February 2022: each period and its baseline count
    exactly their own months."""
    months = [f"{y}-{m:02d}" for y in (2018, 2019, 2020, 2021, 2022) for m in range(1, 13)]
    crimes = [crime(f"C{i}", recorded_date=f"{mo}-10") for i, mo in enumerate(months)]
    crimes = [c for c in crimes if c["recorded_date"] < "2022-03"]
    ingest(settings, write_extract(tmp_path / "in", "2022-03-05", crimes))
    year, month = (int(p) for p in end.split("-"))
    spec = Spec(period_type=period_type, period_end=dt.date(year, month, 1), min_base=0)
    figure = figures_by_key(publish(settings, spec=spec).document)[("knife_crime", "MPS")]
    span = (
        figure["period_start"],
        figure["period_end"],
        figure["baseline_start"],
        figure["baseline_end"],
    )
    assert span == expected
    assert (figure["count"], figure["baseline_count"]) == (months_counted, months_counted)


def test_unknown_borough_counts_for_london_but_no_borough_or_bcu(
    settings: Settings, tmp_path: Path
) -> None:
    crimes = [crime(f"B{i}", recorded_date="2019-03-15") for i in range(10)]
    crimes += [
        crime("C1", recorded_date="2021-03-15"),
        crime("C2", recorded_date="2021-03-15", borough_code=None),
    ]
    ingest(settings, write_extract(tmp_path / "in", "2021-12-06", crimes))
    figures = figures_by_key(publish(settings, spec=MARCH).document)
    assert figures[("knife_crime", "MPS")]["count"] == 2
    assert figures[("knife_crime", "CN")]["count"] == 1
    assert figures[("knife_crime", "E09000007")]["count"] == 1
    boroughs = [f for f in figures.values() if f["area_type"] == "borough"]
    assert sum(int(str(f["count"])) for f in boroughs if f["measure"] == "knife_crime") == 1


def test_the_figures_file_is_byte_identical_for_identical_inputs(
    settings: Settings, tmp_path: Path
) -> None:
    ingest(settings, write_extract(tmp_path / "in", "2021-12-06", [crime("C1")]))
    first = publish(settings, out=tmp_path / "one").figures_json.read_bytes()
    second = publish(settings, out=tmp_path / "two").figures_json.read_bytes()
    assert first == second
    doc = json.loads(first)
    assert list(doc) == sorted(doc)
    assert doc["as_of"] == "2021-12-06"
    assert len(doc["figures"]) == 3 * (1 + 12 + 32)


@pytest.mark.parametrize(
    ("period_type", "reaches_before"),
    [("month", False), ("ytd", True), ("rolling_12m", True)],
)
def test_a_comparison_reaching_before_the_data_starts_says_so_in_the_caveats(
    settings: Settings, tmp_path: Path, period_type: str, reaches_before: bool
) -> None:
    crimes = [crime("B1", recorded_date="2019-03-15"), crime("C1", recorded_date="2021-03-15")]
    ingest(settings, write_extract(tmp_path / "in", "2021-12-06", crimes))
    spec = Spec(period_type=period_type, period_end=dt.date(2021, 3, 1), baseline_year=2019)
    caveats = publish(settings, spec=spec).document["caveats"]
    warned = [c for c in caveats if c.startswith("The data starts in")]
    if not reaches_before:  # March 2021 against March 2019: all after the data starts
        assert warned == []
    else:  # from 2019-01 (ytd) or 2018-04 (rolling 12 months)
        assert warned == [
            "The data starts in 2019-03: the months of the comparison before that have no data "
            "and count as zero, so a change against them is not a real change."
        ]


def test_each_figure_with_a_percentage_carries_its_interval_and_whether_it_is_beyond_chance(
    settings: Settings, tmp_path: Path
) -> None:
    """Camden 0 against 10 (beyond natural variation), Westminster 15 against 20 (within it),
    Hackney 3 against 0 (no percentage, no interval); intervals as worked in
    tests/domain/test_variation.py."""
    crimes = [crime(f"B{i}", recorded_date="2019-03-01") for i in range(10)]
    crimes += [
        crime(f"W{i}", recorded_date="2019-03-01", borough_code=WESTMINSTER) for i in range(20)
    ]
    crimes += [
        crime(f"X{i}", recorded_date="2021-03-01", borough_code=WESTMINSTER) for i in range(15)
    ]
    crimes += [crime(f"H{i}", recorded_date="2021-03-01", borough_code=HACKNEY) for i in range(3)]
    ingest(settings, write_extract(tmp_path / "in", "2021-12-06", crimes))
    figures = figures_by_key(publish(settings, spec=Spec(min_base=0)).document)
    interval = ("change_pct_ci_low", "change_pct_ci_high", "significant")
    assert tuple(figures[("knife_crime", "E09000007")][k] for k in interval) == (
        "-100.00",
        "-55.39",
        True,
    )
    assert tuple(figures[("knife_crime", WESTMINSTER)][k] for k in interval) == (
        "-64.27",
        "54.11",
        False,
    )
    assert tuple(figures[("knife_crime", HACKNEY)][k] for k in interval) == (None, None, None)
