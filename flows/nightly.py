"""The nightly job as a Prefect flow: ingest what landed, then build and publish.

Call `flows.prefect_env.configure_prefect` before importing this module.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.context import get_run_context

from flows import db
from flows.dashboard import DashboardResult, ingest_dashboard_paths, is_dashboard_file
from flows.errors import FiguresError
from flows.ingest import NAME_PATTERN, IngestResult, ingest_paths
from flows.lock import writer_lock
from flows.publish import Publication, publish
from flows.settings import Settings

log = logging.getLogger(__name__)


def landed_files(landing: Path) -> list[Path]:
    """Incident extracts (named by their date) and Monthly Crime Dashboard files (told apart
    by their columns) waiting in the landing folder."""
    return sorted(
        p
        for p in landing.glob("*")
        if p.is_file() and (NAME_PATTERN.match(p.name) or is_dashboard_file(p))
    )


def warehouse_is_new(settings: Settings) -> bool:
    if not settings.database.exists():
        return True
    with db.connect(settings) as con:
        [(files,)] = db.query(con, "loaded_file_count")
    return bool(files == 0)


@task(retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
def find_landed(warehouse: str, landing: str) -> list[str]:
    """The extract files waiting in the landing folder (the sample, on a new warehouse)."""
    settings = Settings.load(warehouse)
    folder = Path(landing)
    folder.mkdir(parents=True, exist_ok=True)
    files = landed_files(folder)
    if not files and warehouse_is_new(settings):
        from flows.generate import generate_sample

        log.info("new warehouse and nothing landed: writing the built-in sample to %s", folder)
        generate_sample(folder)
        files = landed_files(folder)
    return [str(p) for p in files]


@task(cache_policy=NO_CACHE)
def ingest_landed(warehouse: str, files: list[str]) -> list[IngestResult]:
    """Ingest, then clear from landing every extract that is safely in the warehouse."""
    results = ingest_paths(Settings.load(warehouse), [Path(f) for f in files], landed=True)
    loaded = {name for result in results for name in result.files}
    for name in files:
        if Path(name).name in loaded:
            Path(name).unlink(missing_ok=True)
    return results


@task(cache_policy=NO_CACHE)
def ingest_dashboards(warehouse: str, files: list[str]) -> list[DashboardResult]:
    """Ingest landed dashboard files (each in its own transaction), then clear them from landing."""
    results = ingest_dashboard_paths(
        Settings.load(warehouse), [Path(f) for f in files], landed=True
    )
    for name in files:
        Path(name).unlink(missing_ok=True)
    return results


@task(cache_policy=NO_CACHE)
def publish_figures(warehouse: str, as_of: dt.date | None, run_id: str) -> Publication:
    return publish(Settings.load(warehouse), as_of=as_of, run_id=run_id)


def nights(files: list[str]) -> list[tuple[dt.date, list[str]]]:
    """The landed files grouped by extract date, oldest night first."""
    by_date: dict[dt.date, list[str]] = defaultdict(list)
    for name in files:
        match = NAME_PATTERN.match(Path(name).name)
        assert match, name
        by_date[dt.date.fromisoformat(match.group(2))].append(name)
    return sorted(by_date.items())


@flow(name="nightly", log_prints=False)
def nightly(
    warehouse: str, as_of: dt.date | None = None, landing: str | None = None
) -> Publication:
    """Take each landed night in turn (ingest, publish as of it), then publish as of the latest.

    Monthly Crime Dashboard files that landed are ingested first (their refresh dates are
    inside them); the final publication uses incident extracts when there are any.

    A night that cannot be published (its extract has rejected rows) is reported and skipped:
    a later night may correct it. Only the final publication's failure fails the run.

    The warehouse's writer lock is held throughout, so a backfill waits for it (and it for one).
    """
    settings = Settings.load(warehouse)
    run_id = str(get_run_context().flow_run.id)  # type: ignore[union-attr]
    with writer_lock(settings.lock_file, "nightly flow"):
        files = find_landed(warehouse, landing or str(settings.landing))
        dashboards = [f for f in files if not NAME_PATTERN.match(Path(f).name)]
        if dashboards:
            ingest_dashboards(warehouse, dashboards)
        landed = nights([f for f in files if f not in dashboards])
        for number, (night, night_files) in enumerate(landed, start=1):
            ingest_landed(warehouse, night_files)
            if as_of is None and number < len(landed):
                progress = "night %d/%d %s: %s"
                try:
                    done = publish_figures(warehouse, night, run_id)
                except FiguresError as error:  # a later night may correct it: carry on
                    get_run_logger().warning(progress, number, len(landed), night, error)
                    continue
                published = f"published {done.folder}"
                get_run_logger().info(progress, number, len(landed), night, published)
        return publish_figures(warehouse, as_of, run_id)
