"""Where publications live, and how one is moved into place whole.

A publication is a folder `published/<as-of>/<name>/`. It is written to a `.staging-*` folder
beside its destination and swapped into place in one step, so readers see the old publication
or the new one, never half of one; `published/LATEST` names the latest in data time.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import hashlib
import json
import logging
import os
import shutil
import uuid
from pathlib import Path
from typing import Any

from statement_figures.bounded import KIB, read_bounded
from statement_figures.config import Settings
from statement_figures.domain.errors import FiguresError
from statement_figures.domain.periods import month_text
from statement_figures.domain.sources import INCIDENTS
from statement_figures.domain.spec import DEFAULT_SPEC, Spec
from statement_figures.warehouse.lock import holds_writer_lock

log = logging.getLogger(__name__)

FIGURES_JSON = "figures.json"
PUBLIC_KEY = "figures.pub"
REPORT_HTML = "report.html"
MANIFEST = "manifest.json"
LATEST = "LATEST"
POINTER_LIMIT = 4 * KIB
LATEST_DATA_DATE = "LATEST.data-date"  # "<date of the latest data> <folder LATEST names>"
RETIRED_TAG = 8  # hex digits that make a retired folder's name unique
# A publication is already in place when these are byte-identical: the same figures, signed
# with the same key (so a demo-signed publication is replaced once a real key signs it), with
# the same report.
SAME_PUBLICATION = (FIGURES_JSON, PUBLIC_KEY, REPORT_HTML)
PUBLICATION_FILES = {
    FIGURES_JSON,
    f"{FIGURES_JSON}.minisig",
    PUBLIC_KEY,
    "figures.parquet",
    "monthly_counts",
    MANIFEST,
    REPORT_HTML,
    f"{REPORT_HTML}.minisig",
}
AT_FDCWD, RENAME_EXCHANGE = -100, 2  # from Linux's <fcntl.h> and <linux/fs.h>


def _variant(spec: Spec) -> str:
    """The spec's fields that a publication's folder name does not spell out."""
    spelled_out = ("name", "period_type", "period_end", "baseline_year")
    fields = {k: v for k, v in spec.as_json().items() if k not in spelled_out}
    return json.dumps(fields, sort_keys=True)


def publication_name(
    spec: Spec, as_of: dt.date, period_end: dt.date, source: str = INCIDENTS
) -> Path:
    """as-of date / [source-]name-period type-period end-vs-baseline year[-variant].

    The default statement changed on the command line (measures, areas, minimum base or
    headline measures; --min-base, --wards) gets a short fingerprint of them at the end, so it
    does not share the default's folder. A named spec is its own folder; publishing a changed
    spec under the same name is refused (`check_replaceable`) rather than replacing signed
    files.
    """
    slug = f"{spec.name}-{spec.period_type}-{month_text(period_end)}-vs-{spec.baseline_year}"
    if source != INCIDENTS:
        slug = f"{source}-{slug}"
    variant = _variant(spec)
    if spec.name == DEFAULT_SPEC.name and variant != _variant(DEFAULT_SPEC):
        slug = f"{slug}-{hashlib.sha256(variant.encode()).hexdigest()[:8]}"
    return Path(as_of.isoformat()) / slug


def _same_publication(old: Path, new: Path) -> bool:
    return all(
        (old / name).is_file() and (old / name).read_bytes() == (new / name).read_bytes()
        for name in SAME_PUBLICATION
    )


def check_replaceable(target: Path, doc: dict[str, Any]) -> None:
    """Refuse to replace a folder that is not a publication, or a different statement's.

    A publication folder holds one statement (its spec) as of one date; publishing it again
    may replace it (after a code change, or to re-sign it), but never with another spec, and
    `--out` never deletes a folder of other files.
    """
    if not target.exists():
        return
    names = {entry.name for entry in target.iterdir()} if target.is_dir() else set()
    if FIGURES_JSON not in names or not names <= PUBLICATION_FILES:
        raise FiguresError(
            "exists and is not a publication: nothing in it was touched; choose a new or "
            "empty folder",
            location=str(target),
            rule="a publication replaces only a publication",
        )
    published_spec = json.loads((target / FIGURES_JSON).read_bytes()).get("spec")
    if published_spec != doc["spec"]:
        raise FiguresError(
            "holds the figures of a different spec (its measures, areas, minimum base or other "
            "settings differ): give this spec its own name (`name = ...` in a spec file) or "
            "write it elsewhere with --out",
            location=str(target),
            rule="one statement per publication folder",
        )


def exchange(one: Path, other: Path) -> bool:
    """Swap two folders in one atomic step (Linux renameat2 with RENAME_EXCHANGE), so a reader
    sees one or the other, never neither; False where the system cannot."""
    renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if renameat2 is None:
        return False
    paths = (os.fsencode(one), os.fsencode(other))
    return bool(renameat2(AT_FDCWD, paths[0], AT_FDCWD, paths[1], RENAME_EXCHANGE) == 0)


def move_into_place(staging: Path, target: Path) -> bool:
    """Rename staging to target; False (and staging dropped) when target is already identical.

    An existing publication is swapped out atomically where the system allows it; elsewhere it
    is renamed aside first (a killed run's `.retired-*` folder is put back by the next writer).
    """
    if target.exists():
        if _same_publication(target, staging):
            shutil.rmtree(staging)
            return False
        if exchange(staging, target):
            shutil.rmtree(staging)  # it now holds the old publication
            return True
        retired = target.with_name(f".retired-{target.name}-{uuid.uuid4().hex[:RETIRED_TAG]}")
        os.rename(target, retired)
        os.rename(staging, target)
        shutil.rmtree(retired)
        return True
    target.parent.mkdir(parents=True, exist_ok=True)
    os.rename(staging, target)
    return True


def _replace_text(path: Path, text: str) -> None:
    """Write path whole in one step: readers see the old text or the new."""
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


def _latest_data_date(settings: Settings) -> dt.date | None:
    """The date of the latest data behind the publication LATEST names (None when nothing is).

    LATEST_DATA_DATE records it as "<data date> <folder>"; when it describes another folder (a
    warehouse from before it was kept, or a run killed between the two writes), the as-of date
    of LATEST's folder stands in: the data is never later than it.
    """
    pointer = settings.published / LATEST
    if not pointer.exists():
        return None
    current = _pointer_text(pointer)
    recorded = settings.published / LATEST_DATA_DATE
    if recorded.exists():
        date_text, _, folder = _pointer_text(recorded).partition(" ")
        if folder == current and _is_date(date_text):
            return dt.date.fromisoformat(date_text)
    return dt.date.fromisoformat(Path(current).parts[0])


def _pointer_text(pointer: Path) -> str:
    """What LATEST (or LATEST.data-date) says: a line, read without following a link, bounded."""
    text = read_bounded(pointer, POINTER_LIMIT).decode("utf-8", errors="replace").strip()
    if not text or "\n" in text or Path(text).is_absolute() or ".." in Path(text).parts:
        raise FiguresError("is not one line naming a publication folder", location=str(pointer))
    return text


def _is_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def becomes_latest(settings: Settings, data_date: dt.date) -> bool:
    """Whether a publication of data of this date would become the latest (set_latest)."""
    current = _latest_data_date(settings)
    return current is None or current <= data_date


def set_latest(settings: Settings, target: Path, data_date: dt.date) -> None:
    """Name target in published/LATEST, unless LATEST names a publication of later data
    (reproducing the past, or publishing as of a date past the data, never moves LATEST
    backwards in data time). data_date: the date of the latest data behind target."""
    if not becomes_latest(settings, data_date):
        log.info(
            "%s stays the latest publication (its data is later than this one's, of %s)",
            _pointer_text(settings.published / LATEST),
            data_date.isoformat(),
        )
        return
    folder = str(target.relative_to(settings.published))
    _replace_text(settings.published / LATEST_DATA_DATE, f"{data_date.isoformat()} {folder}\n")
    _replace_text(settings.published / LATEST, folder + "\n")


def remove_leftovers(settings: Settings) -> list[Path]:
    """Tidy what a killed publisher left behind; only for the holder of the writer lock.

    A `.staging-*` folder is a publication that never finished: it is removed (readers never
    read it). A `.retired-NAME-*` folder is an old publication moved aside to be replaced: it is
    put back when NAME is missing (the replacement never arrived), else removed.
    """
    if not holds_writer_lock(settings.lock_file):
        return []
    tidied = sorted(settings.published.glob("*/.staging-*"))
    for staging in tidied:
        shutil.rmtree(staging)
    for retired in sorted(settings.published.glob("*/.retired-*")):
        original = retired.with_name(retired.name.removeprefix(".retired-")[: -RETIRED_TAG - 1])
        if original.exists():
            shutil.rmtree(retired)
        else:
            os.rename(retired, original)
        tidied.append(retired)
    for leftover in tidied:
        log.info("tidied %s, left by an interrupted run", leftover)
    return tidied


def latest_publication(settings: Settings) -> Path:
    pointer = settings.published / LATEST
    if not pointer.exists():
        raise FiguresError(f"nothing published yet in {settings.published}: run `figures run`")
    return settings.published / _pointer_text(pointer)
