from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path

import pytest

from flows import db
from flows.build import incident_counts, state_counts
from flows.ingest import ingest_paths
from flows.publish import publish
from flows.settings import Settings
from tests.extracts import crime, write_extract

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(warehouse=tmp_path / "warehouse")


def _key(row: dict[str, object]) -> tuple[str, ...]:
    return tuple(str(v) for v in row.values())


def counts_by_area(
    settings: Settings, as_of: dt.date = dt.date(2021, 12, 6)
) -> dict[str, dict[str | None, int]]:
    """measure -> borough code (None: unknown) -> count, over all months; 'MPS' is London."""
    with db.connect(settings) as con:
        table = incident_counts(con, as_of).to_pylist()
        long_way = state_counts(con, as_of).to_pylist()
    # Every test that counts also proves the recorded changes add up to the full as-of state.
    assert sorted(table, key=_key) == sorted(long_way, key=_key)
    result: dict[str, dict[str | None, int]] = defaultdict(lambda: defaultdict(int))
    for row in table:
        result[row["measure"]][row["borough_code"]] += row["count"]
        result[row["measure"]]["MPS"] += row["count"]
    return result


def london(settings: Settings, as_of: dt.date = dt.date(2021, 12, 6)) -> dict[str, int]:
    """measure -> London count over all months."""
    counts = counts_by_area(settings, as_of)
    return {
        m: counts[m]["MPS"] if m in counts else 0
        for m in ("knife_crime", "knife_crime_with_injury", "knife_injury_victims_u25")
    }


def ingest(settings: Settings, paths: list[Path]) -> None:
    ingest_paths(settings, paths)


def figures_by_key(doc: dict[str, object]) -> dict[tuple[str, str], dict[str, object]]:
    """(measure, area_code) -> figure, from a figures document."""
    figures = doc["figures"]
    assert isinstance(figures, list)
    return {(f["measure"], f["area_code"]): f for f in figures}


@pytest.fixture
def published(settings: Settings, tmp_path: Path) -> Path:
    """A publication as of 2021-12-06: London knife crime 20 -> 15 (-25 per cent)."""
    crimes = [crime(f"B{i}", recorded_date="2019-03-01") for i in range(20)]
    crimes += [crime(f"C{i}", recorded_date="2021-03-01") for i in range(15)]
    ingest(settings, write_extract(tmp_path / "in", "2021-12-06", crimes))
    return publish(settings).folder
