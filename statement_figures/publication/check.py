"""`figures check`: every claim of a percentage change in a draft statement, judged against a
publication (domain/claims.py reads and judges), and against the data as of a later date when
the warehouse has it: a claim that matched the publication but no longer matches is `revised`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from statement_figures.domain.claims import (
    SUPPORTED,
    Claim,
    Judgement,
    Vocabulary,
    describe_figure,
    find_claims,
    judge,
)
from statement_figures.domain.measures import MEASURES

REVISED = "revised"


@dataclass(frozen=True)
class Checked:
    """One claim and its verdict."""

    claim: Claim
    judgement: Judgement
    warning: str | None = None  # a supported claim resting on a change within natural variation

    @property
    def supported(self) -> bool:
        return self.judgement.verdict == SUPPORTED

    def as_json(self) -> dict[str, Any]:
        figure = self.judgement.figure
        return {
            "sentence": self.claim.sentence,
            "measure": self.claim.measure,
            "area_code": self.claim.area_code,
            "area_name": self.claim.area_name,
            "claimed_change_pct": self.claim.claimed_change_pct,
            "claimed_direction": self.claim.claimed_direction,
            "figure_change_pct": figure.get("change_pct") if figure else None,
            "figure_change_pct_exact": figure.get("change_pct_exact") if figure else None,
            "verdict": self.judgement.verdict,
            "detail": self.judgement.detail,
            "warning": self.warning,
        }


def vocabulary(doc: dict[str, Any]) -> Vocabulary:
    """The measures of the registry (labels and aliases) and the areas the publication has."""
    areas = {(f["area_code"], f["area_name"], f["area_type"]) for f in doc["figures"]}
    london = [a for a in areas if a[2] == "london"] or [("MPS", "London", "london")]
    return Vocabulary.of(
        [(m.id, m.label, (m.label.lower(), *m.aliases)) for m in MEASURES],
        sorted(areas | set(london)),
    )


def _revised(judgement: Judgement, now: dict[str, Any], as_of: str) -> Judgement:
    """A supported claim whose figure has moved since the publication: say from what to what."""
    published = judgement.figure
    if judgement.verdict != SUPPORTED or published is None:
        return judgement
    key = (published["measure"], published["area_code"])
    current = next((f for f in now["figures"] if (f["measure"], f["area_code"]) == key), None)
    stated = ("change_pct", "suppressed", "sentence")
    if current is not None and all(current[k] == published[k] for k in stated):
        return judgement
    moved_to = describe_figure(current) if current else "no longer a figure of the data"
    return Judgement(
        REVISED,
        published,
        f"It matches the publication ({describe_figure(published)}), but as of {as_of} the "
        f"figure has moved: {moved_to}.",
    )


def _within_variation(judgement: Judgement) -> str | None:
    """The warning for a supported claim whose change is not beyond natural variation."""
    figure = judgement.figure
    if judgement.verdict != SUPPORTED or figure is None or figure.get("significant") is not False:
        return None
    return (
        f"the change is within natural variation: its 95% interval, "
        f"{figure['change_pct_ci_low']} to {figure['change_pct_ci_high']} per cent, includes no "
        "change, so it may be chance rather than a real change"
    )


def check_statement(
    text: str, doc: dict[str, Any], now: dict[str, Any] | None = None
) -> list[Checked]:
    """Each claim of the text judged against the publication `doc`, and, when `now` (the same
    statement's figures recomputed as of a later date) is given, against that too."""
    checked = []
    for claim in find_claims(text, vocabulary(doc)):
        judgement = judge(claim, doc["figures"])
        if now is not None:
            judgement = _revised(judgement, now, now["as_of"])
        checked.append(Checked(claim, judgement, _within_variation(judgement)))
    return checked


def check_table(checked: list[Checked]) -> list[str]:
    """What a person reads: each claim, as understood, its verdict and why."""
    lines: list[str] = []
    for number, item in enumerate(checked, start=1):
        claim = item.claim
        understood = (
            f"{claim.measure or 'no known measure'}, {claim.area_name}: "
            f"{claim.claimed_direction} of {claim.claimed_change_pct} per cent"
        )
        lines += [
            f"{number}. {item.judgement.verdict.upper()}: {understood}",
            f"   sentence: {claim.sentence}",
            f"   why: {item.judgement.detail}",
            *([f"   warning: {item.warning}"] if item.warning else []),
        ]
    return lines
