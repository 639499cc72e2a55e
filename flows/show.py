"""Figures as a person reads them in a terminal: the headline sentences, then a table."""

from __future__ import annotations

from typing import Any

AREA_TYPE_TITLES = {
    "london": "London",
    "bcu": "Basic Command Units",
    "borough": "Boroughs",
    "ward": "Wards",
}


def headline_sentences(doc: dict[str, Any]) -> list[str]:
    """London's sentences for the spec's headline measures, in the spec's order."""
    wanted = doc["spec"]["headline_measures"]
    london = {f["measure"]: f for f in doc["figures"] if f["area_type"] == "london"}
    return [london[m]["sentence"] for m in wanted if m in london and london[m]["sentence"]]


def _percent(figure: dict[str, Any]) -> str:
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
            f"{figure['change']:>+7,} {_percent(figure):>11}"
        )
    return lines
