"""The warehouse database: opening it (and checking its schema version), and running the SQL
files of sql/ with bound values.

Every statement is one file, named by its path under sql/ without `.sql`
(`queries/latest_extract_date`). `SqlFiles` also knows what each file reads: the tables,
views and macros that other files create and that its text names, so that a measure's
fingerprint covers every file its counts depend on (warehouse/deltas.py), with no list kept
by hand.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import duckdb

from statement_figures.config import Settings
from statement_figures.domain.errors import FiguresError
from statement_figures.warehouse.faults import duckdb_fault

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


def _mapped(error: duckdb.Error, settings: Settings) -> Exception:
    """A fault of the machine or the file as our one line (warehouse/faults.py), else as it
    is."""
    return duckdb_fault(error, settings) or error


def _open(settings: Settings, read_only: bool) -> duckdb.DuckDBPyConnection:
    config: dict[str, str | bool | int | float | list[str]] = {
        "memory_limit": settings.memory_limit,
        "temp_directory": str(settings.spill),
    }
    try:
        return duckdb.connect(str(settings.database), read_only=read_only, config=config)
    except (duckdb.InvalidInputException, duckdb.ParserException) as error:
        raise FiguresError(
            f"{str(error).strip().splitlines()[0]} (check FIGURES_MEMORY_LIMIT, e.g. 2GB)",
            rule="database settings",
        ) from None
    except duckdb.Error as error:
        raise _mapped(error, settings) from None


def _close(con: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    """Close (DuckDB then checkpoints, and may hit a full disk itself)."""
    try:
        con.close()
    except duckdb.Error as error:
        raise _mapped(error, settings) from None


@contextlib.contextmanager
def connect(settings: Settings, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """The warehouse database, created with its tables on first use. A full disk, a read-only
    warehouse or a damaged file, met here or by any statement run inside, is one line naming
    the path and the cause (warehouse/faults.py)."""
    settings.warehouse.mkdir(parents=True, exist_ok=True)
    con = _open(settings, read_only)
    try:
        check_schema(con, settings, create=not read_only)
        for name in SQL.names:
            if name.startswith("macros/"):  # the session's table macros, read by state/ and marts/
                run(con, name)
        yield con
    except BaseException as error:
        with contextlib.suppress(duckdb.Error):  # the first error is the one to tell
            con.close()
        if isinstance(error, duckdb.Error):
            raise _mapped(error, settings) from None
        raise
    _close(con, settings)


@contextlib.contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """All or nothing: a failure (or a crash) inside leaves the database as it was."""
    con.execute("begin transaction")
    try:
        yield
    except BaseException:
        with contextlib.suppress(duckdb.Error):  # the first error is the one to tell
            con.execute("rollback")
        raise
    con.execute("commit")


@dataclass(frozen=True)
class _Elsewhere(Settings):
    """The same warehouse, its database in another file (a rebuild builds one aside)."""

    elsewhere: Path = Path()

    @property
    def database(self) -> Path:
        return self.elsewhere


def building(settings: Settings) -> Settings:
    """The warehouse's settings with a new, empty database beside the real one, for a
    rebuild: its leftovers from an earlier attempt are removed first."""
    new = settings.database.with_name(f"{settings.database.name}.rebuilding")
    discard(new)
    same = {f.name: getattr(settings, f.name) for f in fields(Settings)}
    return _Elsewhere(**same, elsewhere=new)


def discard(database: Path) -> None:
    """Remove a database file we built ourselves, and its write-ahead log."""
    for path in (database, _wal(database)):
        path.unlink(missing_ok=True)


def replace_database(settings: Settings, new: Path) -> Path | None:
    """Put the database built in `new` in place; the old one (and its write-ahead log) is moved
    aside to figures.duckdb.damaged-<UTC time>, never deleted. Returns where it went."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    old = settings.database
    aside = old.with_name(f"{old.name}.damaged-{stamp}")
    had_old = old.exists()
    for path, to in ((old, aside), (_wal(old), _wal(aside)), (_wal(new), _wal(old))):
        if path.exists():
            os.replace(path, to)
    os.replace(new, old)
    return aside if had_old else None


def _wal(database: Path) -> Path:
    return database.with_name(f"{database.name}.wal")
