"""The landing folder the nightly job takes its files from: what waits there, by source and
night, and clearing what is safely loaded (the archive keeps every file)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from statement_figures.domain.sources import DASHBOARD, INCIDENTS
from statement_figures.sources.detect import source_of
from statement_figures.sources.incidents.ingest import NAME_PATTERN


def landed_files(landing: Path) -> dict[str, list[Path]]:
    """The files of each source waiting in the landing folder, in name order."""
    found: dict[str, list[Path]] = {DASHBOARD: [], INCIDENTS: []}
    for path in sorted(landing.glob("*")):
        source = source_of(path)
        if source is not None:
            found[source].append(path)
    return found


def nights(paths: Iterable[Path]) -> list[tuple[dt.date, list[Path]]]:
    """Incident extract files grouped by extract date, oldest night first."""
    by_date: dict[dt.date, list[Path]] = defaultdict(list)
    for path in paths:
        match = NAME_PATTERN.match(path.name)
        assert match, path
        by_date[dt.date.fromisoformat(match.group(2))].append(path)
    return sorted(by_date.items())


def clear(paths: Iterable[Path], loaded: Iterable[str] | None = None) -> None:
    """Remove the files from landing (only those named in `loaded`, when given)."""
    names = None if loaded is None else set(loaded)
    for path in paths:
        if names is None or path.name in names:
            path.unlink(missing_ok=True)
