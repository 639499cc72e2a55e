"""What every command of the command line shares: how a command is declared, argument types,
the writer lock, progress lines and how a publication is printed."""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import NoReturn, TextIO

from statement_figures.config import Settings
from statement_figures.domain.errors import FiguresError
from statement_figures.domain.periods import parse_month
from statement_figures.domain.text import printable
from statement_figures.publication.publish import Publication
from statement_figures.publication.show import readable
from statement_figures.warehouse.lock import writer_lock

log = logging.getLogger("statement_figures")

EXIT_ERROR = 2
EXIT_REJECTED = 3
EXIT_DIFFERENCES = 1
EXIT_NOT_TAKEN = 4  # `figures run` published, but left entries of landing not taken
EXIT_HEADLINE_MOVED = 5  # `figures run` published, but flagged a headline that moved too far

STOPPED_RUN = (
    "the run was stopped; the warehouse and published folders keep their last complete state"
)

Handler = Callable[[Settings, argparse.Namespace], int]


@dataclass(frozen=True)
class Command:
    """One `figures` command: its name, help, arguments and what it does."""

    name: str
    help: str
    arguments: Callable[[argparse.ArgumentParser], None]
    run: Handler
    runs_flows: bool = False  # run in a supervised worker, Prefect pointed at the warehouse
    stopped: str = STOPPED_RUN  # what a stop leaves, said in the one line a stop prints
    graceful_stop: bool = False  # on a stop, SIGTERM and a grace period first (else SIGKILL)


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (its subcommands inherit it)."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_ERROR, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


def date_argument(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date written YYYY-MM-DD") from None


def month_argument(text: str) -> dt.date:
    try:
        return parse_month(text)
    except FiguresError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def progress(label: str) -> Callable[[int, int], None]:
    def report(done: int, total: int) -> None:
        log.info("%s: %s of %s rows", label, f"{done:,}", f"{total:,}")

    return report


def writer(settings: Settings, command: str) -> AbstractContextManager[None]:
    """The warehouse's writer lock (warehouse/lock.py): taken before any write, waited for."""
    return writer_lock(settings.lock_file, command)


def emit(*lines: object, file: TextIO | None = None) -> None:
    """Print each line as one line: control characters in it (from data, from file names) are
    escaped, so no value can start a line of its own or drive the terminal."""
    for line in lines:
        print(printable(line), file=file or sys.stdout)


def print_publication(publication: Publication) -> None:
    emit("")
    emit(*readable(publication.document))
    emit(*(f"flagged: {move.line()}" for move in publication.moves))
    emit("")
    state = "unchanged, already published" if publication.unchanged else "published"
    emit(f"{state}: {publication.folder}")
    emit(f"report: {publication.report_html}")
    emit(publication.figures_json)
