"""Tiny hand-built incident extracts for tests: every row spelled out, defaults stated once."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

from statement_figures.sources.incidents.ingest import COLUMNS

KNIFE_CRIME = {
    "recorded_date": "2021-03-10",
    "offence_group": "robbery",
    "knife_flag": "true",
    "domestic_abuse": "false",
    "borough_code": "E09000007",  # Camden, BCU Central North (CN)
    "status": "recorded",
}
INJURED_VICTIM = {"victim_ref": "V1", "age": "20", "injured": "true"}

Row = dict[str, Any]


def crime(ref: str, **fields: Any) -> Row:
    """A recorded knife robbery in Camden in March 2021, with the given fields changed."""
    return {"crime_ref": ref, **KNIFE_CRIME, **fields}


def victim(crime_ref: str, **fields: Any) -> Row:
    """An injured victim aged 20, with the given fields changed."""
    return {"crime_ref": crime_ref, **INJURED_VICTIM, **fields}


def write_csv(path: Path, columns: tuple[str, ...], rows: list[Row]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns), lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({c: "" if row.get(c) is None else row[c] for c in columns})
    return path


def write_extract(
    folder: Path, extract_date: str | dt.date, crimes: list[Row], victims: list[Row] | None = None
) -> list[Path]:
    """crimes_<date>.csv and victims_<date>.csv in folder."""
    folder.mkdir(parents=True, exist_ok=True)
    return [
        write_csv(folder / f"crimes_{extract_date}.csv", COLUMNS["crimes"], crimes),
        write_csv(folder / f"victims_{extract_date}.csv", COLUMNS["victims"], victims or []),
    ]
