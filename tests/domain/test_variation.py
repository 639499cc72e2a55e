"""The 95% interval for a percentage change (exact conditional Poisson, Clopper-Pearson).

The expected bounds are literals computed once, independently of scipy: each Clopper-Pearson
bound was found by bisection (200 steps) at 50 significant digits with mpmath, solving
P(X >= x) = 0.025 for the lower and P(X <= x) = 0.025 for the upper bound of p, where
X ~ Binomial(count + baseline, p), with the tails summed term by term (and, for the first four
cases, checked against mpmath's regularised incomplete beta function). Each p was turned into
100 * (p / (1 - p) - 1), quoted below to 12 significant digits, and rounded to two decimals by
hand.
"""

from __future__ import annotations

import pytest

from statement_figures.domain.variation import ChangeInterval, change_interval, percent_text


def test_fifteen_against_twenty_is_minus_64_27_to_plus_54_11_and_not_significant() -> None:
    # mpmath: -64.2729416106 and 54.1096245843
    assert change_interval(15, 20) == ChangeInterval("-64.27", "54.11", significant=False)


def test_zero_against_ten_has_a_lower_bound_of_exactly_minus_100() -> None:
    # By hand: x = 0 gives p_low = 0; the upper bound solves (1 - p)^10 = 0.025, so
    # p / (1 - p) = 0.025^(-1/10) - 1 = 0.446125..., a change of -55.3874450408 per cent.
    assert change_interval(0, 10) == ChangeInterval("-100.00", "-55.39", significant=True)


def test_a_borough_base_of_46_against_60_is_within_natural_variation() -> None:
    # mpmath: -48.9485681421 and 14.4708111798 (the "-23 per cent on a base of 46")
    assert change_interval(46, 60) == ChangeInterval("-48.95", "14.47", significant=False)


def test_no_change_on_a_thousand_is_not_significant() -> None:
    # mpmath: -8.48394878071 and 9.27044891871
    assert change_interval(1000, 1000) == ChangeInterval("-8.48", "9.27", significant=False)


def test_nine_thousand_against_thirteen_thousand_is_significant() -> None:
    # mpmath (direct binomial tails, 40 digits): -32.6125523773 and -28.8778225385
    assert change_interval(9000, 13000) == ChangeInterval("-32.61", "-28.88", significant=True)


def test_a_zero_baseline_gives_no_interval() -> None:
    assert change_interval(5, 0) is None
    assert change_interval(0, 0) is None


def test_negative_counts_are_refused_with_the_counts_named() -> None:
    with pytest.raises(ValueError, match=r"count -1, baseline 10"):
        change_interval(-1, 10)
    with pytest.raises(ValueError, match=r"count 10, baseline -1"):
        change_interval(10, -1)


def test_a_level_outside_zero_to_one_is_refused() -> None:
    with pytest.raises(ValueError, match="between 0 and 1"):
        change_interval(10, 10, level=1.0)


def test_a_wider_level_gives_a_wider_interval() -> None:
    narrow = change_interval(46, 60, level=0.9)
    wide = change_interval(46, 60)
    assert narrow is not None and wide is not None
    assert narrow.low is not None and narrow.high is not None
    assert wide.low is not None and wide.high is not None
    assert float(wide.low) < float(narrow.low) < float(narrow.high) < float(wide.high)


def test_percentages_are_written_with_two_decimals_rounded_half_away_from_zero() -> None:
    # 0.125, 2.5 and 10.375 are exact in binary, so these are true ties.
    assert percent_text(0.125) == "0.13"
    assert percent_text(-0.125) == "-0.13"
    assert percent_text(-10.375) == "-10.38"
    assert percent_text(2.5) == "2.50"
    assert percent_text(-100.0) == "-100.00"
    assert percent_text(1234.5) == "1234.50"


def test_a_value_that_rounds_to_zero_is_written_without_a_sign() -> None:
    assert percent_text(-0.004) == "0.00"
    assert percent_text(-0.0) == "0.00"


def test_the_interval_is_the_same_every_time() -> None:
    first = change_interval(14206, 20890)
    assert all(change_interval(14206, 20890) == first for _ in range(20))
