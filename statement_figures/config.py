"""Configuration: one settings object (every path resolved from the warehouse root, secrets from
the environment), and statement specs read from their files."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from statement_figures.bounded import KIB, read_bounded
from statement_figures.domain.errors import FiguresError
from statement_figures.domain.spec import Spec, spec_from_toml

DEFAULT_WAREHOUSE = Path("warehouse")
SPEC_FILE_LIMIT = 1024 * KIB  # a statement spec is a few hundred bytes of TOML


def _env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise FiguresError(f"{name}={raw!r} is not a number") from None
    if not 0.0 <= value <= 1.0:
        raise FiguresError(f"{name}={raw!r} must be a share between 0 and 1")
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

    @classmethod
    def load(cls, warehouse: str | Path | None = None) -> Settings:
        """Settings from the command line's --warehouse, else the environment, else defaults."""
        root = warehouse or os.environ.get("FIGURES_WAREHOUSE") or DEFAULT_WAREHOUSE
        return cls(
            warehouse=Path(root).expanduser().resolve(),
            tolerated_reject_share=_env_float("FIGURES_TOLERATED_REJECT_SHARE", 0.0),
            signing_key=os.environ.get("FIGURES_SIGNING_KEY") or None,
            nightly_cron=os.environ.get("FIGURES_NIGHTLY_CRON", "30 2 * * *"),
            timezone=os.environ.get("FIGURES_TIMEZONE", "Europe/London"),
            memory_limit=os.environ.get("FIGURES_MEMORY_LIMIT") or "2GB",
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
