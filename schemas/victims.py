"""The victims file of an incident extract (brief 3.1), as staged: every field still text."""

from __future__ import annotations

import datetime as dt
import functools

import pandera.polars as pa
import polars as pl
from pandera.api.polars.types import PolarsData

from schemas.rules import as_flag, is_true_false, passes

MAX_AGE = 120
# Computed from the text fields before validation (none: each check reads its field once).
DERIVED: tuple[pl.Expr, ...] = ()
# An accepted row as table victims stores it (sql/create_victims.sql).
STORED = (
    pl.col("crime_ref"),
    pl.col("victim_ref"),
    pl.col("age").cast(pl.Int32),
    as_flag("injured"),
)


class Victims(pa.DataFrameModel):
    """One row per victim of a crime version in an extract file."""

    file_row: int = pa.Field(description="Row number in the file, 1 for the first data row")
    extract_date: dt.date = pa.Field(description="The extract's as-of date, from the file name")
    victim_key_count: int = pa.Field(description="Rows in the file with this crime_ref, victim_ref")
    crime_victim_count: int = pa.Field(description="Rows in the file with this crime_ref")
    crime_in_extract: bool = pa.Field(description="crime_ref names an accepted crime")
    crime_ref: str = pa.Field(nullable=False, description="The crime this victim belongs to")
    victim_ref: str = pa.Field(nullable=False, description="The victim's reference")
    age: str = pa.Field(nullable=True, description="Age in whole years, empty when unknown")
    injured: str = pa.Field(nullable=False, description="The victim was injured")

    class Config:
        strict = True
        coerce = False

    @pa.check("crime_ref", name="names a crime accepted from the same extract's crimes file")
    def _crime_ref_known(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(
            passes(pl.col("crime_in_extract")) | pl.col(data.key).is_null()
        )

    @pa.check("victim_ref", name="is unique for its crime_ref within the file")
    def _victim_ref_unique(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("victim_key_count") <= 1)

    @pa.check("age", name=f"is a whole number from 0 to {MAX_AGE}, or empty")
    def _age_in_range(cls, data: PolarsData) -> pl.LazyFrame:
        age = pl.col(data.key)
        whole = age.str.contains(r"^\d{1,3}$")
        in_range = age.cast(pl.Int32, strict=False).is_between(0, MAX_AGE)
        return data.lazyframe.select(passes(whole & in_range))

    @pa.check("injured", name="is true or false")
    def _injured_boolean(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(passes(is_true_false(data.key)))


@functools.cache
def bounded(max_victims_per_crime: int) -> type[Victims]:
    """The model with a bound on the victims of one crime in a file
    (FIGURES_MAX_VICTIMS_PER_CRIME): every victim of a crime with more is rejected, so that
    one absurd crime cannot swamp a count."""
    rule = (
        f"is one of at most {max_victims_per_crime:,} victims of its crime in the file "
        "(FIGURES_MAX_VICTIMS_PER_CRIME)"
    )

    class BoundedVictims(Victims):
        @pa.check("crime_ref", name=rule)
        def _victims_per_crime(cls, data: PolarsData) -> pl.LazyFrame:
            return data.lazyframe.select(pl.col("crime_victim_count") <= max_victims_per_crime)

    return BoundedVictims
