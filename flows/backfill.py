"""The `backfill` flow: one publication per period end, past or present.

It only wires statement_figures/publication/backfill.py, one task per period; the command line
(`figures backfill`) and the served deployment (`figures serve`) run the same flow. It holds
the warehouse's writer lock throughout, so it and the nightly run never collide.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from statement_figures.config import Settings, load_spec
from statement_figures.domain.errors import FiguresError
from statement_figures.domain.periods import month_text, parse_month
from statement_figures.domain.spec import DEFAULT_SPEC, Spec
from statement_figures.publication.backfill import Step, backfill_period, period_ends
from statement_figures.warehouse.lock import writer_lock


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
