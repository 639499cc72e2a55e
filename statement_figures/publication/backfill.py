"""Backfill: one publication per period end, as of today's data or as of when each was due.

The plain functions the `backfill` flow (flows/backfill.py) wires, one period at a time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from statement_figures.config import Settings
from statement_figures.domain.errors import FiguresError
from statement_figures.domain.periods import add_months, month_text, months
from statement_figures.domain.spec import Spec
from statement_figures.publication.publish import publish
from statement_figures.warehouse import db
from statement_figures.warehouse.queries import default_source, latest_extract

LAST_AS_OF_DAY = 28  # every month has it


@dataclass(frozen=True)
class Step:
    """One period of a backfill, done."""

    period_end: str
    as_of: str
    folder: str
    unchanged: bool

    @property
    def outcome(self) -> str:
        return "unchanged" if self.unchanged else "published"


def period_ends(first: dt.date, last: dt.date) -> list[dt.date]:
    """Every month from first to last, both included."""
    if last < first:
        raise FiguresError(f"--to {month_text(last)} is before --from {month_text(first)}")
    return months(first, last)


def due_date(period_end: dt.date, as_of_day: int) -> dt.date:
    """The day a period's figures would have been published: day N of the following month."""
    if not 1 <= as_of_day <= LAST_AS_OF_DAY:
        raise FiguresError(f"the as-of day must be 1 to {LAST_AS_OF_DAY}, not {as_of_day}")
    return add_months(period_end, 1).replace(day=as_of_day)


def as_of_for(
    settings: Settings, period_end: dt.date, as_of: dt.date | None, as_of_day: int | None
) -> dt.date:
    """The as-of date of a period's publication: the latest extract on or before the due date
    (with as_of_day), on or before as_of (when given), else the latest extract loaded."""
    bound = due_date(period_end, as_of_day) if as_of_day is not None else as_of
    with db.connect(settings) as con:
        return latest_extract(con, default_source(con, bound), bound)


def backfill_period(
    settings: Settings,
    spec: Spec,
    period_end: dt.date,
    as_of: dt.date | None = None,
    as_of_day: int | None = None,
    run_id: str | None = None,
) -> Step:
    """Publish one period end (LATEST is left alone); identical bytes are left in place."""
    resolved = as_of_for(settings, period_end, as_of, as_of_day)
    publication = publish(
        settings,
        spec=spec.with_overrides(period_end=period_end),
        as_of=resolved,
        run_id=run_id,
        point_latest=False,
    )
    return Step(
        month_text(period_end), resolved.isoformat(), str(publication.folder), publication.unchanged
    )
