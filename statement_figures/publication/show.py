"""Figures as a person reads them in a terminal: the headline sentences, then a table.

Only published files are read (never the warehouse database), so this works while a writer runs.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from statement_figures.bounded import MIB, read_bounded
from statement_figures.config import Settings
from statement_figures.domain.errors import FiguresError
from statement_figures.publication.figures import SYNTHETIC_CAVEAT, headline_figures
from statement_figures.publication.folders import (
    FIGURES_JSON,
    MANIFEST,
    PUBLIC_KEY,
    REPORT_HTML,
    latest_publication,
)
from statement_figures.publication.moves import Move
from statement_figures.publication.report import report_figures_sha256
from statement_figures.publication.signing import (
    Verified,
    default_public_key,
    is_public_key,
    key_words,
    read_signed_file,
    verify_contents,
)

AREA_TYPE_TITLES = {
    "london": "London",
    "bcu": "Basic Command Units",
    "borough": "Boroughs",
    "ward": "Wards",
}


def headline_sentences(doc: dict[str, Any]) -> list[str]:
    """London's sentences for the spec's headline measures, in the spec's order."""
    return [f["sentence"] for f in headline_figures(doc) if f["sentence"]]


def percent_text(figure: dict[str, Any], mark_within: bool = False) -> str:
    """'-32%', 'suppressed' or 'n/a'; with mark_within, '-32%*' for a change within natural
    variation (WITHIN_NOTE)."""
    if figure["suppressed"]:
        return "suppressed"
    if figure["change_pct"] is None:
        return "n/a"
    within = "*" if mark_within and figure.get("significant") is False else ""
    return f"{figure['change_pct']:+d}%{within}"


def figure_table(doc: dict[str, Any]) -> list[str]:
    """One line per figure, grouped by measure and area type."""
    lines: list[str] = []
    first = doc["figures"][0] if doc["figures"] else None
    if first:
        lines.append(
            f"{first['period_start']} to {first['period_end']} against "
            f"{first['baseline_start']} to {first['baseline_end']}, as of {doc['as_of']}"
        )
    current: tuple[str, str] | None = None
    for figure in doc["figures"]:
        group = (figure["label"], figure["area_type"])
        if group != current:
            current = group
            title = AREA_TYPE_TITLES.get(figure["area_type"], figure["area_type"])
            lines.append("")
            lines.append(f"{figure['label']}: {title}")
            lines.append(f"  {'area':<26} {'count':>7} {'baseline':>9} {'change':>7} {'%':>11}")
        lines.append(
            f"  {figure['area_name']:<26} {figure['count']:>7,} {figure['baseline_count']:>9,} "
            f"{figure['change']:>+7,} {percent_text(figure, mark_within=True):>11}"
        )
    if any(f.get("significant") is False for f in doc["figures"]):
        lines += ["", WITHIN_NOTE]
    return lines


WITHIN_NOTE = (
    "* within natural variation: the 95% interval of the change includes no change (treat "
    "it as no real change)"
)


def readable(doc: dict[str, Any]) -> list[str]:
    """The headline sentences ready to paste, then the table: figures as a person reads them.
    Figures from the synthetic sample say so first."""
    warning = [f"  {SYNTHETIC_CAVEAT}"] if doc.get("synthetic") else []
    sentences = [f"  {sentence}." for sentence in headline_sentences(doc)]
    return warning + sentences + figure_table(doc)


@dataclass(frozen=True)
class SignatureCheck:
    """The outcome of checking a publication's signature, and how far it can be trusted."""

    public_key: Path
    verified: Verified
    signer: str  # "given", "warehouse", "demo" or "unknown"

    @property
    def key_id(self) -> str:
        return self.verified.key_id

    @property
    def public_key_base64(self) -> str:
        return self.verified.public_key_base64

    @property
    def trusted_comment(self) -> str:
        return self.verified.trusted_comment

    @property
    def summary(self) -> str:
        """One honest sentence on what the check proves, naming the signer by the whole key."""
        key = key_words(self.public_key_base64, self.key_id)
        if self.signer == "given":
            return f"genuine: signed by {key}, the one in {self.public_key}"
        if self.signer == "warehouse":
            return f"genuine: signed by {key}, this warehouse's signing key"
        if self.signer == "demo":
            return (
                f"intact, but signed by {key}, this warehouse's DEMO key: for testing only, "
                "not for a public statement"
            )
        return (
            f"intact: figures.json is unchanged since it was signed by {key}; the figures.pub "
            "beside it cannot prove who that was, so compare this whole public key with the "
            "publisher's, never just the key ID (anyone can give their own key that ID), or "
            "pass theirs with --public-key"
        )


@dataclass(frozen=True)
class ReportBeside:
    """The report.html beside a figures.json: its path when it is that publication's report,
    and what the `report:` line says either way."""

    path: Path | None
    line: str


@dataclass(frozen=True)
class Shown:
    """A publication as `figures show` gives it: figures.json read once, checked, parsed."""

    figures_json: Path
    doc: dict[str, Any]
    check: SignatureCheck
    report: ReportBeside


def find_figures_json(settings: Settings, given: Path | None) -> Path:
    """figures.json of a publication folder or path; by default the latest publication's."""
    if given is None:
        folder = latest_publication(settings)
    elif given.is_dir():
        folder = given
    elif given.exists() or given.is_symlink():
        return given  # a link or a FIFO is refused, with its reason, when it is read
    else:
        raise FiguresError(
            "no such publication (give a publication folder or its figures.json)",
            location=str(given),
        )
    figures_json = folder / FIGURES_JSON
    if not figures_json.exists() and not figures_json.is_symlink():
        raise FiguresError(f"no {FIGURES_JSON} in this folder", location=str(folder))
    return figures_json


def show_publication(settings: Settings, figures_json: Path, public_key: Path | None) -> Shown:
    """figures.json read once (never through a link, bounded), its signature checked, then
    parsed, and the report beside it if it is this publication's."""
    data = read_signed_file(figures_json)
    check = check_signature(settings, figures_json, data, public_key)
    doc = parse_document(figures_json, data)
    report = report_beside(figures_json, hashlib.sha256(data).hexdigest())
    return Shown(figures_json, doc, check, report)


def check_signature(
    settings: Settings, figures_json: Path, data: bytes, public_key: Path | None = None
) -> SignatureCheck:
    """Verify figures.json with the given key, else the figures.pub beside it; say whose it is
    by comparing the whole key that checked it with the keys this warehouse knows."""
    key = public_key or figures_json.with_name(PUBLIC_KEY)
    verified = verify_contents(figures_json, data, key)
    known = {"demo": default_public_key(None, settings.warehouse)}
    if settings.signing_key:
        known["warehouse"] = default_public_key(settings.signing_key, settings.warehouse)
    signer = "given" if public_key is not None else "unknown"
    for name, known_key in known.items():
        if public_key is None and is_public_key(verified.public_key_base64, known_key):
            signer = name
    return SignatureCheck(key, verified, signer)


def parse_document(figures_json: Path, data: bytes) -> dict[str, Any]:
    """The figures document in `data` (read from `figures_json`)."""
    try:
        doc = json.loads(data)
    except ValueError as error:
        raise FiguresError(f"not a figures file: {error}", location=str(figures_json)) from None
    if not isinstance(doc, dict) or "figures" not in doc or "spec" not in doc:
        raise FiguresError(
            "not a figures file: it has no figures or no spec", location=str(figures_json)
        )
    return doc


def read_document(figures_json: Path) -> dict[str, Any]:
    """The figures document of a figures.json (never through a link, bounded)."""
    return parse_document(figures_json, read_signed_file(figures_json))


def report_beside(figures_json: Path, figures_sha256: str) -> ReportBeside:
    """The report.html beside figures.json, shown only when the figures sha256 inside it is
    that of this figures.json (another publication's report is not this one's)."""
    report = figures_json.with_name(REPORT_HTML)
    if not report.exists() and not report.is_symlink():
        return ReportBeside(None, f"none (this publication has no {REPORT_HTML})")
    try:
        html = read_signed_file(report)
    except FiguresError as error:
        return ReportBeside(None, f"{error}: not shown")
    reason = report_mismatch(html, figures_sha256)
    if reason:
        return ReportBeside(
            None, f"{REPORT_HTML} beside it is not this publication's report ({reason}): not shown"
        )
    return ReportBeside(report, str(report))


def report_mismatch(html: bytes, figures_sha256: str) -> str | None:
    """Why a report is not the report of figures with this sha256; None when it is."""
    named = report_figures_sha256(html)
    if named is None:
        return "it names no figures sha256"
    return None if named == figures_sha256 else "its figures sha256 differs"


def check_report_beside_figures(report: Path, html: bytes) -> Path | None:
    """The figures.json beside a report, when there is one, once it is known to be the
    report's (its sha256 is the one the report names); else FiguresError."""
    figures_json = report.with_name(FIGURES_JSON)
    if not figures_json.exists() and not figures_json.is_symlink():
        return None
    figures_sha256 = hashlib.sha256(read_signed_file(figures_json)).hexdigest()
    reason = report_mismatch(html, figures_sha256)
    if reason:
        raise FiguresError(
            f"is not the report of the {FIGURES_JSON} beside it ({reason})", location=str(report)
        )
    return figures_json


def shown_as_json(shown: Shown) -> dict[str, Any]:
    """What `figures show --json` prints."""
    check, report = shown.check, shown.report
    return {
        "figures_json": str(shown.figures_json),
        "report": str(report.path) if report.path else None,
        "report_line": report.line,
        "as_of": shown.doc["as_of"],
        "headline_sentences": headline_sentences(shown.doc),
        "signature": {
            "verified": True,
            "key_id": check.key_id,
            "public_key": str(check.public_key),
            "public_key_base64": check.public_key_base64,
            "signer": check.signer,
            "trusted_comment": check.trusted_comment,
            "summary": check.summary,
        },
        "figures": shown.doc["figures"],
    }


MANIFEST_LIMIT = MIB


def recorded_moves(figures_json: Path) -> tuple[Move, ...]:
    """The headlines the manifest beside figures.json flags as having moved too far since the
    previous publication (none without a readable manifest)."""
    manifest = figures_json.with_name(MANIFEST)
    if not manifest.is_file() or manifest.is_symlink():
        return ()
    try:
        data = json.loads(read_bounded(manifest, MANIFEST_LIMIT))
    except (FiguresError, ValueError):
        return ()
    recorded = data.get("headline_moves") if isinstance(data, dict) else None
    moves = [Move.from_json(m) for m in recorded] if isinstance(recorded, list) else []
    return tuple(move for move in moves if move is not None)


def flagged_moves(figures_json: Path) -> list[str]:
    """One `flagged: ...` line per headline the publication's manifest flags."""
    return [f"flagged: {move.line()}" for move in recorded_moves(figures_json)]
