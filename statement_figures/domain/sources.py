"""The sources figures are computed from, by name: incident extracts and the Met's Monthly
Crime Dashboard. Each gives counts by measure, borough and month as of a date
(warehouse/counts.py); the areas, comparisons and figures built on them are the same for both.
"""

from __future__ import annotations

from statement_figures.domain.errors import FiguresError

INCIDENTS = "incidents"
DASHBOARD = "mps-dashboard"
SOURCES = (INCIDENTS, DASHBOARD)
# Every crime of the built-in synthetic sample (sample/) has a reference starting with this: a
# file holding one is synthetic, wherever it travels, and figures from it are marked so.
SYNTHETIC_REF_PREFIX = "SAMPLE-"


def check_source(source: str) -> str:
    if source not in SOURCES:
        raise FiguresError(f"unknown source {source!r} (known: {', '.join(SOURCES)})")
    return source
