"""Configuration: one settings object (every path resolved from the warehouse root, secrets from
the environment), and statement specs read from their files."""

from __future__ import annotations

import datetime as dt
import math
import os
from dataclasses import dataclass, field
from pathlib import Path

from statement_figures.bounded import KIB, read_bounded
from statement_figures.domain.errors import FiguresError
from statement_figures.domain.spec import Spec, spec_from_toml

DEFAULT_WAREHOUSE = Path("warehouse")
SPEC_FILE_LIMIT = 1024 * KIB  # a statement spec is a few hundred bytes of TOML


# The knobs read as numbers: their defaults and the ranges they must lie in.
DEFAULT_FUTURE_DAYS = 1
MAX_FUTURE_DAYS = 3650
DEFAULT_MAX_VICTIMS_PER_CRIME = 100
MAX_MAX_VICTIMS_PER_CRIME = 1_000_000_000
DEFAULT_HEADLINE_MOVE_POINTS = 5.0
MAX_HEADLINE_MOVE_POINTS = 1000.0
# Bounds on one input file: bytes of data (a .csv.gz counted as it decompresses, a parquet
# file by its metadata) and rows. Rows are read as text, at about 2.7 bytes of memory per byte
# of CSV, so the byte bound is what keeps a file (or a small .csv.gz that expands) from taking
# the machine's memory; the defaults pass a 100-million-crime extract (about 8 GB of CSV).
DEFAULT_MAX_FILE_BYTES = 16 << 30  # 16 GiB
MAX_MAX_FILE_BYTES = 1 << 50
DEFAULT_MAX_ROWS = 200_000_000
MAX_MAX_ROWS = 1 << 40


def today() -> dt.date:
    """The clock: the one place the pipeline reads today's date (Settings.today)."""
    return dt.date.today()


def _env_number(name: str) -> tuple[str, float] | None:
    """The variable's text and value when set; refuses text that is not a finite number of 0 or
    more, in one line naming the variable."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return None
    try:
        value = float(raw)
    except ValueError:
        raise FiguresError(f"{name}={raw!r} is not a number") from None
    if math.isnan(value):
        raise FiguresError(f"{name}={raw!r} is not a number (NaN)")
    if math.isinf(value):
        raise FiguresError(f"{name}={raw!r} is not a finite number")
    if value < 0:
        raise FiguresError(f"{name}={raw!r} is negative")
    return raw, value


def _env_share(name: str, default: float) -> float:
    """A share between 0 and 1 from the environment."""
    found = _env_number(name)
    if found is None:
        return default
    raw, value = found
    if value > 1.0:
        raise FiguresError(f"{name}={raw!r} must be a share between 0 and 1")
    return value


def _env_whole(name: str, default: int, lowest: int, highest: int) -> int:
    """A whole number from lowest to highest from the environment."""
    found = _env_number(name)
    if found is None:
        return default
    raw, value = found
    rule = f"must be a whole number from {lowest:,} to {highest:,}"
    if not value.is_integer():
        raise FiguresError(f"{name}={raw!r} is not a whole number: it {rule}")
    if not lowest <= value <= highest:
        raise FiguresError(f"{name}={raw!r} is out of range: it {rule}")
    return int(value)


def _env_points(name: str, default: float, highest: float) -> float:
    """A number of percentage points, 0 to highest, from the environment."""
    found = _env_number(name)
    if found is None:
        return default
    raw, value = found
    if value > highest:
        raise FiguresError(f"{name}={raw!r} is out of range: it must be 0 to {highest:g} points")
    return value


@dataclass(frozen=True)
class Settings:
    """Where everything lives and the few knobs an operator may turn."""

    warehouse: Path
    tolerated_reject_share: float = 0.0
    signing_key: str | None = None
    nightly_cron: str = "30 2 * * *"
    timezone: str = "Europe/London"
    memory_limit: str = "2GB"
    # Plausibility: dates after today plus future_days are refused; the victims of a crime
    # with more than max_victims_per_crime victims in one file are rejected.
    today: dt.date = field(default_factory=today)
    future_days: int = DEFAULT_FUTURE_DAYS
    max_victims_per_crime: int = DEFAULT_MAX_VICTIMS_PER_CRIME
    # A London headline whose percentage moves by more than this many points against the
    # previous publication of the same statement is published, but flagged.
    headline_move_points: float = DEFAULT_HEADLINE_MOVE_POINTS
    # Resources: a file holding more bytes of data, or more rows, is refused.
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    max_rows: int = DEFAULT_MAX_ROWS

    @classmethod
    def load(cls, warehouse: str | Path | None = None) -> Settings:
        """Settings from the command line's --warehouse, else the environment, else defaults."""
        root = warehouse or os.environ.get("FIGURES_WAREHOUSE") or DEFAULT_WAREHOUSE
        return cls(
            warehouse=Path(root).expanduser().resolve(),
            tolerated_reject_share=_env_share("FIGURES_TOLERATED_REJECT_SHARE", 0.0),
            signing_key=os.environ.get("FIGURES_SIGNING_KEY") or None,
            nightly_cron=os.environ.get("FIGURES_NIGHTLY_CRON", "30 2 * * *"),
            timezone=os.environ.get("FIGURES_TIMEZONE", "Europe/London"),
            memory_limit=os.environ.get("FIGURES_MEMORY_LIMIT") or "2GB",
            future_days=_env_whole("FIGURES_FUTURE_DAYS", DEFAULT_FUTURE_DAYS, 0, MAX_FUTURE_DAYS),
            max_victims_per_crime=_env_whole(
                "FIGURES_MAX_VICTIMS_PER_CRIME",
                DEFAULT_MAX_VICTIMS_PER_CRIME,
                1,
                MAX_MAX_VICTIMS_PER_CRIME,
            ),
            headline_move_points=_env_points(
                "FIGURES_HEADLINE_MOVE_POINTS",
                DEFAULT_HEADLINE_MOVE_POINTS,
                MAX_HEADLINE_MOVE_POINTS,
            ),
            max_file_bytes=_env_whole(
                "FIGURES_MAX_FILE_BYTES", DEFAULT_MAX_FILE_BYTES, 1, MAX_MAX_FILE_BYTES
            ),
            max_rows=_env_whole("FIGURES_MAX_ROWS", DEFAULT_MAX_ROWS, 1, MAX_MAX_ROWS),
        )

    @property
    def latest_plausible_date(self) -> dt.date:
        """The latest date data may carry: today plus the tolerated days."""
        return self.today + dt.timedelta(days=self.future_days)

    def future_date(self, date: dt.date) -> str | None:
        """Why a date of data is implausible because it lies in the future (None when it is
        not): after today plus the tolerated days."""
        if date <= self.latest_plausible_date:
            return None
        days = "day" if self.future_days == 1 else "days"
        return (
            f"{date.isoformat()} is after today ({self.today.isoformat()}) plus the tolerated "
            f"{self.future_days} {days} (FIGURES_FUTURE_DAYS)"
        )

    @property
    def database(self) -> Path:
        return self.warehouse / "figures.duckdb"

    @property
    def landing(self) -> Path:
        return self.warehouse / "landing"

    @property
    def archive(self) -> Path:
        return self.warehouse / "archive"

    @property
    def published(self) -> Path:
        return self.warehouse / "published"

    @property
    def prefect_home(self) -> Path:
        return self.warehouse / "prefect"

    @property
    def spill(self) -> Path:
        """Where DuckDB spills what does not fit in its memory limit."""
        return self.warehouse / "tmp"

    @property
    def lock_file(self) -> Path:
        return self.warehouse / "writer.lock"


def load_spec(path: Path) -> Spec:
    """A statement spec from a TOML file (domain/spec.py says what it may hold)."""
    try:
        text = read_bounded(path, SPEC_FILE_LIMIT).decode("utf-8")
    except FileNotFoundError:
        raise FiguresError("no such file", location=str(path)) from None
    except (OSError, UnicodeDecodeError) as error:
        raise FiguresError(f"cannot read it: {error}", location=str(path)) from None
    try:
        return spec_from_toml(text)
    except FiguresError as error:
        raise FiguresError(str(error), location=str(path)) from None
