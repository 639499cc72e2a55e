"""Rebuild the warehouse database from the archive, and prove it by the publications.

The archive keeps every raw file under `<sha256>-<its name>`. A rebuild checks that every
file still has the sha256 its name gives, replays them into a new database beside the old
one, as ingest took them (dashboard files each on its own, then the incident extracts one
extract at a time in date order), then publishes every publication found under
`published/` again, into a temporary folder, from the spec, as-of date and source its
figures.json holds, and compares the bytes of its figures.json and report.html with the
published ones.

The new database replaces the old one only when every file replayed and every publication was
reproduced byte for byte; the old one is moved aside (figures.duckdb.damaged-<UTC time>),
never deleted. Otherwise the old one stays where it is, the new one is removed, and nothing
published is touched.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from statement_figures.config import Settings
from statement_figures.domain.errors import FiguresError
from statement_figures.domain.sources import DASHBOARD, INCIDENTS
from statement_figures.domain.spec import spec_from_dict
from statement_figures.publication.folders import FIGURES_JSON, REPORT_HTML
from statement_figures.publication.publish import publish
from statement_figures.publication.show import read_document, recorded_moves
from statement_figures.sources.detect import ingest_files, source_of
from statement_figures.sources.files import scan_file
from statement_figures.sources.landing import nights
from statement_figures.warehouse import db

COMPARED = (FIGURES_JSON, REPORT_HTML)
REPRODUCED = "reproduced"


@dataclass(frozen=True)
class Republished:
    """One publication published again from the rebuilt database."""

    folder: Path
    differing: tuple[str, ...] = ()  # the files whose bytes differ
    refused: str = ""  # why it could not be published again

    @property
    def reproduced(self) -> bool:
        return not self.differing and not self.refused

    @property
    def outcome(self) -> str:
        if self.refused:
            return f"not published again: {self.refused}:"
        return "differs: " + ", ".join(self.differing) if self.differing else REPRODUCED


@dataclass
class Rebuilt:
    files: int = 0
    refused: list[str] = field(default_factory=list)  # one line per file not replayed
    publications: list[Republished] = field(default_factory=list)
    damaged_aside: Path | None = None

    @property
    def succeeded(self) -> bool:
        return not self.refused and all(p.reproduced for p in self.publications)


def archived_files(settings: Settings) -> list[Path]:
    """The archive's files, each checked against the sha256 its name gives."""
    if not settings.archive.is_dir():
        return []
    paths = sorted(p for p in settings.archive.iterdir() if not p.name.startswith("."))
    for path in paths:
        named = path.name.partition("-")[0]
        if scan_file(path).sha256 != named:
            raise FiguresError(
                "its sha256 is not the one its name gives: the archived file was changed; "
                "nothing was rebuilt (put the original file back)",
                location=str(path),
                rule="archive integrity",
            )
    return paths


def replay_groups(paths: Iterable[Path]) -> list[list[Path]]:
    """The files as ingest took them: each dashboard file on its own, then each incident
    extract (its crimes and victims files) in date order; a file of neither source on its own
    (ingest refuses it, saying why)."""
    sources = {path: source_of(path) for path in paths}
    dashboards = [[p] for p, source in sources.items() if source == DASHBOARD]
    others = [[p] for p, source in sources.items() if source is None]
    extracts = nights(p for p, source in sources.items() if source == INCIDENTS)
    return dashboards + [files for _, files in extracts] + others


def _replay(building: Settings, groups: list[list[Path]], rebuilt: Rebuilt) -> None:
    """Ingest each group into the new database; a group refused is reported, as ingest
    refused it when it first came (the archive keeps files that never loaded)."""
    for group in groups:
        try:
            ingest_files(building, group)
        except FiguresError as error:
            rebuilt.refused.append(str(error))
        rebuilt.files += len(group)


def published_documents(settings: Settings) -> list[Path]:
    """Every publication's figures.json under published/ (hidden work folders aside)."""
    found = settings.published.glob(f"*/*/{FIGURES_JSON}")
    return sorted(p for p in found if not any(part.startswith(".") for part in p.parts[-3:]))


def _republish(building: Settings, figures_json: Path, scratch: Path) -> Republished:
    doc = read_document(figures_json)
    out = scratch / figures_json.parent.relative_to(building.published)
    try:
        publish(
            building,
            spec=spec_from_dict(doc["spec"]),
            as_of=dt.date.fromisoformat(doc["as_of"]),
            source=doc["source"],
            out=out,
            point_latest=False,
            moves=recorded_moves(figures_json),
        )
    except FiguresError as error:
        return Republished(figures_json.parent, refused=str(error))
    differing = tuple(
        name
        for name in COMPARED
        if (figures_json.parent / name).is_file()
        and (out / name).read_bytes() != (figures_json.parent / name).read_bytes()
    )
    return Republished(figures_json.parent, differing)


def rebuild(settings: Settings) -> Rebuilt:
    """Replay the archive into a new database, republish every publication to compare, and
    put the new database in place only when all of it succeeded."""
    rebuilt = Rebuilt()
    groups = replay_groups(archived_files(settings))
    building = db.building(settings)
    try:
        _replay(building, groups, rebuilt)
        with tempfile.TemporaryDirectory(dir=settings.warehouse, prefix=".rebuild-") as scratch:
            for figures_json in published_documents(settings):
                rebuilt.publications.append(_republish(building, figures_json, Path(scratch)))
        if rebuilt.succeeded:
            rebuilt.damaged_aside = db.replace_database(settings, building.database)
    finally:
        db.discard(building.database)  # nothing left once it is in place
    return rebuilt
