"""The output contracts (schemas/figures.py, schemas/monthly_counts.py), checked before anything
is published: a figure or monthly count that breaks one means the code is wrong, so the
publication is refused in one line naming the row and the rule, and nothing is written."""

from __future__ import annotations

from typing import Any

import pandera.errors
import pandera.polars as pa
import polars as pl
import pyarrow as pa_arrow

from schemas.figures import SCHEMA, Figures
from schemas.monthly_counts import MonthlyCounts
from statement_figures.domain.errors import FiguresError


def _first_failure(frame: pl.DataFrame, model: type[pa.DataFrameModel]) -> str | None:
    """'row N (measure, area_code): column: rule (found value)' for the first failure, if any."""
    try:
        model.validate(frame, lazy=True)
    except pandera.errors.SchemaErrors as errors:
        case = errors.failure_cases.row(0, named=True)
    else:
        return None
    index = case["index"]
    where = "the whole frame"
    if index is not None:
        row = frame.row(int(index), named=True)
        where = f"row {int(index) + 1} ({row['measure']}, {row['area_code']})"
    if case["check"] == "multiple_fields_uniqueness":
        unique = model.Config.unique
        names = [unique] if isinstance(unique, str) else list(unique or ())
        return f"{where}: {', '.join(names)} are unique together"
    if case["column"] in (None, model.__name__):  # a rule across columns: the row says it all
        return f"{where}: {case['check']}"
    return f"{where}: {case['column']}: {case['check']} (found {case['failure_case']!r})"


def check_outputs(figures: list[dict[str, Any]], monthly: pa_arrow.Table) -> None:
    """Refuse figures or monthly counts that break their contract."""
    frames: dict[str, tuple[pl.DataFrame, type[pa.DataFrameModel]]] = {
        "figures": (pl.DataFrame(figures, schema=SCHEMA, orient="row"), Figures),
        "monthly counts": (pl.from_arrow(monthly), MonthlyCounts),  # type: ignore[dict-item]
    }
    for name, (frame, model) in frames.items():
        failure = _first_failure(frame, model)
        if failure:
            raise FiguresError(
                f"{name} {failure}; nothing was published (this is a fault in the code: "
                "please report it)",
                rule="output contract",
            )
