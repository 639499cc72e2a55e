"""The figures: comparisons turned into the records of the figures file, and their wording."""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb

from statement_figures.domain.measures import MEASURES_BY_ID
from statement_figures.domain.periods import Period, month_text
from statement_figures.domain.sources import DASHBOARD, INCIDENTS
from statement_figures.domain.spec import Spec
from statement_figures.domain.variation import change_interval
from statement_figures.domain.wording import sentence
from statement_figures.warehouse import db

SCHEMA_VERSION = 3  # 2: `synthetic`; 3: each figure's change_pct_ci_low, _high, significant
SYNTHETIC_CAVEAT = (
    "SYNTHETIC DATA: these figures come from the built-in synthetic sample, not from police "
    "records. They show how the pipeline works; never quote them."
)


def comparisons(con: duckdb.DuckDBPyConnection, spec: Spec, period: Period) -> list[dict[str, Any]]:
    """One figure per measure and area of the spec, from temp table monthly_counts."""
    cursor = con.execute(
        db.sql("marts/comparisons"),
        {
            "period_start": period.start,
            "period_end": period.end,
            "baseline_start": period.baseline_start,
            "baseline_end": period.baseline_end,
            "min_base": spec.min_base,
        },
    )
    columns = [c[0] for c in cursor.description]
    figures = []
    for values in cursor.fetchall():
        row = dict(zip(columns, values, strict=True))
        if row["measure"] not in spec.measures or row["area_type"] not in spec.area_types:
            continue
        label = MEASURES_BY_ID[row["measure"]].label
        figures.append(
            {
                "measure": row["measure"],
                "label": label,
                "area_type": row["area_type"],
                "area_code": row["area_code"],
                "area_name": row["area_name"],
                "period_type": period.period_type,
                "period_start": month_text(period.start),
                "period_end": month_text(period.end),
                "baseline_start": month_text(period.baseline_start),
                "baseline_end": month_text(period.baseline_end),
                "count": int(row["count"]),
                "baseline_count": int(row["baseline_count"]),
                "change": int(row["change"]),
                "change_pct": row["change_pct"],
                "change_pct_exact": row["change_pct_exact"],
                "direction": row["direction"],
                "suppressed": bool(row["suppressed"]),
                "sentence": sentence(
                    label, row["area_type"], row["area_name"], row["change"], row["change_pct"]
                ),
                **natural_variation(row),
            }
        )
    return figures


def natural_variation(row: dict[str, Any]) -> dict[str, Any]:
    """The 95% interval of a figure's percentage change and whether the change is beyond
    natural variation (domain/variation.py); null for a figure with no percentage."""
    interval = None
    if row["change_pct"] is not None:
        interval = change_interval(int(row["count"]), int(row["baseline_count"]))
    return {
        "change_pct_ci_low": interval.low if interval else None,
        "change_pct_ci_high": interval.high if interval else None,
        "significant": interval.significant if interval else None,
    }


def headline_figures(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """London's figures for the spec's headline measures, in the spec's order."""
    london = {f["measure"]: f for f in doc["figures"] if f["area_type"] == "london"}
    return [london[m] for m in doc["spec"]["headline_measures"] if m in london]


def caveats(
    spec: Spec,
    as_of: dt.date,
    rejected: int,
    extract_date: dt.date,
    source: str = INCIDENTS,
    data_starts: dt.date | None = None,
    synthetic: bool = False,
) -> list[str]:
    notes = [SYNTHETIC_CAVEAT] if synthetic else []
    notes += [
        "Counts are by the month a crime was recorded (police recorded crime convention), as "
        f"held in the data as of {as_of.isoformat()}; later extracts may revise them.",
        "Crimes whose borough is not known count towards London only, so the boroughs and "
        "BCUs do not add up to London.",
        f"Percentages on a baseline below {spec.min_base} are suppressed.",
    ]
    if source == DASHBOARD:
        notes.append(
            "Source: the Metropolitan Police's Monthly Crime Dashboard data (London Datastore), "
            f"latest refresh {extract_date.isoformat()}; each month is counted as the latest "
            "refresh covering it reports it. London includes the Aviation Security and "
            "Other / NK rows."
        )
    if data_starts is not None:
        notes.append(
            f"The data starts in {month_text(data_starts)}: the months of the comparison "
            "before that have no data and count as zero, so a change against them is not a "
            "real change."
        )
    if rejected:
        notes.append(
            f"{rejected} rows of the extract of {extract_date.isoformat()} failed validation "
            "and are left out, within the tolerated share."
        )
    return notes


def document(
    *,
    spec: Spec,
    as_of: dt.date,
    source: str,
    figures: list[dict[str, Any]],
    inputs: list[dict[str, Any]],
    code_version: str,
    caveats: list[str],
    synthetic: bool,
) -> dict[str, Any]:
    """The figures file's content: a pure function of the data as of a date, spec and code."""
    return {
        "schema_version": SCHEMA_VERSION,
        "as_of": as_of.isoformat(),
        "source": source,
        "spec": spec.as_json(),
        "definitions": {
            measure_id: {
                "label": MEASURES_BY_ID[measure_id].label,
                "definition": MEASURES_BY_ID[measure_id].definition,
            }
            for measure_id in spec.measures
        },
        "figures": figures,
        "inputs": inputs,
        "code_version": code_version,
        "caveats": caveats,
        "synthetic": synthetic,
    }
