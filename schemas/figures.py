"""The output contract of the figures frame: one row per figure of a publication (brief 5).

Checked before anything is published (publication/contracts.py): a figure that breaks a rule
here means the code is wrong, and nothing is written.
"""

from __future__ import annotations

import pandera.polars as pa
import polars as pl
from pandera.api.polars.types import PolarsData

from statement_figures.domain.measures import MEASURES
from statement_figures.domain.periods import PERIOD_TYPES

AREA_TYPES = ("london", "bcu", "borough", "ward")
DIRECTIONS = ("decrease", "increase", "no_change")
MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"
HUNDREDTHS = r"^-?\d+\.\d{2}$"
# The frame's columns and types, in the figures file's order.
SCHEMA = {
    "measure": pl.String,
    "label": pl.String,
    "area_type": pl.String,
    "area_code": pl.String,
    "area_name": pl.String,
    "period_type": pl.String,
    "period_start": pl.String,
    "period_end": pl.String,
    "baseline_start": pl.String,
    "baseline_end": pl.String,
    "count": pl.Int64,
    "baseline_count": pl.Int64,
    "change": pl.Int64,
    "change_pct": pl.Int64,
    "change_pct_exact": pl.String,
    "direction": pl.String,
    "suppressed": pl.Boolean,
    "sentence": pl.String,
    "change_pct_ci_low": pl.String,
    "change_pct_ci_high": pl.String,
    "significant": pl.Boolean,
}


class Figures(pa.DataFrameModel):
    """One figure: a measure for an area, a period against its baseline."""

    measure: str = pa.Field(isin=[m.id for m in MEASURES], description="The measure's id")
    label: str = pa.Field(description="The measure's label")
    area_type: str = pa.Field(isin=AREA_TYPES, description="london, bcu, borough or ward")
    area_code: str = pa.Field(description="The area's code (MPS for London)")
    area_name: str = pa.Field(description="The area's name")
    period_type: str = pa.Field(isin=PERIOD_TYPES, description="ytd, rolling_12m, month, fytd")
    period_start: str = pa.Field(str_matches=MONTH, description="First month counted, YYYY-MM")
    period_end: str = pa.Field(str_matches=MONTH, description="Last month counted, YYYY-MM")
    baseline_start: str = pa.Field(str_matches=MONTH, description="First baseline month")
    baseline_end: str = pa.Field(str_matches=MONTH, description="Last baseline month")
    count: int = pa.Field(ge=0, description="Count in the period")
    baseline_count: int = pa.Field(ge=0, description="Count in the baseline period")
    change: int = pa.Field(description="count - baseline_count")
    change_pct: int = pa.Field(nullable=True, description="Percentage change, rounded")
    change_pct_exact: str = pa.Field(
        nullable=True, str_matches=HUNDREDTHS, description="Percentage change, two decimals"
    )
    direction: str = pa.Field(isin=DIRECTIONS, description="decrease, increase or no_change")
    suppressed: bool = pa.Field(description="The baseline is below the spec's minimum")
    sentence: str = pa.Field(nullable=True, description="The sentence a statement may quote")
    change_pct_ci_low: str = pa.Field(
        nullable=True, str_matches=HUNDREDTHS, description="95% interval of the change: low"
    )
    change_pct_ci_high: str = pa.Field(
        nullable=True, str_matches=HUNDREDTHS, description="95% interval of the change: high"
    )
    significant: bool = pa.Field(
        nullable=True, description="The interval excludes no change: beyond natural variation"
    )

    class Config:
        strict = True
        coerce = False
        unique = ("measure", "area_code")

    @pa.dataframe_check(name="change is count minus baseline_count")
    def _change(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("change") == pl.col("count") - pl.col("baseline_count"))

    @pa.dataframe_check(name="direction follows the sign of change")
    def _direction(cls, data: PolarsData) -> pl.LazyFrame:
        expected = (
            pl.when(pl.col("change") < 0)
            .then(pl.lit("decrease"))
            .when(pl.col("change") > 0)
            .then(pl.lit("increase"))
            .otherwise(pl.lit("no_change"))
        )
        return data.lazyframe.select(pl.col("direction") == expected)

    @pa.dataframe_check(name="a percentage exactly when the baseline is stated and not suppressed")
    def _percentage(cls, data: PolarsData) -> pl.LazyFrame:
        stated = ~pl.col("suppressed") & (pl.col("baseline_count") > 0)
        return data.lazyframe.select(
            (pl.col("change_pct").is_not_null() == stated)
            & (pl.col("change_pct_exact").is_not_null() == stated)
            & (pl.col("sentence").is_not_null() == stated)
        )

    @pa.dataframe_check(
        name="change_pct and change_pct_exact are 100 x change / baseline_count rounded half "
        "away from zero (to a whole number, to two decimals)"
    )
    def _rounding(cls, data: PolarsData) -> pl.LazyFrame:
        def rounded(scale: int) -> pl.Expr:  # |x| rounds to (2 |n| + d) // 2d for x = n / d
            change, base = pl.col("change"), pl.col("baseline_count")
            return change.sign() * ((2 * scale * change.abs() + base) // (2 * base))

        hundredths = (pl.col("change_pct_exact").cast(pl.Decimal(38, 2), strict=False) * 100).cast(
            pl.Int64
        )
        holds = (pl.col("change_pct") == rounded(100)) & (hundredths == rounded(10_000))
        return data.lazyframe.select(holds.fill_null(pl.col("change_pct").is_null()))

    @pa.dataframe_check(
        name="an interval exactly with a percentage, holding it, significant when it excludes 0"
    )
    def _interval(cls, data: PolarsData) -> pl.LazyFrame:
        def number(column: str) -> pl.Expr:
            return pl.col(column).cast(pl.Decimal(38, 2), strict=False)

        low, high, exact = (
            number("change_pct_ci_low"),
            number("change_pct_ci_high"),
            number("change_pct_exact"),
        )
        stated = pl.col("change_pct").is_not_null()
        present = (
            (low.is_not_null() == stated)
            & (high.is_not_null() == stated)
            & (pl.col("significant").is_not_null() == stated)
        )
        zero = pl.lit(0).cast(pl.Decimal(38, 2))
        # significance is decided on the unrounded bounds: a bound may round to 0.00 either way
        excludes_zero = (low >= zero) | (high <= zero)
        includes_zero = (low <= zero) & (high >= zero)
        sign = pl.when(pl.col("significant")).then(excludes_zero).otherwise(includes_zero)
        holds = (low <= exact) & (exact <= high) & sign
        return data.lazyframe.select(present & holds.fill_null(~stated))
