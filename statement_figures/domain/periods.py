"""Comparison periods: the months a figure counts, and the baseline months it is set against."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from statement_figures.domain.errors import FiguresError

PERIOD_TYPES = ("ytd", "rolling_12m", "month", "fytd")
FINANCIAL_YEAR_START_MONTH = 4


def parse_month(text: str) -> dt.date:
    """YYYY-MM as the first day of that month."""
    try:
        return dt.datetime.strptime(text, "%Y-%m").date()
    except ValueError:
        raise FiguresError(f"{text!r} is not a month written YYYY-MM") from None


def month_text(month: dt.date) -> str:
    return month.strftime("%Y-%m")


def add_months(month: dt.date, months: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def months(first: dt.date, last: dt.date) -> list[dt.date]:
    """Every month from first to last, both included (none when last is before first)."""
    return [
        add_months(first, n)
        for n in range((last.year - first.year) * 12 + last.month - first.month + 1)
    ]


def default_period_end(as_of: dt.date) -> dt.date:
    """The latest complete month as of a date: as of 2021-12-06, November 2021."""
    return add_months(as_of.replace(day=1), -1)


@dataclass(frozen=True)
class Period:
    period_type: str
    start: dt.date
    end: dt.date
    baseline_start: dt.date
    baseline_end: dt.date


def period_start(period_type: str, end: dt.date) -> dt.date:
    if period_type == "ytd":
        return end.replace(month=1)
    if period_type == "rolling_12m":
        return add_months(end, -11)
    if period_type == "month":
        return end
    if period_type == "fytd":
        year = end.year if end.month >= FINANCIAL_YEAR_START_MONTH else end.year - 1
        return dt.date(year, FINANCIAL_YEAR_START_MONTH, 1)
    raise FiguresError(f"unknown period type {period_type!r} (known: {', '.join(PERIOD_TYPES)})")


def comparison_period(period_type: str, end: dt.date, baseline_year: int) -> Period:
    """The period ending `end` and the same span ending in the same month of `baseline_year`."""
    start = period_start(period_type, end)
    shift = 12 * (baseline_year - end.year)
    if shift >= 0:
        raise FiguresError(
            f"the baseline year {baseline_year} must be before the period's year {end.year}"
        )
    return Period(period_type, start, end, add_months(start, shift), add_months(end, shift))
