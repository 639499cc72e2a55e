"""A file of the MPS Monthly Crime Dashboard (brief 3.2), as staged: fields still text.

Staging (sql/stage_dashboard.sql) trims every field, reads the dates and the count once, and
adds the results beside the text (`month`, `refresh`, `count_value`), so the rules here only
compare; a failing row is reported with the text it had in the file. A count of more digits
than a 64-bit integer holds is staged as the largest one, so that it breaks the bound on
counts rather than passing for text that is not a number.

A row breaking a rule is set aside (sources/dashboard/ingest.py), the rest of the file loads.
Any area code is accepted on a Borough row: one that is not a Met borough's counts for London
only (sql/staging/dashboard_rows.sql).
"""

from __future__ import annotations

import datetime as dt

import pandera.polars as pa
import polars as pl
from pandera.api.polars.types import PolarsData

from schemas.rules import passes

BOROUGH_LEVEL = "Borough"
WARD_LEVEL = "Safer Neighbourhood Teams"
AREA_TYPES = (BOROUGH_LEVEL, WARD_LEVEL)
MONTH_FORMATS = "YYYY-MM-DD, DD/MM/YYYY or YYYY-MM"
DATE_FORMATS = "YYYY-MM-DD or DD/MM/YYYY"
# No row of the dashboard counts more: London's knife crime is about 15,000 a year. A larger
# count is a corrupt file, and counts near 2^63 would overflow every later sum.
MAX_COUNT = 10_000_000


class Dashboard(pa.DataFrameModel):
    """One row per area, month, crime subtype and measure of a dashboard file."""

    file_row: int = pa.Field(description="Row number in the file, 1 for the first data row")
    month_year: str = pa.Field(nullable=False, description="The month counted, as written")
    month: dt.date = pa.Field(nullable=True, description="month_year read as its month")
    area_type: str = pa.Field(nullable=False, description="Borough or Safer Neighbourhood Teams")
    borough_snt: str = pa.Field(nullable=False, description="Borough, or borough and ward name")
    area_name: str = pa.Field(nullable=True, description="Borough or ward name")
    area_code: str = pa.Field(nullable=True, description="GSS code: E09 borough, E05 ward")
    crime_subtype: str = pa.Field(nullable=False, description="e.g. Knife Crime")
    measure: str = pa.Field(nullable=False, description="Offences or Positive Outcomes")
    count: str = pa.Field(nullable=False, description="The count, as written")
    count_value: int = pa.Field(nullable=True, description="count read as a whole number")
    refresh_date: str = pa.Field(nullable=False, description="The refresh (as-of) date")
    refresh: dt.date = pa.Field(nullable=True, description="refresh_date read as a date")

    class Config:
        strict = True
        coerce = False

    @pa.check("month_year", name=f"is a date written {MONTH_FORMATS}")
    def _month_is_date(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("month").is_not_null() | pl.col(data.key).is_null())

    @pa.check("month_year", name="is not after the refresh date")
    def _month_not_after_refresh(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(passes(pl.col("month") <= pl.col("refresh")))

    @pa.check("refresh_date", name=f"is a date written {DATE_FORMATS}")
    def _refresh_is_date(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("refresh").is_not_null() | pl.col(data.key).is_null())

    @pa.check("count", name="is a whole number that is not negative")
    def _count_whole(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(
            pl.col("count_value").is_not_null() | pl.col(data.key).is_null()
        )

    @pa.check("count", name=f"is at most {MAX_COUNT:,}, a plausible count for one row")
    def _count_plausible(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(passes(pl.col("count_value") <= MAX_COUNT))

    @pa.check("area_type", name="is " + " or ".join(AREA_TYPES))
    def _area_type_known(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(passes(pl.col(data.key).is_in(AREA_TYPES)))
