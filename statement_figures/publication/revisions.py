"""How a publication's figures have moved since: the same spec recomputed as of a later date.

Nothing is written: the figures are recomputed with `compute.compute_figures`, the function
publishing uses, and set beside the published ones figure by figure.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import duckdb

from statement_figures.domain.periods import default_period_end
from statement_figures.domain.spec import spec_from_dict
from statement_figures.publication.compute import compute_figures
from statement_figures.publication.show import percent_text

STILL_STANDS, REVISED = "still stands", "revised"
COMPARED = ("count", "baseline_count", "change_pct", "change_pct_exact", "suppressed")


def _percent(figure: dict[str, Any]) -> str:
    """'-29 per cent', 'suppressed' or 'no percentage': the table's wording, spelt out."""
    short = percent_text(figure)
    return "no percentage" if short == "n/a" else short.replace("%", " per cent")


def _moved(difference: int, months: str) -> str | None:
    if difference == 0:
        return None
    return f"{abs(difference):,} {'more' if difference > 0 else 'fewer'} counted in {months}"


@dataclass(frozen=True)
class Revision:
    """One figure as published and as it stands now."""

    published: dict[str, Any]
    now: dict[str, Any]

    @property
    def status(self) -> str:
        stated = ("change_pct", "suppressed", "sentence")
        same = all(self.published[k] == self.now[k] for k in stated)
        return STILL_STANDS if same else REVISED

    def line(self) -> str:
        """'Knife crime, London: published -32 per cent, now -31 per cent, 3 more counted in ...'"""
        figure = self.published
        parts = [
            f"{figure['label']}, {figure['area_name']}: published {_percent(figure)}",
            f"now {_percent(self.now)}" if self.status == REVISED else STILL_STANDS,
        ]
        for key, start, end in (
            ("count", "period_start", "period_end"),
            ("baseline_count", "baseline_start", "baseline_end"),
        ):
            moved = _moved(self.now[key] - figure[key], f"{figure[start]} to {figure[end]}")
            if moved:
                parts.append(moved)
        return ", ".join(parts)

    def as_json(self) -> dict[str, Any]:
        figure = self.published
        return {
            **{k: figure[k] for k in ("measure", "label", "area_type", "area_code", "area_name")},
            **{k: figure[k] for k in ("period_start", "period_end")},
            **{k: figure[k] for k in ("baseline_start", "baseline_end")},
            "status": self.status,
            "published": {k: figure[k] for k in COMPARED},
            "now": {k: self.now[k] for k in COMPARED},
            "count_change": self.now["count"] - figure["count"],
            "baseline_count_change": self.now["baseline_count"] - figure["baseline_count"],
            "line": self.line(),
        }


def recomputed(
    con: duckdb.DuckDBPyConnection,
    published: dict[str, Any],
    as_of: dt.date,
    tolerated_share: float = 0.0,
) -> dict[str, Any]:
    """The published statement's figures document recomputed as of `as_of` (nothing written)."""
    published_as_of = dt.date.fromisoformat(published["as_of"])
    spec = spec_from_dict(published["spec"])
    spec = spec.with_overrides(period_end=spec.period_end or default_period_end(published_as_of))
    return compute_figures(con, spec, as_of, tolerated_share, published["source"]).document


def revisions(
    con: duckdb.DuckDBPyConnection,
    published: dict[str, Any],
    as_of: dt.date,
    tolerated_share: float = 0.0,
) -> list[Revision]:
    """Each published figure beside the same figure recomputed as of `as_of`."""
    now = recomputed(con, published, as_of, tolerated_share)
    min_base = int(published["spec"]["min_base"])
    now_by_key = {(f["measure"], f["area_code"]): f for f in now["figures"]}
    return [
        Revision(f, now_by_key.get((f["measure"], f["area_code"])) or _uncounted(f, min_base))
        for f in published["figures"]
    ]


def _uncounted(figure: dict[str, Any], min_base: int) -> dict[str, Any]:
    """The figure of an area that no longer has counts in either period (a ward a later
    dashboard refresh no longer lists): what the comparison gives an area counted zero."""
    return {
        **figure,
        **{"count": 0, "baseline_count": 0, "change": 0, "direction": "no_change"},
        **{"change_pct": None, "change_pct_exact": None, "sentence": None},
        "suppressed": min_base > 0,
    }


def revision_table(moved: list[Revision]) -> list[str]:
    """The London lines first, then one row per figure: published and now, side by side."""
    lines = [revision.line() for revision in moved if revision.published["area_type"] == "london"]
    lines += [
        "",
        f"  {'measure':<36} {'area':<24} {'published':>10} {'now':>10} {'count':>7} "
        f"{'baseline':>8}  status",
    ]
    for revision in moved:
        figure, now = revision.published, revision.now
        lines.append(
            f"  {figure['label']:<36} {figure['area_name']:<24} "
            f"{percent_text(figure):>10} {percent_text(now):>10} "
            f"{now['count'] - figure['count']:>+7,} "
            f"{now['baseline_count'] - figure['baseline_count']:>+8,}  {revision.status}"
        )
    return lines
