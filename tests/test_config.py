"""Settings read from the environment: every number is checked, in one line naming the variable."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from statement_figures.config import Settings
from statement_figures.domain.errors import FiguresError

pytestmark = pytest.mark.fault  # the fault suite: `pytest -m fault`

SHARE = "FIGURES_TOLERATED_REJECT_SHARE"
DAYS = "FIGURES_FUTURE_DAYS"
VICTIMS = "FIGURES_MAX_VICTIMS_PER_CRIME"
DAYS_RULE = "must be a whole number from 0 to 3,650"
VICTIMS_RULE = "must be a whole number from 1 to 1,000,000,000"

REFUSALS = [
    (SHARE, "nan", "FIGURES_TOLERATED_REJECT_SHARE='nan' is not a number (NaN)"),
    (SHARE, "inf", "FIGURES_TOLERATED_REJECT_SHARE='inf' is not a finite number"),
    (SHARE, "-inf", "FIGURES_TOLERATED_REJECT_SHARE='-inf' is not a finite number"),
    (SHARE, "-0.1", "FIGURES_TOLERATED_REJECT_SHARE='-0.1' is negative"),
    (SHARE, "half", "FIGURES_TOLERATED_REJECT_SHARE='half' is not a number"),
    (SHARE, "1.5", "FIGURES_TOLERATED_REJECT_SHARE='1.5' must be a share between 0 and 1"),
    (DAYS, "NaN", "FIGURES_FUTURE_DAYS='NaN' is not a number (NaN)"),
    (DAYS, "Infinity", "FIGURES_FUTURE_DAYS='Infinity' is not a finite number"),
    (DAYS, "-1", "FIGURES_FUTURE_DAYS='-1' is negative"),
    (DAYS, "a week", "FIGURES_FUTURE_DAYS='a week' is not a number"),
    (DAYS, "1.5", f"FIGURES_FUTURE_DAYS='1.5' is not a whole number: it {DAYS_RULE}"),
    (DAYS, "1e9", f"FIGURES_FUTURE_DAYS='1e9' is out of range: it {DAYS_RULE}"),
    (VICTIMS, "nan", "FIGURES_MAX_VICTIMS_PER_CRIME='nan' is not a number (NaN)"),
    (VICTIMS, "inf", "FIGURES_MAX_VICTIMS_PER_CRIME='inf' is not a finite number"),
    (VICTIMS, "-5", "FIGURES_MAX_VICTIMS_PER_CRIME='-5' is negative"),
    (VICTIMS, "many", "FIGURES_MAX_VICTIMS_PER_CRIME='many' is not a number"),
    (
        VICTIMS,
        "2.5",
        f"FIGURES_MAX_VICTIMS_PER_CRIME='2.5' is not a whole number: it {VICTIMS_RULE}",
    ),
    (VICTIMS, "0", f"FIGURES_MAX_VICTIMS_PER_CRIME='0' is out of range: it {VICTIMS_RULE}"),
    (VICTIMS, "1\x1b[2J", "FIGURES_MAX_VICTIMS_PER_CRIME='1\\x1b[2J' is not a number"),
]


@pytest.mark.parametrize(("name", "value", "message"), REFUSALS)
def test_a_numeric_setting_that_is_not_a_plausible_number_is_refused_in_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, name: str, value: str, message: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(FiguresError) as refused:
        Settings.load(tmp_path)
    assert str(refused.value) == message
    assert not (tmp_path / "figures.duckdb").exists()


def test_the_numeric_settings_default_and_are_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in (SHARE, DAYS, VICTIMS):
        monkeypatch.delenv(name, raising=False)
    defaults = Settings.load(tmp_path)
    assert (
        defaults.tolerated_reject_share,
        defaults.future_days,
        defaults.max_victims_per_crime,
    ) == (0.0, 1, 100)
    monkeypatch.setenv(SHARE, "0.25")
    monkeypatch.setenv(DAYS, "0")
    monkeypatch.setenv(VICTIMS, "1e3")
    chosen = Settings.load(tmp_path)
    assert (chosen.tolerated_reject_share, chosen.future_days, chosen.max_victims_per_crime) == (
        0.25,
        0,
        1000,
    )


def test_today_is_the_clock_unless_given_and_a_date_past_the_tolerance_is_named() -> None:
    assert Settings(warehouse=Path("w")).today == dt.date.today()
    settings = Settings(warehouse=Path("w"), today=dt.date(2026, 12, 1))
    assert settings.future_date(dt.date(2026, 12, 2)) is None
    assert settings.future_date(dt.date(2026, 12, 3)) == (
        "2026-12-03 is after today (2026-12-01) plus the tolerated 1 day (FIGURES_FUTURE_DAYS)"
    )
    strict = Settings(warehouse=Path("w"), today=dt.date(2026, 12, 1), future_days=0)
    assert strict.future_date(dt.date(2026, 12, 2)) == (
        "2026-12-02 is after today (2026-12-01) plus the tolerated 0 days (FIGURES_FUTURE_DAYS)"
    )
