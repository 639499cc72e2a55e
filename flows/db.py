"""The warehouse database: opening it, and running the SQL files in sql/ with bound values."""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from flows.errors import FiguresError
from flows.settings import Settings

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"

Params = Mapping[str, Any]


@functools.cache
def sql(name: str) -> str:
    """The text of sql/<name>.sql: one statement, values left as $parameters."""
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


def run(con: duckdb.DuckDBPyConnection, name: str, params: Params | None = None) -> None:
    """Execute sql/<name>.sql with its parameters bound."""
    con.execute(sql(name), dict(params or {}))


def query(
    con: duckdb.DuckDBPyConnection, name: str, params: Params | None = None
) -> list[tuple[Any, ...]]:
    """Execute sql/<name>.sql and return every row."""
    return con.execute(sql(name), dict(params or {})).fetchall()


def count_rows(con: duckdb.DuckDBPyConnection, table: str) -> int:
    """Rows in a table of this connection (a name from our own code, never from input)."""
    return int(con.table(table).count("*").fetchall()[0][0])


def create_tables(con: duckdb.DuckDBPyConnection) -> None:
    for path in sorted(SQL_DIR.glob("create_*.sql")):
        run(con, path.stem)


@contextmanager
def connect(settings: Settings, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """The warehouse database, created with its tables on first use."""
    settings.warehouse.mkdir(parents=True, exist_ok=True)
    config: dict[str, str | bool | int | float | list[str]] = {
        "memory_limit": settings.memory_limit,
        "temp_directory": str(settings.spill),
    }
    try:
        con = duckdb.connect(str(settings.database), read_only=read_only, config=config)
    except (duckdb.InvalidInputException, duckdb.ParserException) as error:
        raise FiguresError(
            f"{str(error).strip().splitlines()[0]} (check FIGURES_MEMORY_LIMIT, e.g. 2GB)",
            rule="database settings",
        ) from None
    try:
        if not read_only:
            create_tables(con)
        yield con
    finally:
        con.close()


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """All or nothing: a failure (or a crash) inside leaves the database as it was."""
    con.execute("begin transaction")
    try:
        yield
    except BaseException:
        con.execute("rollback")
        raise
    con.execute("commit")
