"""Headlines that move too far between two publications of the same statement.

Nightly data is revised, so a London headline moves a little from one night to the next; a
move of many points at once more often means a broken feed than a change in crime. Such a
publication is still published, but flagged (manifest.json, report.html, `figures show`), and
`figures run` exits with its own code so the scheduler shows it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from statement_figures.publication.figures import headline_figures


@dataclass(frozen=True)
class Move:
    """One headline's percentage change, before and now."""

    measure: str
    label: str
    previous: str  # change_pct_exact of the previous publication
    now: str
    points: str  # the move, in percentage points, two decimals

    def line(self) -> str:
        return (
            f"{self.label}: {self.previous} per cent in the previous publication, now "
            f"{self.now}: a move of {self.points} points"
        )

    @classmethod
    def from_json(cls, data: object) -> Move | None:
        """A move as manifest.json records it; None for anything else."""
        names = ("measure", "label", "previous", "now", "points")
        if not isinstance(data, dict) or not all(isinstance(data.get(n), str) for n in names):
            return None
        return cls(*(str(data[n]) for n in names))

    def as_json(self) -> dict[str, str]:
        return {
            "measure": self.measure,
            "label": self.label,
            "previous": self.previous,
            "now": self.now,
            "points": self.points,
        }


def headline_moves(
    previous: dict[str, Any] | None, doc: dict[str, Any], limit: float
) -> list[Move]:
    """The London headlines of doc whose exact percentage is more than `limit` points from the
    previous publication's (of the same statement name; none without one, or where either
    has no percentage)."""
    if previous is None or previous.get("spec", {}).get("name") != doc["spec"]["name"]:
        return []
    before = {f["measure"]: f for f in headline_figures(previous)}
    moves = []
    for figure in headline_figures(doc):
        old = before.get(figure["measure"])
        if old is None or old["change_pct_exact"] is None or figure["change_pct_exact"] is None:
            continue
        points = abs(Decimal(figure["change_pct_exact"]) - Decimal(old["change_pct_exact"]))
        if points > Decimal(str(limit)):
            moves.append(
                Move(
                    figure["measure"],
                    figure["label"],
                    old["change_pct_exact"],
                    figure["change_pct_exact"],
                    f"{points:.2f}",
                )
            )
    return moves
