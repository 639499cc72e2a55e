"""Natural variation: a 95% interval for a percentage change between two counts.

The current period's count and the baseline period's count are treated as Poisson counts over
periods of equal length. Conditional on their sum n, the current count is Binomial(n, p) with
p = rate_ratio / (1 + rate_ratio). The exact (Clopper-Pearson) interval for p is turned into an
interval for the rate ratio p / (1 - p), and so for the percentage change 100 * (ratio - 1).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from scipy.stats import beta

HUNDREDTHS = Decimal("0.01")


@dataclass(frozen=True)
class ChangeInterval:
    """An interval for a percentage change, as strings with two decimals ("-35.41").

    `high` is None when the upper bound is infinite (never for a figure with a baseline above
    zero). `significant` is True when the interval excludes zero: the change is beyond natural
    variation.
    """

    low: str | None
    high: str | None
    significant: bool


def percent_text(value: float) -> str:
    """A percentage with exactly two decimals, rounded half away from zero: -35.41, 0.00, 12.50.

    Rounds the float's exact binary value with decimal.Decimal, so the result does not depend on
    how the float would be printed. Zero is written without a sign.
    """
    rounded = Decimal(value).quantize(HUNDREDTHS, rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)
    return f"{rounded:f}"


def _ratio_to_change(p: float) -> float:
    """The percentage change for a binomial proportion p = ratio / (1 + ratio), p < 1."""
    return 100.0 * (p / (1.0 - p) - 1.0)


def change_interval(count: int, baseline: int, level: float = 0.95) -> ChangeInterval | None:
    """The exact conditional interval for the percentage change from `baseline` to `count`.

    None when the baseline is zero: no percentage is ever given on a zero baseline.
    Raises ValueError for negative counts or a level outside (0, 1).
    """
    if count < 0 or baseline < 0:
        raise ValueError(f"counts must not be negative (count {count}, baseline {baseline})")
    if not 0.0 < level < 1.0:
        raise ValueError(f"the level must be between 0 and 1, not {level}")
    if baseline == 0:
        return None
    alpha = 1.0 - level
    n = count + baseline
    p_low = 0.0 if count == 0 else float(beta.ppf(alpha / 2, count, n - count + 1))
    p_high = float(beta.ppf(1 - alpha / 2, count + 1, n - count))
    low = _ratio_to_change(p_low)
    high = _ratio_to_change(p_high)
    return ChangeInterval(
        low=percent_text(low),
        high=percent_text(high),
        significant=high < 0.0 or low > 0.0,
    )
