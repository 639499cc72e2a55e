"""Backfill: one publication per period end, as of today's data or as of when each was due.

The Prefect flow `backfill` only wires the plain functions below; the command line
(`figures backfill`) and the served deployment (`figures serve`) run the same flow. It holds
the warehouse's writer lock throughout, so it and the nightly run never collide.

Call `flows.prefect_env.configure_prefect` before importing this module.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from flows import db
from flows.errors import FiguresError
from flows.lock import writer_lock
from flows.periods import add_months, month_text, months, parse_month
from flows.publish import latest_extract, publish
from flows.settings import Settings
from flows.sources import default_source
from flows.spec import DEFAULT_SPEC, Spec, load_spec

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


@task(cache_policy=NO_CACHE, task_run_name="backfill {period_end}")
def backfill_task(
    warehouse: str,
    spec: Spec,
    period_end: str,
    as_of: dt.date | None,
    as_of_day: int | None,
) -> Step:
    return backfill_period(
        Settings.load(warehouse), spec, parse_month(period_end), as_of, as_of_day
    )


@flow(name="backfill", log_prints=False)
def backfill(
    warehouse: str,
    from_month: str,
    to_month: str,
    as_of_day: int | None = None,
    as_of: dt.date | None = None,
    spec: str | None = None,
    period_type: str | None = None,
    baseline_year: int | None = None,
) -> list[Step]:
    """One publication per period end from from_month to to_month (YYYY-MM, both included).

    As of the latest extract loaded (or `as_of`), or, with as_of_day N, as of the latest
    extract on or before day N of the month after each period. Stops at the first failure,
    keeping the publications already made.
    """
    logger = get_run_logger()
    settings = Settings.load(warehouse)
    chosen = load_spec(Path(spec)) if spec else DEFAULT_SPEC
    chosen = chosen.with_overrides(period_type=period_type, baseline_year=baseline_year)
    ends = [month_text(m) for m in period_ends(parse_month(from_month), parse_month(to_month))]
    if as_of is not None and as_of_day is not None:
        raise FiguresError("give an as-of date or an as-of day, not both")
    steps: list[Step] = []
    with writer_lock(settings.lock_file, "backfill flow"):
        for number, month in enumerate(ends, start=1):
            try:
                step = backfill_task(warehouse, chosen, month, as_of, as_of_day)
            except FiguresError as error:
                raise FiguresError(
                    f"backfill stopped at {month} ({number}/{len(ends)}): {error}; "
                    f"the {len(steps)} periods before it are kept in {settings.published}"
                ) from None
            steps.append(step)
            logger.info(
                "%d/%d %s as of %s: %s %s",
                number,
                len(ends),
                month,
                step.as_of,
                step.outcome,
                step.folder,
            )
    return steps
