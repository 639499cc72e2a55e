"""The `nightly` flow: ingest what landed, night by night, then publish as of the latest data.

It only wires statement_figures: the landing folder (sources/landing.py), ingest
(sources/detect.py) and publishing (publication/publish.py). It never writes data of its own:
the built-in sample reaches a warehouse only when `figures run --sample` asks for it.

Every landing entry that is not taken is logged as a warning, left where it is, and named in
the night's result, beside the publication.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.context import get_run_context

from statement_figures.config import Settings
from statement_figures.domain.errors import FiguresError
from statement_figures.domain.sources import DASHBOARD, INCIDENTS
from statement_figures.publication.publish import Publication, publish
from statement_figures.sources.dashboard.ingest import DashboardResult
from statement_figures.sources.detect import ingest_files
from statement_figures.sources.incidents.ingest import IngestResult
from statement_figures.sources.landing import Landing, NotTaken, clear, landed_files, nights
from statement_figures.warehouse.lock import writer_lock


@dataclass(frozen=True)
class NightlyResult:
    """What a nightly run did: the final publication, and each landing entry not taken (left
    in landing)."""

    publication: Publication
    refused: list[NotTaken]


@task(retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
def find_landed(landing: str) -> Landing:
    """The files of each source waiting in the landing folder; each entry not taken is logged
    as a warning and left where it is."""
    folder = Path(landing)
    folder.mkdir(parents=True, exist_ok=True)
    found = landed_files(folder)
    for entry in found.refused:
        get_run_logger().warning("%s", entry.line())
    return found


@task(cache_policy=NO_CACHE)
def ingest_landed(warehouse: str, files: list[str]) -> list[IngestResult | DashboardResult]:
    """Ingest landed files, then clear from landing every file safely in the warehouse."""
    paths = [Path(f) for f in files]
    results = ingest_files(Settings.load(warehouse), paths)
    loaded = {
        name
        for result in results
        for name in (result.files if isinstance(result, IngestResult) else (result.file_name,))
    }
    clear(paths, loaded)
    return results


@task(cache_policy=NO_CACHE)
def publish_figures(warehouse: str, as_of: dt.date | None, run_id: str) -> Publication:
    return publish(Settings.load(warehouse), as_of=as_of, run_id=run_id)


@flow(name="nightly", log_prints=False)
def nightly(
    warehouse: str, as_of: dt.date | None = None, landing: str | None = None
) -> NightlyResult:
    """Take each landed night in turn (ingest, publish as of it), then publish as of the latest.

    Monthly Crime Dashboard files that landed are ingested first (their refresh dates are
    inside them); the final publication uses incident extracts when there are any.

    A night that cannot be published (its extract has rejected rows) is reported and skipped:
    a later night may correct it. Only the final publication's failure fails the run.

    Landing entries not taken are logged, never ingested, moved or deleted, and returned with
    the publication.

    The warehouse's writer lock is held throughout, so a backfill waits for it (and it for one).
    """
    settings = Settings.load(warehouse)
    run_id = str(get_run_context().flow_run.id)  # type: ignore[union-attr]
    with writer_lock(settings.lock_file, "nightly flow"):
        found = find_landed(landing or str(settings.landing))
        if found.files[DASHBOARD]:
            ingest_landed(warehouse, [str(p) for p in found.files[DASHBOARD]])
        landed = nights(found.files[INCIDENTS])
        for number, (night, night_files) in enumerate(landed, start=1):
            ingest_landed(warehouse, [str(p) for p in night_files])
            if as_of is None and number < len(landed):
                progress = "night %d/%d %s: %s"
                try:
                    done = publish_figures(warehouse, night, run_id)
                except FiguresError as error:  # a later night may correct it: carry on
                    get_run_logger().warning(progress, number, len(landed), night, error)
                    continue
                published = f"published {done.folder}"
                get_run_logger().info(progress, number, len(landed), night, published)
        return NightlyResult(publish_figures(warehouse, as_of, run_id), found.refused)
