"""Validate an extract file's rows with its pandera model, and list what it rejects.

The rows are a polars frame of text fields. pandera checks them a slice at a time (so that a
long file shows progress); lazy validation collects every failure of every rule, not just the
first. The cross-row facts the models check (how often a key occurs in the file) are computed
here, over the whole file, before the slices are checked.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pandera.errors
import pandera.polars as pa
import polars as pl

from statement_figures.domain.errors import FiguresError

# Each slice costs pandera a pass of its own: slices are few, for progress on a long file.
SLICE_ROWS = 5_000_000
FAILURE_SCHEMA = {
    "file_row": pl.Int64,
    "column_name": pl.String,
    "rule": pl.String,
    "value": pl.String,
}

Progress = Callable[[int, int], None]

# pandera's own names for its built-in checks, as a reader would put them.
BUILTIN_RULES = {"not_nullable": "is required but empty"}


def repeated_keys(rows: pl.DataFrame, keys: Sequence[str], more_than: int = 1) -> pl.DataFrame:
    """The keys that occur more than `more_than` times in the rows (empty keys aside), with
    their count.

    Grouping ten million text keys is slow, so the keys' 64-bit hashes are sorted first: in a
    sorted run a hash occurs more than n times exactly where it equals the hash n places
    before it, so only rows whose hash does can have such a key, and those few are then
    grouped by the key itself.
    """
    present = rows.select(keys).filter(pl.all_horizontal(pl.col(keys).is_not_null()))
    hashed = present.with_columns(pl.struct(keys).hash().alias("hash"))
    hashes = hashed.get_column("hash").sort()
    repeated = hashes.filter(hashes == hashes.shift(more_than))
    candidates = hashed.filter(pl.col("hash").is_in(repeated.implode())).drop("hash")
    return candidates.group_by(keys).len("count").filter(pl.col("count") > more_than)


def with_key_count(
    rows: pl.DataFrame, keys: Sequence[str], repeated: pl.DataFrame, name: str
) -> pl.DataFrame:
    """The rows with column `name`: how many rows of the file share the row's key."""
    if repeated.height == 0:
        return rows.with_columns(pl.lit(1, pl.Int64).alias(name))
    counted = rows.join(repeated, on=list(keys), how="left", maintain_order="left")
    return counted.with_columns(pl.col("count").fill_null(1).cast(pl.Int64).alias(name)).drop(
        "count"
    )


def _slice_failures(rows: pl.DataFrame, model: type[pa.DataFrameModel]) -> pl.DataFrame:
    """The failures of one slice: file_row, column_name, rule, value."""
    try:
        model.validate(rows, lazy=True)
    except pandera.errors.SchemaErrors as errors:
        cases = errors.failure_cases
    else:
        return pl.DataFrame(schema=FAILURE_SCHEMA)
    whole_file = cases.filter(pl.col("index").is_null())
    if whole_file.height:
        first = whole_file.row(0, named=True)
        raise FiguresError(f"{first['column']}: {first['check']} (found {first['failure_case']})")
    numbered = rows.select(pl.col("file_row")).with_row_index("index")
    found: pl.DataFrame = (
        cases.with_columns(pl.col("index").cast(pl.UInt32))
        .join(numbered, on="index", how="left")
        .select(
            pl.col("file_row").cast(pl.Int64),
            pl.col("column").alias("column_name"),
            pl.col("check").replace(BUILTIN_RULES).alias("rule"),
            pl.col("failure_case").cast(pl.String).alias("value"),
        )
    )
    return found


def validate_rows(
    rows: pl.DataFrame,
    model: type[pa.DataFrameModel],
    *,
    kind: str,
    file_name: str,
    sha256: str,
    progress: Progress | None = None,
) -> pl.DataFrame:
    """Every rejected row of the rows, with the column and the rule it breaks."""
    found = [pl.DataFrame(schema=FAILURE_SCHEMA)]
    try:
        for start in range(0, rows.height, SLICE_ROWS):
            found.append(_slice_failures(rows.slice(start, SLICE_ROWS), model))
            if progress:
                progress(min(start + SLICE_ROWS, rows.height), rows.height)
    except FiguresError as error:
        raise FiguresError(str(error), location=file_name) from None
    return (
        pl.concat(found)
        .sort("file_row", "column_name")
        .select(
            pl.lit(kind).alias("kind"),
            pl.lit(file_name).alias("file_name"),
            pl.lit(sha256).alias("sha256"),
            pl.all(),
        )
    )
