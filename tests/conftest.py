"""Fixtures the tests share; helpers are in tests/support/."""

from __future__ import annotations

from pathlib import Path

import pytest

from statement_figures.config import Settings
from statement_figures.publication.publish import publish
from tests.support.extracts import crime, write_extract
from tests.support.warehouse import ingest


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(warehouse=tmp_path / "warehouse")


@pytest.fixture
def published(settings: Settings, tmp_path: Path) -> Path:
    """A publication as of 2021-12-06: London knife crime 20 -> 15 (-25 per cent)."""
    crimes = [crime(f"B{i}", recorded_date="2019-03-01") for i in range(20)]
    crimes += [crime(f"C{i}", recorded_date="2021-03-01") for i in range(15)]
    ingest(settings, write_extract(tmp_path / "in", "2021-12-06", crimes))
    return publish(settings).folder
