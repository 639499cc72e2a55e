"""Figures as a person reads them in a terminal: the headline sentences, then a table.

Only published files are read (never the warehouse database), so this works while a writer runs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from statement_figures.config import Settings
from statement_figures.domain.errors import FiguresError
from statement_figures.publication.figures import SYNTHETIC_CAVEAT, headline_figures
from statement_figures.publication.folders import (
    FIGURES_JSON,
    PUBLIC_KEY,
    REPORT_HTML,
    latest_publication,
)
from statement_figures.publication.signing import (
    default_public_key,
    public_key_id,
    same_public_key,
    verify_file,
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


def percent_text(figure: dict[str, Any]) -> str:
    if figure["suppressed"]:
        return "suppressed"
    if figure["change_pct"] is None:
        return "n/a"
    return f"{figure['change_pct']:+d}%"


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
            f"{figure['change']:>+7,} {percent_text(figure):>11}"
        )
    return lines


def readable(doc: dict[str, Any]) -> list[str]:
    """The headline sentences ready to paste, then the table: figures as a person reads them.
    Figures from the synthetic sample say so first."""
    warning = [f"  {SYNTHETIC_CAVEAT}"] if doc.get("synthetic") else []
    sentences = [f"  {sentence}." for sentence in headline_sentences(doc)]
    return warning + sentences + figure_table(doc)


@dataclass(frozen=True)
class SignatureCheck:
    """The outcome of checking a publication's signature, and how far it can be trusted."""

    key_id: str
    public_key: Path
    trusted_comment: str
    signer: str  # "given", "warehouse", "demo" or "unknown"

    @property
    def summary(self) -> str:
        """One honest sentence on what the check proves."""
        key = f"key ID {self.key_id}"
        if self.signer == "given":
            return f"genuine: signed by {key}, the public key {self.public_key}"
        if self.signer == "warehouse":
            return f"genuine: signed by {key}, this warehouse's signing key"
        if self.signer == "demo":
            return (
                f"intact, but signed by {key}, this warehouse's DEMO key: for testing only, "
                "not for a public statement"
            )
        return (
            f"intact: figures.json is unchanged since it was signed by {key}; the figures.pub "
            "beside it cannot prove who that was, so check the key ID against the publisher's "
            "public key (or pass it with --public-key)"
        )


def find_figures_json(settings: Settings, given: Path | None) -> Path:
    """figures.json of a publication folder or path; by default the latest publication's."""
    if given is None:
        folder = latest_publication(settings)
    elif given.is_dir():
        folder = given
    elif given.is_file():
        return given
    else:
        raise FiguresError(
            "no such publication (give a publication folder or its figures.json)",
            location=str(given),
        )
    figures_json = folder / FIGURES_JSON
    if not figures_json.is_file():
        raise FiguresError(f"no {FIGURES_JSON} in this folder", location=str(folder))
    return figures_json


def check_signature(
    settings: Settings, figures_json: Path, public_key: Path | None = None
) -> SignatureCheck:
    """Verify figures.json with the given key, else the figures.pub beside it; say whose it is."""
    key = public_key or figures_json.with_name(PUBLIC_KEY)
    comment = verify_file(figures_json, key)
    key_id = public_key_id(key)
    known = {"demo": default_public_key(None, settings.warehouse)}
    if settings.signing_key:
        known["warehouse"] = default_public_key(settings.signing_key, settings.warehouse)
    signer = "given" if public_key is not None else "unknown"
    for name, known_key in known.items():
        if public_key is None and same_public_key(key, known_key):
            signer = name
    return SignatureCheck(key_id, key, comment, signer)


def read_document(figures_json: Path) -> dict[str, Any]:
    try:
        doc = json.loads(figures_json.read_bytes())
    except (OSError, ValueError) as error:
        raise FiguresError(f"not a figures file: {error}", location=str(figures_json)) from None
    if not isinstance(doc, dict) or "figures" not in doc or "spec" not in doc:
        raise FiguresError(
            "not a figures file: it has no figures or no spec", location=str(figures_json)
        )
    return doc


def report_beside(figures_json: Path) -> Path | None:
    report = figures_json.with_name(REPORT_HTML)
    return report if report.is_file() else None


def shown_as_json(figures_json: Path, doc: dict[str, Any], check: SignatureCheck) -> dict[str, Any]:
    """What `figures show --json` prints."""
    report = report_beside(figures_json)
    return {
        "figures_json": str(figures_json),
        "report": str(report) if report else None,
        "as_of": doc["as_of"],
        "headline_sentences": headline_sentences(doc),
        "signature": {
            "verified": True,
            "key_id": check.key_id,
            "public_key": str(check.public_key),
            "signer": check.signer,
            "trusted_comment": check.trusted_comment,
            "summary": check.summary,
        },
        "figures": doc["figures"],
    }
