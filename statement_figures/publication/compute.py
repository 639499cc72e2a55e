"""Compute the figures of a statement spec as of a date: not yet written anywhere.

The figures document is a pure function of the data as of the date, the spec and the code.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa

from statement_figures.domain.errors import FiguresError
from statement_figures.domain.measures import MEASURES_BY_ID
from statement_figures.domain.periods import (
    Period,
    comparison_period,
    default_period_end,
    month_text,
)
from statement_figures.domain.sources import INCIDENTS
from statement_figures.domain.spec import Spec
from statement_figures.publication.figures import caveats, comparisons, document
from statement_figures.version import code_version
from statement_figures.warehouse import db
from statement_figures.warehouse.counts import (
    build_monthly_counts,
    source_counts,
    source_ward_counts,
)
from statement_figures.warehouse.queries import (
    extract_inputs,
    extract_rejects,
    first_month,
    latest_extract,
    synthetic_inputs,
)

log = logging.getLogger(__name__)


def check_rejects(
    con: duckdb.DuckDBPyConnection, source: str, as_of: dt.date, tolerated_share: float
) -> tuple[dt.date, int]:
    """Refuse to publish while the latest extract on or before as_of has rejected rows."""
    extract_date = latest_extract(con, source, as_of)
    rows_read, rejected = extract_rejects(con, source, extract_date)
    if rejected and rejected > tolerated_share * rows_read:
        share = 100 * rejected / rows_read if rows_read else 100.0
        raise FiguresError(
            f"the extract of {extract_date.isoformat()} has {rejected} rejected rows "
            f"({share:.2f} per cent, tolerated {100 * tolerated_share:g} per cent): fix them in a "
            "later extract, or allow them with FIGURES_TOLERATED_REJECT_SHARE; "
            "`figures quarantine` lists them",
            rule="no rejected rows in the latest extract",
        )
    return extract_date, rejected


def comparison_for(spec: Spec, as_of: dt.date, extract_date: dt.date) -> Period:
    """The spec's period and baseline as of a date, whose latest data is from extract_date.

    The period must end in a month complete in the data: the latest complete month as of the
    latest extract on or before the as-of date (an as-of date past the data adds no months).
    """
    latest_complete = default_period_end(extract_date)
    period_end = spec.period_end or latest_complete
    if period_end > latest_complete:
        held = "" if extract_date == as_of else f" (the latest data is of {extract_date})"
        raise FiguresError(
            f"the period end {month_text(period_end)} is not a complete month in the data as "
            f"of {as_of.isoformat()}{held}: the latest complete month is "
            f"{month_text(latest_complete)}"
        )
    return comparison_period(spec.period_type, period_end, spec.baseline_year)


def data_start_within(
    con: duckdb.DuckDBPyConnection, source: str, as_of: dt.date, period: Period
) -> dt.date | None:
    """The first month of data, when the comparison starts before it (else None).

    Months before the data starts count as zero, so a baseline reaching back before it is
    understated: the figures file says so in its caveats.
    """
    first = first_month(con, source, as_of)
    if first is not None and min(period.start, period.baseline_start) < first:
        log.warning(
            "the comparison starts in %s, before the %s data starts (%s): those months count "
            "as zero; the figures file's caveats say so",
            month_text(min(period.start, period.baseline_start)),
            source,
            month_text(first),
        )
        return first
    return None


@dataclass(frozen=True)
class Computed:
    """The figures as of a date, not yet written anywhere."""

    document: dict[str, Any]
    monthly: pa.Table
    period_end: dt.date
    data_date: dt.date  # the latest data on or before the as-of date


def compute_figures(
    con: duckdb.DuckDBPyConnection,
    spec: Spec,
    as_of: dt.date,
    tolerated_share: float = 0.0,
    source: str = INCIDENTS,
) -> Computed:
    """The figures document of the spec as of a date (a pure function of data, spec and code)."""
    extract_date, rejected = check_rejects(con, source, as_of, tolerated_share)
    if extract_date < as_of:
        log.warning(
            "as of %s the latest data is of %s: the figures are those of %s",
            as_of.isoformat(),
            extract_date.isoformat(),
            extract_date.isoformat(),
        )
    period = comparison_for(spec, as_of, extract_date)
    spec = spec.with_overrides(period_end=period.end)  # the same figures, the same bytes
    data_starts = data_start_within(con, source, as_of, period)
    measures = tuple(MEASURES_BY_ID[m] for m in spec.measures)
    log.info("building monthly counts as of %s", as_of.isoformat())
    counts = source_counts(con, source, as_of, measures)
    wards = source_ward_counts(con, source, as_of, measures) if "ward" in spec.area_types else None
    build_monthly_counts(con, counts, measures, period.baseline_start, period.end, wards)
    figures = comparisons(con, spec, period)
    if not figures:
        raise FiguresError(
            f"the spec asks for no figure the {source} data has (area types "
            f"{', '.join(spec.area_types)}; wards come only from the dashboard)",
            rule="a publication has figures",
        )
    monthly = con.sql(db.sql("marts/monthly_counts_mart")).to_arrow_table()
    inputs = extract_inputs(con, source, as_of)
    synthetic = synthetic_inputs(con, source, as_of)
    doc = document(
        spec=spec,
        as_of=as_of,
        source=source,
        figures=figures,
        inputs=inputs,
        code_version=code_version(),
        caveats=caveats(spec, as_of, rejected, extract_date, source, data_starts, synthetic),
        synthetic=synthetic,
    )
    return Computed(doc, monthly, period.end, extract_date)
