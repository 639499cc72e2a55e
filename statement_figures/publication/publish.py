"""Publish the figures of a spec as of a date: computed, written aside, signed, moved into place.

A publication is a folder: figures.json (canonical JSON, RFC 8785), figures.parquet, the
monthly-count mart (hive-partitioned parquet), manifest.json, report.html, and the minisign
signatures of figures.json and report.html with figures.pub (publication/folders.py says where
it goes and how it is swapped into place whole).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import rfc8785

from statement_figures.config import Settings
from statement_figures.domain.spec import DEFAULT_SPEC, Spec
from statement_figures.publication.compute import Computed, compute_figures
from statement_figures.publication.contracts import check_outputs
from statement_figures.publication.folders import (
    FIGURES_JSON,
    LATEST,
    MANIFEST,
    PUBLIC_KEY,
    REPORT_HTML,
    becomes_latest,
    check_replaceable,
    latest_publication,
    move_into_place,
    publication_name,
    remove_leftovers,
    set_latest,
)
from statement_figures.publication.moves import Move, headline_moves
from statement_figures.publication.report import SignatureFacts, write_report
from statement_figures.publication.show import read_document, recorded_moves
from statement_figures.publication.signing import (
    SigningKey,
    load_secret_key,
    public_key_id,
    public_key_line,
    sign_file,
    trusted_comment,
)
from statement_figures.warehouse import db
from statement_figures.warehouse.queries import default_source, latest_extract


@dataclass(frozen=True)
class Publication:
    folder: Path
    document: dict[str, Any]
    run_id: str
    unchanged: bool = False
    seconds: dict[str, float] = field(default_factory=dict)
    moves: tuple[Move, ...] = ()  # headlines flagged against the previous publication

    @property
    def figures_json(self) -> Path:
        return self.folder / FIGURES_JSON

    @property
    def report_html(self) -> Path:
        return self.folder / REPORT_HTML


def canonical_json(doc: dict[str, Any]) -> bytes:
    return bytes(rfc8785.dumps(doc))


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
    folder: Path,
    computed: Computed,
    key: SigningKey,
    run_id: str,
    moves: tuple[Move, ...],
) -> None:
    """report.html, saying how to check the figures file it was made from; signed too."""
    facts = SignatureFacts(
        figures_sha256=hashlib.sha256((folder / FIGURES_JSON).read_bytes()).hexdigest(),
        key_id=public_key_id(folder / PUBLIC_KEY),
        public_key_base64=public_key_line(folder / PUBLIC_KEY),
        demo_key=key.is_demo,
    )
    doc = computed.document
    report = write_report(folder, doc, computed.monthly, facts, moves)
    _sign_one(report, key, doc, run_id)


def _manifest(
    doc: dict[str, Any], run_id: str, started: dt.datetime, moves: tuple[Move, ...]
) -> dict[str, Any]:
    """The run's record: when, from how many rows; the one file with wall-clock times."""
    inputs = doc["inputs"]
    return {
        "run_id": run_id,
        "started_at": started.isoformat(),
        "finished_at": dt.datetime.now(dt.UTC).isoformat(),
        "as_of": doc["as_of"],
        "source": doc["source"],
        "code_version": doc["code_version"],
        "rows_in": sum(int(i["rows"]) for i in inputs),
        "rows_rejected": sum(int(i["rows_rejected"]) for i in inputs),
        "figures": len(doc["figures"]),
        "headline_moves": [move.as_json() for move in moves],
    }


def _write_files(
    settings: Settings,
    staging: Path,
    computed: Computed,
    run: tuple[str, dt.datetime],
    moves: tuple[Move, ...],
) -> None:
    """Every file of the publication, signed, into its staging folder."""
    (run_id, started), doc = run, computed.document
    (staging / FIGURES_JSON).write_bytes(canonical_json(doc))
    key = _sign(settings, staging, doc, run_id)
    _write_parquet_outputs(staging, doc, computed.monthly)
    _report(staging, computed, key, run_id, moves)
    manifest = _manifest(doc, run_id, started, moves)
    (staging / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")


def _moves(settings: Settings, computed: Computed, target: Path) -> tuple[Move, ...]:
    """The headlines that moved too far against the latest publication, when this one is to
    take its place (a publication of earlier data is compared with nothing; the latest one
    published again keeps what it flagged against the one before it)."""
    doc = computed.document
    if not (settings.published / LATEST).exists():
        return ()
    if not becomes_latest(settings, computed.data_date):
        return ()
    latest = latest_publication(settings)
    if latest.resolve() == target.resolve():
        return recorded_moves(target / FIGURES_JSON)
    previous = read_document(latest / FIGURES_JSON)
    return tuple(headline_moves(previous, doc, settings.headline_move_points))


def publish(
    settings: Settings,
    *,
    spec: Spec = DEFAULT_SPEC,
    as_of: dt.date | None = None,
    out: Path | None = None,
    run_id: str | None = None,
    source: str | None = None,
    point_latest: bool = True,
    moves: tuple[Move, ...] | None = None,
) -> Publication:
    """Compute, write and move into place one publication; return where it is.

    The source defaults to incident extracts when any are loaded on or before as_of, else the
    Monthly Crime Dashboard (warehouse/queries.py). published/LATEST then names the publication,
    unless it was written elsewhere (`out`) or point_latest is False (a backfill of past
    periods leaves LATEST alone). `moves`: the headlines to flag, when they are known already
    (a rebuild publishes again what the original flagged); by default they are found against
    the latest publication.
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
    doc = computed.document
    check_outputs(doc["figures"], computed.monthly)
    target = (
        out.resolve()
        if out
        else settings.published / publication_name(spec, as_of, computed.period_end, source)
    )
    check_replaceable(target, doc)
    if moves is None:
        moves = _moves(settings, computed, target) if not out and point_latest else ()
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(f".staging-{target.name}-{run_id}")
    staging.mkdir()
    try:
        _write_files(settings, staging, computed, (run_id, started), moves)
        changed = move_into_place(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if not out and point_latest:
        set_latest(settings, target, computed.data_date)
    seconds = {"build": built - building, "write": time.perf_counter() - built}
    return Publication(target, doc, run_id, not changed, seconds, moves)
