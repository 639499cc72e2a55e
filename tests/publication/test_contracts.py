"""The output contracts refuse a broken figure or monthly count, in one line, before publishing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa
import pytest

from statement_figures.domain.errors import FiguresError
from statement_figures.publication.contracts import check_outputs

pytestmark = pytest.mark.fault  # the fault suite: `pytest -m fault`


def figure(**changed: Any) -> dict[str, Any]:
    """London knife crime 15 against 20: -25 per cent."""
    return {
        "measure": "knife_crime",
        "label": "Knife crime",
        "area_type": "london",
        "area_code": "MPS",
        "area_name": "London",
        "period_type": "ytd",
        "period_start": "2021-01",
        "period_end": "2021-11",
        "baseline_start": "2019-01",
        "baseline_end": "2019-11",
        "count": 15,
        "baseline_count": 20,
        "change": -5,
        "change_pct": -25,
        "change_pct_exact": "-25.00",
        "direction": "decrease",
        "suppressed": False,
        "sentence": "Knife crime decreased by 25 per cent",
        "change_pct_ci_low": "-64.27",  # worked in tests/domain/test_variation.py
        "change_pct_ci_high": "54.11",
        "significant": False,
        **changed,
    }


def monthly(count: int = 3, month: dt.date = dt.date(2021, 3, 1)) -> pa.Table:
    return pa.table(
        {
            "measure": ["knife_crime"],
            "area_type": ["london"],
            "area_code": ["MPS"],
            "area_name": ["London"],
            "month": pa.array([month], pa.date32()),
            "count": pa.array([count], pa.int64()),
        }
    )


def refusal(figures: list[dict[str, Any]], counts: pa.Table | None = None) -> str:
    with pytest.raises(FiguresError) as caught:
        check_outputs(figures, monthly() if counts is None else counts)
    return str(caught.value)


SUFFIX = "; nothing was published (this is a fault in the code: please report it)"


def test_figures_that_keep_every_rule_pass() -> None:
    suppressed = figure(
        area_type="borough",
        area_code="E09000007",
        area_name="Camden",
        count=4,
        baseline_count=5,
        change=-1,
        change_pct=None,
        change_pct_exact=None,
        suppressed=True,
        sentence=None,
        change_pct_ci_low=None,
        change_pct_ci_high=None,
        significant=None,
    )
    check_outputs([figure(), suppressed], monthly())


def test_a_change_that_is_not_count_minus_baseline_is_refused() -> None:
    assert refusal([figure(change=-4)]) == (
        "output contract: figures row 1 (knife_crime, MPS): change is count minus "
        "baseline_count" + SUFFIX
    )


ROUNDING = (
    "change_pct and change_pct_exact are 100 x change / baseline_count rounded half away from "
    "zero (to a whole number, to two decimals)"
)


def test_percentages_that_are_not_the_change_rounded_are_refused() -> None:
    assert refusal([figure(change_pct_exact="-25.50")]) == (
        f"output contract: figures row 1 (knife_crime, MPS): {ROUNDING}" + SUFFIX
    )
    assert refusal([figure(change_pct=-26)]) == (
        f"output contract: figures row 1 (knife_crime, MPS): {ROUNDING}" + SUFFIX
    )


def test_each_percentage_is_rounded_from_the_exact_change_not_from_the_other() -> None:
    # -6,499 / 20,000 = -32.495 per cent: -32.50 to two decimals, but -32 as a whole number
    # (rounding -32.50 again would give -33).
    check_outputs(
        [
            figure(
                count=13_501,
                baseline_count=20_000,
                change=-6_499,
                change_pct=-32,
                change_pct_exact="-32.50",
                sentence="Knife crime decreased by 32 per cent",
            )
        ],
        monthly(),
    )


def test_a_percentage_on_a_suppressed_figure_is_refused() -> None:
    assert refusal([figure(suppressed=True)]) == (
        "output contract: figures row 1 (knife_crime, MPS): a percentage exactly when the "
        "baseline is stated and not suppressed" + SUFFIX
    )


def test_an_unknown_measure_and_a_malformed_month_are_refused_by_column() -> None:
    assert refusal([figure(measure="gun_crime")]) == (
        "output contract: figures row 1 (gun_crime, MPS): measure: isin(['knife_crime', "
        "'knife_crime_with_injury', 'knife_injury_victims_u25']) (found 'gun_crime')" + SUFFIX
    )
    assert refusal([figure(period_end="2021-13")]).startswith(
        "output contract: figures row 1 (knife_crime, MPS): period_end: str_matches("
    )


def test_the_same_figure_twice_is_refused() -> None:
    assert refusal([figure(), figure()]) == (
        "output contract: figures row 1 (knife_crime, MPS): measure, area_code are unique "
        "together" + SUFFIX
    )


def test_a_negative_monthly_count_is_refused() -> None:
    assert refusal([figure()], monthly(count=-1)) == (
        "output contract: monthly counts row 1 (knife_crime, MPS): count: "
        "greater_than_or_equal_to(0) (found '-1')" + SUFFIX
    )


def test_an_interval_that_does_not_hold_the_change_or_says_otherwise_is_refused() -> None:
    rule = "an interval exactly with a percentage, holding it, significant when it excludes 0"
    for broken in (
        figure(change_pct_ci_low="-20.00"),  # the change, -25.00, is outside it
        figure(significant=True),  # it includes no change
        figure(change_pct_ci_high=None),
    ):
        assert refusal([broken]) == (
            f"output contract: figures row 1 (knife_crime, MPS): {rule}" + SUFFIX
        )
