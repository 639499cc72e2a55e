"""The crimes file of an incident extract (brief 3.1), as staged: every field still text."""

from __future__ import annotations

import datetime as dt

import pandera.polars as pa
import polars as pl
from pandera.api.polars.types import PolarsData

from schemas.rules import EARLIEST_DATE, as_date, as_flag, is_true_false, passes
from statement_figures.domain.areas import BOROUGH_CODES

OFFENCE_GROUPS = (
    "homicide",
    "violence_with_injury",
    "violence_without_injury",
    "robbery",
    "sexual_offences",
    "possession_of_weapons",
    "other",
)
STATUSES = ("recorded", "cancelled")
# Computed from the text fields before validation, so that each value is parsed once.
DERIVED = (as_date("recorded_date").alias("recorded_day"),)
# An accepted row as table crimes stores it (sql/create_crimes.sql), from its fields and DERIVED.
STORED = (
    pl.col("crime_ref"),
    pl.col("recorded_day").alias("recorded_date"),
    pl.col("offence_group"),
    as_flag("knife_flag"),
    as_flag("domestic_abuse"),
    pl.col("borough_code"),
    pl.col("status"),
)


class Crimes(pa.DataFrameModel):
    """One row per crime version in an extract file."""

    file_row: int = pa.Field(description="Row number in the file, 1 for the first data row")
    extract_date: dt.date = pa.Field(description="The extract's as-of date, from the file name")
    crime_ref_count: int = pa.Field(description="Rows in the file with this crime_ref")
    crime_ref: str = pa.Field(nullable=False, description="The crime's reference")
    recorded_date: str = pa.Field(nullable=False, description="Date the crime was recorded")
    recorded_day: dt.date = pa.Field(
        nullable=True, description="recorded_date as a date; empty unless written YYYY-MM-DD"
    )
    offence_group: str = pa.Field(nullable=False, description="Home Office offence group")
    knife_flag: str = pa.Field(nullable=False, description="A knife or sharp instrument was used")
    domestic_abuse: str = pa.Field(nullable=False, description="Flagged as domestic abuse")
    borough_code: str = pa.Field(nullable=True, description="GSS code of the borough, or empty")
    status: str = pa.Field(nullable=False, description="recorded, or cancelled")

    class Config:
        strict = True
        coerce = False

    @pa.check("crime_ref", name="is at most 32 characters")
    def _crime_ref_length(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(passes(pl.col(data.key).str.len_chars().is_between(1, 32)))

    @pa.check("crime_ref", name="is unique within the file")
    def _crime_ref_unique(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("crime_ref_count") <= 1)

    @pa.check("recorded_date", name="is a date written YYYY-MM-DD")
    def _recorded_date_is_date(cls, data: PolarsData) -> pl.LazyFrame:
        day = pl.col("recorded_day")
        return data.lazyframe.select(day.is_not_null() | pl.col(data.key).is_null())

    @pa.check("recorded_date", name="is not before 2000-01-01")
    def _recorded_date_not_too_early(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(passes(pl.col("recorded_day") >= EARLIEST_DATE))

    @pa.check("recorded_date", name="is not after the extract date")
    def _recorded_date_not_after_extract(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(passes(pl.col("recorded_day") <= pl.col("extract_date")))

    @pa.check("offence_group", name="is one of " + ", ".join(OFFENCE_GROUPS))
    def _offence_group_known(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(passes(pl.col(data.key).is_in(OFFENCE_GROUPS)))

    @pa.check("knife_flag", name="is true or false")
    def _knife_flag_boolean(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(passes(is_true_false(data.key)))

    @pa.check("domestic_abuse", name="is true or false")
    def _domestic_abuse_boolean(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(passes(is_true_false(data.key)))

    @pa.check("borough_code", name="is a Met borough's GSS code (E09000002 to E09000033)")
    def _borough_code_known(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(passes(pl.col(data.key).is_in(sorted(BOROUGH_CODES))))

    @pa.check("status", name="is recorded or cancelled")
    def _status_known(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(passes(pl.col(data.key).is_in(STATUSES)))
