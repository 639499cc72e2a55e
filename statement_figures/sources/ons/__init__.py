"""The ONS police force area tables (Crime in England and Wales) as a source."""

from statement_figures.sources.ons.workbook import (
    TOTAL_OFFENCE,
    Missing,
    MissingReason,
    NotOnsTables,
    OnsTables,
    P4Row,
    P5Change,
    P5Row,
    SetAside,
    WorkbookTooLarge,
    read_ons_tables,
)

__all__ = [
    "TOTAL_OFFENCE",
    "Missing",
    "MissingReason",
    "NotOnsTables",
    "OnsTables",
    "P4Row",
    "P5Change",
    "P5Row",
    "SetAside",
    "WorkbookTooLarge",
    "read_ons_tables",
]
