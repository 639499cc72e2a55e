"""Helpers the tests share: ingesting hand-built extracts, counting them both ways, and reading
figures back (fixtures are in tests/conftest.py)."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from pathlib import Path

from statement_figures.config import Settings
from statement_figures.sources.incidents.ingest import ingest_paths
from statement_figures.warehouse import db
from statement_figures.warehouse.counts import incident_counts
from statement_figures.warehouse.deltas import state_counts
from tests.support.extracts import crime, write_extract

SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"


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


def load_monthly_extracts(settings: Settings, folder: Path) -> None:
    extracts = {
        "2021-02-03": [
            crime("J1", recorded_date="2021-01-10"),
            crime("J2", recorded_date="2021-01-11"),
        ],
        "2021-03-05": [
            crime("F1", recorded_date="2021-02-10"),
            crime("J2", recorded_date="2021-01-11", status="cancelled"),
        ],
        "2021-04-02": [
            crime("M1", recorded_date="2021-03-03"),
            crime("M2", recorded_date="2021-03-04"),
            crime("L1", recorded_date="2021-01-20"),
            crime("L2", recorded_date="2021-01-21"),
        ],
    }
    for date, crimes in extracts.items():
        ingest(settings, write_extract(folder / date, date, crimes))


def london_knife_crime(figures_json: Path) -> int:
    doc = json.loads(figures_json.read_text())
    (london,) = [
        f for f in doc["figures"] if f["area_code"] == "MPS" and f["measure"] == "knife_crime"
    ]
    return int(london["count"])
