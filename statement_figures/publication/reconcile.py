"""Reconcile the two sources: incident extracts against the Met's published dashboard counts.

For each measure, borough (and "Unknown or other": incidents without a borough against the
dashboard's Aviation Security and Other / NK rows) and month that both sources cover, the
count from each, their difference (incidents minus dashboard), and whether it is beyond the
tolerance. Months compared: those the dashboard refreshes (as of the date) cover that lie
between the first month of the incident extracts and the last complete month as of their
latest extract.

Tolerance: a row differs beyond it when |difference| is more than `absolute` AND, when
`percent` is given, more than `percent` per cent of the dashboard count. Either allowance
excuses a difference: `--tolerance 2 --tolerance-pct 5` flags only differences of 3 or more
that are also over 5 per cent of the published count.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from statement_figures.config import Settings
from statement_figures.domain.errors import FiguresError
from statement_figures.domain.measures import MEASURES, Measure
from statement_figures.domain.periods import default_period_end, month_text
from statement_figures.domain.sources import DASHBOARD, INCIDENTS
from statement_figures.warehouse import db
from statement_figures.warehouse.counts import area_boroughs, dashboard_counts, incident_counts
from statement_figures.warehouse.queries import first_month, latest_extract


@dataclass(frozen=True)
class Tolerance:
    absolute: int = 0
    percent: float | None = None

    def __post_init__(self) -> None:
        if self.absolute < 0:
            raise FiguresError(f"--tolerance must not be negative (got {self.absolute})")
        if self.percent is not None and not (math.isfinite(self.percent) and self.percent >= 0):
            raise FiguresError(
                f"--tolerance-pct must be a finite number of per cent, 0 or more "
                f"(got {self.percent:g})"
            )

    def text(self) -> str:
        words = f"differences of more than {self.absolute}"
        if self.percent is not None:
            words += f" and more than {self.percent:g} per cent of the dashboard count"
        return words


@dataclass
class Reconciliation:
    incidents_as_of: dt.date
    dashboard_as_of: dt.date
    tolerance: Tolerance
    rows: list[dict[str, Any]] = field(default_factory=list)

    @property
    def differing(self) -> list[dict[str, Any]]:
        return [r for r in self.rows if r["beyond_tolerance"]]

    @property
    def months(self) -> tuple[str, str]:
        found = sorted({r["month"] for r in self.rows})
        return found[0], found[-1]

    def summary(self) -> str:
        first, last = self.months
        return (
            f"{len(self.rows):,} monthly counts compared ({first} to {last}): "
            f"{len(self.differing):,} beyond the tolerance ({self.tolerance.text()})"
        )

    def as_json(self) -> dict[str, Any]:
        first, last = self.months
        return {
            "incidents_as_of": self.incidents_as_of.isoformat(),
            "dashboard_as_of": self.dashboard_as_of.isoformat(),
            "first_month": first,
            "last_month": last,
            "tolerance": {"absolute": self.tolerance.absolute, "percent": self.tolerance.percent},
            "compared": len(self.rows),
            "beyond_tolerance": len(self.differing),
            "rows": self.rows,
        }

    def table(self, only_differences: bool = False) -> list[str]:
        """One line per row compared (or per row beyond the tolerance), `!` marking those."""
        lines = [
            f"incidents as of {self.incidents_as_of.isoformat()} against the Monthly Crime "
            f"Dashboard as of {self.dashboard_as_of.isoformat()}",
            f"  {'measure':<26} {'borough':<24} {'month':<7} {'incidents':>9} "
            f"{'dashboard':>9} {'difference':>10}",
        ]
        for row in self.differing if only_differences else self.rows:
            mark = "!" if row["beyond_tolerance"] else " "
            lines.append(
                f"{mark} {row['measure']:<26} {row['borough_name']:<24} {row['month']:<7} "
                f"{row['incidents']:>9,} {row['dashboard']:>9,} {row['difference']:>+10,}"
            )
        return lines


def reconcile(
    settings: Settings,
    *,
    as_of: dt.date | None = None,
    tolerance: Tolerance | None = None,
    measures: tuple[Measure, ...] = MEASURES,
) -> Reconciliation:
    """Both sources as of a date (default: each one's latest), side by side by month."""
    tolerance = tolerance or Tolerance()
    with db.connect(settings) as con:
        incidents_as_of = latest_extract(con, INCIDENTS, as_of)
        dashboard_as_of = latest_extract(con, DASHBOARD, as_of)
        incidents = incident_counts(con, incidents_as_of, measures)
        first = first_month(con, INCIDENTS, incidents_as_of)
        dashboard = dashboard_counts(con, dashboard_as_of, measures)
        con.register("incident_month_counts", incidents)
        con.register("dashboard_month_counts", dashboard)
        con.register("area_boroughs", area_boroughs())
        try:
            table: pa.Table = con.sql(
                db.sql("marts/reconcile"),
                params={
                    "dashboard_as_of": dashboard_as_of,
                    "measures": [m.id for m in measures],
                    "first_month": first,
                    "last_month": default_period_end(incidents_as_of),
                    "tolerance": tolerance.absolute,
                    "tolerance_pct": tolerance.percent,
                },
            ).to_arrow_table()
        finally:
            for name in ("incident_month_counts", "dashboard_month_counts", "area_boroughs"):
                con.unregister(name)
    rows = [{**row, "month": month_text(row["month"])} for row in table.to_pylist()]
    if not rows:
        raise FiguresError(
            "no month is covered by both the incident extracts (as of "
            f"{incidents_as_of.isoformat()}) and the Monthly Crime Dashboard (as of "
            f"{dashboard_as_of.isoformat()}): nothing to reconcile"
        )
    return Reconciliation(incidents_as_of, dashboard_as_of, tolerance, rows)
