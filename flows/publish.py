"""Compute the figures as of a date and publish them: written aside, then moved into place whole.

A publication is a folder: figures.json (canonical JSON, RFC 8785), figures.parquet, the
monthly-count mart (hive-partitioned parquet), manifest.json, report.html, and the minisign
signatures of figures.json and report.html with figures.pub. It is written to a temporary
folder beside its destination and renamed into place, so readers see the old publication or
the new one, never half of one.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import hashlib
import json
import logging
import os
import shutil
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import rfc8785

from flows import db
from flows.build import build_monthly_counts
from flows.errors import FiguresError
from flows.figures import caveats, comparisons, document
from flows.ingest import INCIDENTS
from flows.lock import holds_writer_lock
from flows.measures import MEASURES_BY_ID
from flows.periods import Period, comparison_period, default_period_end, month_text
from flows.report import REPORT_HTML, SignatureFacts, write_report
from flows.settings import Settings
from flows.signing import SigningKey, load_secret_key, public_key_id, sign_file, trusted_comment
from flows.sources import default_source, first_month, source_counts, source_ward_counts
from flows.spec import DEFAULT_SPEC, Spec
from flows.version import code_version

log = logging.getLogger(__name__)

FIGURES_JSON = "figures.json"
PUBLIC_KEY = "figures.pub"
LATEST = "LATEST"
RETIRED_TAG = 8  # hex digits that make a retired folder's name unique


@dataclass(frozen=True)
class Publication:
    folder: Path
    document: dict[str, Any]
    run_id: str
    unchanged: bool = False
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def figures_json(self) -> Path:
        return self.folder / FIGURES_JSON

    @property
    def report_html(self) -> Path:
        return self.folder / REPORT_HTML


def canonical_json(doc: dict[str, Any]) -> bytes:
    return bytes(rfc8785.dumps(doc))


def latest_extract(
    con: duckdb.DuckDBPyConnection, source: str, as_of: dt.date | None = None
) -> dt.date:
    """The date of the latest extract loaded (on or before as_of, when given)."""
    rows = db.query(con, "latest_extract_date", {"source": source, "as_of": as_of})
    latest = rows[0][0] if rows else None
    if latest is None:
        when = f" on or before {as_of.isoformat()}" if as_of else ""
        raise FiguresError(
            f"no {source} data loaded{when}: run `figures ingest FILE...` or `figures run` first"
        )
    assert isinstance(latest, dt.date)
    return latest


def check_rejects(
    con: duckdb.DuckDBPyConnection, source: str, as_of: dt.date, tolerated_share: float
) -> tuple[dt.date, int]:
    """Refuse to publish while the latest extract on or before as_of has rejected rows."""
    extract_date = latest_extract(con, source, as_of)
    totals = db.query(con, "extract_rejects", {"source": source, "extract_date": extract_date})
    rows_read, rejected = (int(v or 0) for v in totals[0])
    if rejected and rejected > tolerated_share * rows_read:
        share = 100 * rejected / rows_read if rows_read else 100.0
        raise FiguresError(
            f"the extract of {extract_date.isoformat()} has {rejected} rejected rows "
            f"({share:.2f} per cent, tolerated {100 * tolerated_share:g} per cent): fix them in a "
            "later extract, or allow them with FIGURES_TOLERATED_REJECT_SHARE; "
            "`figures quarantine` lists them",
            rule="no rejected rows in the latest extract",
        )
    return extract_date, rejected


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
    spec under the same name is refused (`_check_replaceable`) rather than replacing signed
    files.
    """
    slug = f"{spec.name}-{spec.period_type}-{month_text(period_end)}-vs-{spec.baseline_year}"
    if source != INCIDENTS:
        slug = f"{source}-{slug}"
    variant = _variant(spec)
    if spec.name == DEFAULT_SPEC.name and variant != _variant(DEFAULT_SPEC):
        slug = f"{slug}-{hashlib.sha256(variant.encode()).hexdigest()[:8]}"
    return Path(as_of.isoformat()) / slug


def _write_parquet_outputs(folder: Path, doc: dict[str, Any], monthly: pa.Table) -> None:
    pq.write_table(pa.Table.from_pylist(doc["figures"]), folder / "figures.parquet")
    pq.write_to_dataset(
        monthly,
        root_path=str(folder / "monthly_counts"),
        partition_cols=["measure", "area_type"],
        basename_template="part-{i}.parquet",
        existing_data_behavior="error",
    )


def _sign(settings: Settings, folder: Path, doc: dict[str, Any], run_id: str) -> SigningKey:
    """figures.json.minisig, and the public key that checks it as figures.pub."""
    key = load_secret_key(settings.signing_key, settings.warehouse)
    _sign_one(folder / FIGURES_JSON, key, doc, run_id)
    shutil.copyfile(key.public_key, folder / PUBLIC_KEY)
    return key


def _sign_one(path: Path, key: SigningKey, doc: dict[str, Any], run_id: str) -> None:
    """<path>.minisig, its trusted comment naming the as-of date, sha256, code and run."""
    sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
    sign_file(path, key.path, trusted_comment(doc["as_of"], sha256, doc["code_version"], run_id))


def _report(
    folder: Path, doc: dict[str, Any], monthly: pa.Table, key: SigningKey, run_id: str
) -> None:
    """report.html, saying how to check the figures file it was made from; signed too."""
    facts = SignatureFacts(
        figures_sha256=hashlib.sha256((folder / FIGURES_JSON).read_bytes()).hexdigest(),
        key_id=public_key_id(folder / PUBLIC_KEY),
        demo_key=key.is_demo,
    )
    _sign_one(write_report(folder, doc, monthly, facts), key, doc, run_id)


# A publication is already in place when these are byte-identical: the same figures, signed
# with the same key (so a demo-signed publication is replaced once a real key signs it), with
# the same report.
SAME_PUBLICATION = (FIGURES_JSON, PUBLIC_KEY, REPORT_HTML)
MANIFEST = "manifest.json"
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


def _same_publication(old: Path, new: Path) -> bool:
    return all(
        (old / name).is_file() and (old / name).read_bytes() == (new / name).read_bytes()
        for name in SAME_PUBLICATION
    )


def _check_replaceable(target: Path, doc: dict[str, Any]) -> None:
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


AT_FDCWD, RENAME_EXCHANGE = -100, 2  # from Linux's <fcntl.h> and <linux/fs.h>


def exchange(one: Path, other: Path) -> bool:
    """Swap two folders in one atomic step (Linux renameat2 with RENAME_EXCHANGE), so a reader
    sees one or the other, never neither; False where the system cannot."""
    renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if renameat2 is None:
        return False
    paths = (os.fsencode(one), os.fsencode(other))
    return bool(renameat2(AT_FDCWD, paths[0], AT_FDCWD, paths[1], RENAME_EXCHANGE) == 0)


def _move_into_place(staging: Path, target: Path) -> bool:
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


def _point_latest(settings: Settings, target: Path, as_of: dt.date) -> None:
    """Name target in published/LATEST, unless LATEST names a publication as of a later date
    (reproducing the past does not make it the latest)."""
    pointer = settings.published / LATEST
    if pointer.exists():
        current = Path(pointer.read_text(encoding="utf-8").strip())
        if current.parts and current.parts[0] > as_of.isoformat():
            log.info("%s stays the latest publication", current)
            return
    partial = pointer.with_name(f".{LATEST}.partial")
    partial.write_text(str(target.relative_to(settings.published)) + "\n", encoding="utf-8")
    os.replace(partial, pointer)


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
    return settings.published / pointer.read_text(encoding="utf-8").strip()


def comparison_for(spec: Spec, as_of: dt.date, extract_date: dt.date) -> Period:
    """The spec's period and baseline as of a date, whose latest data is from extract_date.

    The period must end in a month complete in the data: the latest complete month as of the
    latest extract on or before the as-of date (an as-of date past the data adds no months).
    """
    latest_complete = default_period_end(extract_date)
    period_end = spec.period_end or latest_complete
    if period_end > latest_complete:
        held = "" if extract_date == as_of else f" (the latest data is of {extract_date})"
        raise FiguresError(
            f"the period end {month_text(period_end)} is not a complete month in the data as "
            f"of {as_of.isoformat()}{held}: the latest complete month is "
            f"{month_text(latest_complete)}"
        )
    return comparison_period(spec.period_type, period_end, spec.baseline_year)


def data_start_within(
    con: duckdb.DuckDBPyConnection, source: str, as_of: dt.date, period: Period
) -> dt.date | None:
    """The first month of data, when the comparison starts before it (else None).

    Months before the data starts count as zero, so a baseline reaching back before it is
    understated: the figures file says so in its caveats.
    """
    first = first_month(con, source, as_of)
    if first is not None and min(period.start, period.baseline_start) < first:
        log.warning(
            "the comparison starts in %s, before the %s data starts (%s): those months count "
            "as zero; the figures file's caveats say so",
            month_text(min(period.start, period.baseline_start)),
            source,
            month_text(first),
        )
        return first
    return None


@dataclass(frozen=True)
class Computed:
    """The figures as of a date, not yet written anywhere."""

    document: dict[str, Any]
    monthly: pa.Table
    period_end: dt.date


def compute_figures(
    con: duckdb.DuckDBPyConnection,
    spec: Spec,
    as_of: dt.date,
    tolerated_share: float = 0.0,
    source: str = INCIDENTS,
) -> Computed:
    """The figures document of the spec as of a date (a pure function of data, spec and code)."""
    extract_date, rejected = check_rejects(con, source, as_of, tolerated_share)
    period = comparison_for(spec, as_of, extract_date)
    spec = spec.with_overrides(period_end=period.end)  # the same figures, the same bytes
    data_starts = data_start_within(con, source, as_of, period)
    measures = tuple(MEASURES_BY_ID[m] for m in spec.measures)
    log.info("building monthly counts as of %s", as_of.isoformat())
    counts = source_counts(con, source, as_of, measures)
    wards = source_ward_counts(con, source, as_of, measures) if "ward" in spec.area_types else None
    build_monthly_counts(con, counts, measures, period.baseline_start, period.end, wards)
    figures = comparisons(con, spec, period)
    if not figures:
        raise FiguresError(
            f"the spec asks for no figure the {source} data has (area types "
            f"{', '.join(spec.area_types)}; wards come only from the dashboard)",
            rule="a publication has figures",
        )
    monthly = con.sql(db.sql("monthly_counts_mart")).to_arrow_table()
    inputs = [
        dict(zip(("name", "sha256", "rows", "rows_rejected"), row, strict=True))
        for row in db.query(con, "extract_inputs", {"source": source, "as_of": as_of})
    ]
    doc = document(
        spec=spec,
        as_of=as_of,
        source=source,
        figures=figures,
        inputs=inputs,
        code_version=code_version(),
        caveats=caveats(spec, as_of, rejected, extract_date, source, data_starts),
    )
    return Computed(doc, monthly, period.end)


def publish(
    settings: Settings,
    *,
    spec: Spec = DEFAULT_SPEC,
    as_of: dt.date | None = None,
    out: Path | None = None,
    run_id: str | None = None,
    source: str | None = None,
    point_latest: bool = True,
) -> Publication:
    """Compute, write and move into place one publication; return where it is.

    The source defaults to incident extracts when any are loaded on or before as_of, else the
    Monthly Crime Dashboard (flows/sources.py). published/LATEST then names the publication,
    unless it was written elsewhere (`out`) or point_latest is False (a backfill of past
    periods leaves LATEST alone).
    """
    run_id = run_id or uuid.uuid4().hex
    started = dt.datetime.now(dt.UTC)
    remove_leftovers(settings)
    with db.connect(settings) as con:
        source = source or default_source(con, as_of)
        as_of = as_of or latest_extract(con, source)
        building = time.perf_counter()
        computed = compute_figures(con, spec, as_of, settings.tolerated_reject_share, source)
        built = time.perf_counter()
    doc, monthly, period_end = computed.document, computed.monthly, computed.period_end
    figures, inputs = doc["figures"], doc["inputs"]
    target = (
        out.resolve()
        if out
        else settings.published / publication_name(spec, as_of, period_end, source)
    )
    _check_replaceable(target, doc)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(f".staging-{target.name}-{run_id}")
    staging.mkdir()
    try:
        (staging / FIGURES_JSON).write_bytes(canonical_json(doc))
        key = _sign(settings, staging, doc, run_id)
        _write_parquet_outputs(staging, doc, monthly)
        _report(staging, doc, monthly, key, run_id)
        manifest = {
            "run_id": run_id,
            "started_at": started.isoformat(),
            "finished_at": dt.datetime.now(dt.UTC).isoformat(),
            "as_of": as_of.isoformat(),
            "source": source,
            "code_version": doc["code_version"],
            "rows_in": sum(int(i["rows"]) for i in inputs),
            "rows_rejected": sum(int(i["rows_rejected"]) for i in inputs),
            "figures": len(figures),
        }
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
        changed = _move_into_place(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if not out and point_latest:
        _point_latest(settings, target, as_of)
    seconds = {"build": built - building, "write": time.perf_counter() - built}
    return Publication(target, doc, run_id, unchanged=not changed, seconds=seconds)
