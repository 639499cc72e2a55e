"""Backfills: one publication per period end, as of today's data or as of when each was due.

Monthly extracts, every crime a knife robbery in Camden:
- 2021-02-03: J1, J2 recorded in January 2021;
- 2021-03-05: F1 recorded in February; J2 cancelled;
- 2021-04-02: M1, M2 recorded in March; L1, L2 recorded late, in January.
January as it was published on 2021-02-05 (as of 2021-02-03): 2; as of today (2021-04-02): 3.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from statement_figures.config import Settings
from statement_figures.domain.errors import FiguresError
from statement_figures.domain.spec import DEFAULT_SPEC
from statement_figures.publication.backfill import backfill_period, due_date, period_ends
from tests.support.processes import figures
from tests.support.warehouse import load_monthly_extracts, london_knife_crime

MONTHLY = DEFAULT_SPEC.with_overrides(period_type="month")


def test_period_ends_run_from_the_first_month_to_the_last() -> None:
    assert period_ends(dt.date(2020, 11, 1), dt.date(2021, 2, 1)) == [
        dt.date(2020, 11, 1),
        dt.date(2020, 12, 1),
        dt.date(2021, 1, 1),
        dt.date(2021, 2, 1),
    ]
    with pytest.raises(FiguresError, match="--to 2020-10 is before --from 2020-11"):
        period_ends(dt.date(2020, 11, 1), dt.date(2020, 10, 1))


def test_a_period_is_due_on_day_n_of_the_following_month() -> None:
    assert due_date(dt.date(2021, 12, 1), 5) == dt.date(2022, 1, 5)
    with pytest.raises(FiguresError, match="the as-of day must be 1 to 28, not 31"):
        due_date(dt.date(2021, 1, 1), 31)


def test_a_backfill_period_is_as_of_the_latest_data_or_as_of_its_due_date(
    settings: Settings, tmp_path: Path
) -> None:
    load_monthly_extracts(settings, tmp_path / "in")
    today = backfill_period(settings, MONTHLY, dt.date(2021, 1, 1))
    assert (today.as_of, today.outcome) == ("2021-04-02", "published")
    assert london_knife_crime(Path(today.folder) / "figures.json") == 3
    due = backfill_period(settings, MONTHLY, dt.date(2021, 1, 1), as_of_day=5)
    assert due.as_of == "2021-02-03"
    assert due.folder == str(settings.published / "2021-02-03/statement-month-2021-01-vs-2019")
    assert london_knife_crime(Path(due.folder) / "figures.json") == 2
    assert not (settings.published / "LATEST").exists()  # a backfill leaves LATEST alone
    again = backfill_period(settings, MONTHLY, dt.date(2021, 1, 1), as_of_day=5)
    assert again.outcome == "unchanged"


def test_the_backfill_flow_stops_at_the_first_failure_and_a_rerun_skips_what_is_done(
    settings: Settings, tmp_path: Path
) -> None:
    load_monthly_extracts(settings, tmp_path / "in")
    months = ("--from", "2021-01", "--to", "2021-03", "--period-type", "month")

    stopped = figures("backfill", *months, "--as-of-day", "3", warehouse=settings.warehouse)
    assert stopped.returncode == 2
    errors = [line for line in stopped.stderr.splitlines() if line.startswith("figures: error")]
    assert errors == [
        "figures: error: backfill stopped at 2021-02 (2/3): the period end 2021-02 is not a "
        "complete month in the data as of 2021-02-03: the latest complete month is 2021-01; "
        f"the 1 periods before it are kept in {settings.published}"
    ]
    assert "1/3 2021-01 as of 2021-02-03: published" in stopped.stderr
    january = settings.published / "2021-02-03/statement-month-2021-01-vs-2019/figures.json"
    assert london_knife_crime(january) == 2

    done = figures("backfill", *months, "--as-of-day", "5", warehouse=settings.warehouse)
    assert done.returncode == 0, done.stderr
    assert "3/3 2021-03 as of 2021-04-02: published" in done.stderr
    published = settings.published
    folder = "{}/{}/statement-month-{}-vs-2019"
    assert done.stdout.splitlines()[1:] == [
        f"  {month}  as of {as_of}  {outcome}  {folder.format(published, as_of, month)}"
        for month, as_of, outcome in (
            ("2021-01", "2021-02-03", "unchanged"),
            ("2021-02", "2021-03-05", "published"),
            ("2021-03", "2021-04-02", "published"),
        )
    ] + [f"backfill: 3 periods, 2 published, 1 unchanged, in {published}"]
    counts = [
        london_knife_crime(published / f"{date}/statement-month-{month}-vs-2019/figures.json")
        for date, month in (("2021-03-05", "2021-02"), ("2021-04-02", "2021-03"))
    ]
    assert counts == [1, 2]
