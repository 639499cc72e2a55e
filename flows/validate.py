"""Validate a staged extract file with its pandera model, in batches, and list what it rejects.

The staged rows are a DuckDB query; they are streamed to polars a batch at a time so that a file of
tens of millions of rows is validated within a fixed memory budget. Lazy validation collects
every failure of every rule in a batch, not just the first.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Generator, Iterator
from concurrent.futures import ThreadPoolExecutor

import duckdb
import pandera.errors
import pandera.polars as pa
import polars as pl
import pyarrow as pa_arrow

from flows.errors import FiguresError

log = logging.getLogger(__name__)

BATCH_ROWS = 1_000_000
REJECT_COLUMNS = ("file_name", "sha256", "file_row", "column_name", "rule", "value")

Progress = Callable[[int, int], None]

# pandera's own names for its built-in checks, as a reader would put them.
BUILTIN_RULES = {"not_nullable": "is required but empty"}


def empty_rejects() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            "kind": pl.String,
            "file_name": pl.String,
            "sha256": pl.String,
            "file_row": pl.Int64,
            "column_name": pl.String,
            "rule": pl.String,
            "value": pl.String,
        }
    )


def _batch_rejects(batch: pl.DataFrame, model: type[pa.DataFrameModel]) -> pl.DataFrame:
    """The failures of one batch: file_row, column_name, rule, value."""
    try:
        model.validate(batch, lazy=True)
    except pandera.errors.SchemaErrors as errors:
        cases = errors.failure_cases
    else:
        return pl.DataFrame(
            schema={
                "file_row": pl.Int64,
                "column_name": pl.String,
                "rule": pl.String,
                "value": pl.String,
            }
        )
    whole_file = cases.filter(pl.col("index").is_null())
    if whole_file.height:
        first = whole_file.row(0, named=True)
        raise FiguresError(f"{first['column']}: {first['check']} (found {first['failure_case']})")
    rows = batch.select(pl.col("file_row")).with_row_index("index")
    found: pl.DataFrame = (
        cases.with_columns(pl.col("index").cast(pl.UInt32))
        .join(rows, on="index", how="left")
        .select(
            pl.col("file_row").cast(pl.Int64),
            pl.col("column").alias("column_name"),
            pl.col("check").replace(BUILTIN_RULES).alias("rule"),
            pl.col("failure_case").cast(pl.String).alias("value"),
        )
    )
    return found


def _gathered(reader: pa_arrow.RecordBatchReader, rows: int) -> Iterator[pl.DataFrame]:
    """The reader's batches gathered into frames of about `rows` rows (pandera's fixed cost
    per call is worth paying once per million rows, not once per DuckDB vector batch)."""
    pending: list[pa_arrow.RecordBatch] = []
    pending_rows = 0
    for record_batch in reader:
        pending.append(record_batch)
        pending_rows += record_batch.num_rows
        if pending_rows >= rows:
            yield _frame(pending)
            pending, pending_rows = [], 0
    if pending:
        yield _frame(pending)


def _prefetched(frames: Iterator[pl.DataFrame]) -> Generator[pl.DataFrame, None, None]:
    """The frames, the next one fetched from DuckDB in a thread while the caller validates this
    one (DuckDB and polars both release the GIL, so on two cores the two overlap). Closing the
    generator waits for the fetch under way: the connection is never used by two threads."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="validate-fetch") as pool:
        pending = pool.submit(next, frames, None)
        while (frame := pending.result()) is not None:
            pending = pool.submit(next, frames, None)
            yield frame


def _frame(batches: list[pa_arrow.RecordBatch]) -> pl.DataFrame:
    frame = pl.from_arrow(pa_arrow.Table.from_batches(batches))
    assert isinstance(frame, pl.DataFrame)
    return frame


def validate_rows(
    rows: duckdb.DuckDBPyRelation,
    model: type[pa.DataFrameModel],
    *,
    kind: str,
    file_name: str,
    sha256: str,
    total_rows: int,
    progress: Progress | None = None,
) -> pl.DataFrame:
    """Every rejected row of the staged rows, with the column and the rule it breaks."""
    found: list[pl.DataFrame] = []
    done = 0
    frames = _prefetched(_gathered(rows.to_arrow_reader(BATCH_ROWS), BATCH_ROWS))
    try:
        for batch in frames:
            found.append(_batch_rejects(batch, model))
            done += batch.height
            if progress:
                progress(done, total_rows)
    except FiguresError as error:
        raise FiguresError(str(error), location=file_name) from None
    finally:
        frames.close()
    rejects = pl.concat(found) if found else empty_rejects().drop("kind", "file_name", "sha256")
    return rejects.sort("file_row", "column_name").select(
        pl.lit(kind).alias("kind"),
        pl.lit(file_name).alias("file_name"),
        pl.lit(sha256).alias("sha256"),
        pl.all(),
    )
