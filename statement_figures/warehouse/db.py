"""The warehouse database: opening it (and checking its schema version), and running the SQL
files of sql/ with bound values.

Every statement is one file, named by its path under sql/ without `.sql`
(`queries/latest_extract_date`). `SqlFiles` also knows what each file reads: the tables,
views and macros that other files create and that its text names, so that a measure's
fingerprint covers every file its counts depend on (warehouse/deltas.py), with no list kept
by hand.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from statement_figures.config import Settings
from statement_figures.domain.errors import FiguresError

SQL_DIR = Path(__file__).resolve().parents[2] / "sql"
# The layout of the tables in sql/ddl/. Bump it when a table changes; a database of another
# version is refused with what to do, instead of failing later.
SCHEMA_VERSION = 2  # 2: loaded_files.synthetic

Params = Mapping[str, Any]

_CREATES = re.compile(
    r"\bcreate\s+(?:or\s+replace\s+)?(?:temp(?:orary)?\s+)?(?:table|view|macro)\s+"
    r"(?:if\s+not\s+exists\s+)?(\w+)",
    re.IGNORECASE,
)
_COMMENT = re.compile(r"--[^\n]*")
_WORD = re.compile(r"\b\w+\b")


class SqlFiles:
    """The SQL files under a folder: their text, and which files each one reads."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @functools.cache  # noqa: B019 (one instance per folder, kept for the process)
    def text(self, name: str) -> str:
        """The text of <root>/<name>.sql: one statement, values left as $parameters."""
        return (self.root / f"{name}.sql").read_text(encoding="utf-8")

    @functools.cached_property
    def names(self) -> tuple[str, ...]:
        return tuple(
            sorted(
                p.relative_to(self.root).with_suffix("").as_posix()
                for p in self.root.rglob("*.sql")
            )
        )

    @functools.cached_property
    def creators(self) -> dict[str, str]:
        """Each table, view or macro a file creates -> that file's name."""
        made: dict[str, str] = {}
        for name in self.names:
            for created in _CREATES.findall(self.text(name)):
                made[created.lower()] = name
        return made

    def reads(self, name: str) -> frozenset[str]:
        """The files creating what this file's statement names (comments aside), itself not."""
        words = {w.lower() for w in _WORD.findall(_COMMENT.sub("", self.text(name)))}
        return frozenset(self.creators[w] for w in words if w in self.creators) - {name}

    def closure(self, names: Iterable[str]) -> tuple[str, ...]:
        """The files given and every file they read, directly or not, in name order."""
        seen: set[str] = set()
        todo = list(names)
        while todo:
            name = todo.pop()
            if name not in seen:
                seen.add(name)
                todo.extend(self.reads(name))
        return tuple(sorted(seen))

    def fingerprint(self, names: Iterable[str]) -> str:
        """sha256 over the names and texts of the files given and all they read."""
        digest = hashlib.sha256()
        for name in self.closure(names):
            digest.update(f"{name}\n{self.text(name)}\n".encode())
        return digest.hexdigest()


SQL = SqlFiles(SQL_DIR)


def sql(name: str) -> str:
    """The text of sql/<name>.sql."""
    return SQL.text(name)


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


def _schema_error(settings: Settings, found: str) -> FiguresError:
    return FiguresError(
        f"{found}; this version of statement-figures needs schema version {SCHEMA_VERSION}. "
        f"Keep this database, and build a new one from the raw files kept in "
        f"{settings.archive}: move {settings.database.name} aside, then "
        f"`figures ingest {settings.archive}/*`",
        location=str(settings.database),
        rule="warehouse schema version",
    )


def check_schema(con: duckdb.DuckDBPyConnection, settings: Settings, *, create: bool) -> None:
    """A new database gets the tables of sql/ddl/ and the schema version; any other must hold
    this version's schema."""
    tables = {row[0] for row in query(con, "queries/warehouse_tables")}
    if not tables and create:
        for name in SQL.names:
            if name.startswith("ddl/"):
                run(con, name)
        run(con, "loading/record_schema_version", {"version": SCHEMA_VERSION})
        return
    if not tables:
        return  # a new database opened read-only: nothing in it yet
    if "warehouse_schema" not in tables:
        raise _schema_error(settings, "was made before warehouse schema versions were recorded")
    [(version,)] = query(con, "queries/warehouse_schema_version")
    if version != SCHEMA_VERSION:
        raise _schema_error(settings, f"has warehouse schema version {version}")


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
        check_schema(con, settings, create=not read_only)
        for name in SQL.names:
            if name.startswith("macros/"):  # the session's table macros, read by state/ and marts/
                run(con, name)
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
