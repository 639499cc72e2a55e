"""The output contract of the monthly-count mart (published as monthly_counts/): one row per
measure, area and month, zeros included. Checked before anything is published."""

from __future__ import annotations

import datetime as dt

import pandera.polars as pa

from schemas.figures import AREA_TYPES
from statement_figures.domain.measures import MEASURES


class MonthlyCounts(pa.DataFrameModel):
    """A measure's count for an area in a month."""

    measure: str = pa.Field(isin=[m.id for m in MEASURES], description="The measure's id")
    area_type: str = pa.Field(isin=AREA_TYPES, description="london, bcu, borough or ward")
    area_code: str = pa.Field(description="The area's code (MPS for London)")
    area_name: str = pa.Field(description="The area's name")
    month: dt.date = pa.Field(description="The month counted (its first day)")
    count: int = pa.Field(ge=0, description="The count (0 where nothing was counted)")

    class Config:
        strict = True
        coerce = False
        unique = ("measure", "area_code", "month")
