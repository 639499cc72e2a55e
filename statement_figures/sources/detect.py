"""One dispatcher: which source a file belongs to, told by its content, and ingesting files of
either source.

A Monthly Crime Dashboard file is known by its columns, whatever its name; an incident extract
file by its name (`crimes_YYYY-MM-DD.csv`: the date it carries is the extract's), its columns
then checked as it loads. In the landing folder, sources/landing.py checks each entry (never
a link, only a regular file) and its name before anything here reads it.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from statement_figures.config import Settings
from statement_figures.domain.errors import FiguresError
from statement_figures.domain.sources import DASHBOARD, INCIDENTS
from statement_figures.sources.dashboard.ingest import (
    SIGNATURE,
    DashboardResult,
    column_name,
    ingest_dashboard_paths,
)
from statement_figures.sources.files import read_header
from statement_figures.sources.incidents.ingest import NAME_PATTERN, IngestResult, ingest_paths
from statement_figures.sources.validate import Progress


def is_dashboard_file(path: Path) -> bool:
    """True when the file's columns are a dashboard file's (whatever its name)."""
    if not path.is_file():
        return False
    try:
        header = read_header(path)
    except FiguresError:
        return False
    return bool(SIGNATURE & {column_name(c) for c in header})


def source_of(path: Path) -> str | None:
    """DASHBOARD or INCIDENTS for a file of either source; None for any other file."""
    if is_dashboard_file(path):
        return DASHBOARD
    if path.is_file() and NAME_PATTERN.match(path.name):
        return INCIDENTS
    return None


def ingest_files(
    settings: Settings,
    paths: Iterable[Path],
    progress: Progress | None = None,
) -> list[IngestResult | DashboardResult]:
    """Ingest files of either source: dashboard files each in its own transaction, then the
    incident extracts one extract at a time in date order. Any file that is not a dashboard
    file is taken as an incident extract file (and refused as one, with the rule it breaks).
    """
    paths = [Path(p) for p in paths]
    dashboards = [p for p in paths if source_of(p) == DASHBOARD]
    extracts = [p for p in paths if p not in dashboards]
    results: list[IngestResult | DashboardResult] = []
    results.extend(ingest_dashboard_paths(settings, dashboards, progress))
    if extracts:
        results.extend(ingest_paths(settings, extracts, progress))
    return results
