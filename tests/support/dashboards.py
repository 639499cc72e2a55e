"""Tiny hand-built Monthly Crime Dashboard files for tests, with the London Datastore headers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from statement_figures.domain.areas import BOROUGHS
from tests.support.extracts import Row, write_csv

HEADERS = (
    "Month_Year",
    "Area Type",
    "Borough_SNT",
    "Area name",
    "Area code",
    "Crime Type",
    "Crime Subtype",
    "Measure",
    "Financial Year",
    "FY_FYIndex",
    "Count",
    "Refresh Date",
)
CODES = {b.name: b.code for b in BOROUGHS}


def borough_row(
    month: str, borough: str, count: int | str, refresh: str = "2025-07-10", **fields: Any
) -> Row:
    """A Borough row of knife crime offences; `borough` a Met borough's name, or e.g. Other / NK."""
    return {
        "Month_Year": f"{month}-01",
        "Area Type": "Borough",
        "Borough_SNT": borough,
        "Area name": borough,
        "Area code": CODES.get(borough, ""),
        "Crime Type": "Knife Crime",
        "Crime Subtype": "Knife Crime",
        "Measure": "Offences",
        "Financial Year": "fy25-26",
        "FY_FYIndex": "25-26_01",
        "Count": count,
        "Refresh Date": refresh,
        **fields,
    }


def ward_row(
    month: str,
    borough: str,
    ward: str,
    code: str,
    count: int,
    refresh: str = "2025-07-10",
    **fields: Any,
) -> Row:
    """A Safer Neighbourhood Teams (ward) row: borough_snt repeats the borough before the ward."""
    return borough_row(
        month,
        borough,
        count,
        refresh,
        **{
            "Area Type": "Safer Neighbourhood Teams",
            "Borough_SNT": f"{borough} {ward}",
            "Area name": ward,
            "Area code": code,
            **fields,
        },
    )


def write_dashboard(path: Path, rows: list[Row]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_csv(path, HEADERS, rows)
