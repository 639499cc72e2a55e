"""The `figures` command line. Every error ends as one readable line and a non-zero exit.

Each command is declared beside what it does (cli/pipeline.py, cli/publications.py); this
module builds the parser from them, sets up logging (and Prefect, for the commands that run
flows) and turns every failure into one line.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import duckdb

import flows
from statement_figures.cli import pipeline, publications, supervisor
from statement_figures.cli.base import EXIT_ERROR, Command, OneLineParser, log
from statement_figures.config import Settings
from statement_figures.domain.errors import FiguresError
from statement_figures.domain.text import printable
from statement_figures.warehouse.faults import duckdb_fault, os_fault

COMMANDS: tuple[Command, ...] = (*pipeline.COMMANDS, *publications.COMMANDS)


def parser() -> argparse.ArgumentParser:
    top = OneLineParser(
        prog="figures", description="Signed, reproducible figures for public statements."
    )
    top.add_argument(
        "--warehouse",
        type=Path,
        help="the data home (default: $FIGURES_WAREHOUSE or ./warehouse)",
    )
    top.add_argument("-q", "--quiet", action="store_true", help="print only results")
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        sub = commands.add_parser(command.name, help=command.help, description=command.help)
        command.arguments(sub)
        sub.set_defaults(command_object=command)
    return top


def _configure_logging(quiet: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S"))
    for old in list(log.handlers):
        log.removeHandler(old)
    log.addHandler(handler)
    log.setLevel(logging.WARNING if quiet else logging.INFO)
    log.propagate = False


def _dispatch(args: argparse.Namespace) -> int:
    """Run the command; a fault of the machine (a full disk, a read-only warehouse, a damaged
    database) becomes the one line naming its path and cause (warehouse/faults.py)."""
    settings = Settings.load(args.warehouse)
    command: Command = args.command_object
    try:
        if command.runs_flows:
            flows.use_warehouse(settings)
        return command.run(settings, args)
    except OSError as error:
        raise os_fault(error, settings) or error from None
    except duckdb.Error as error:
        raise duckdb_fault(error, settings) or error from None


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    args = parser().parse_args(arguments)
    _configure_logging(args.quiet)
    try:
        command: Command = args.command_object
        if command.runs_flows and not supervisor.is_worker():
            return supervisor.supervise(arguments, command.stopped, command.graceful_stop)
        return _dispatch(args)
    except FiguresError as error:
        print(f"figures: error: {error}", file=sys.stderr)
        return EXIT_ERROR
    except duckdb.IOException as error:
        first_line = str(error).strip().splitlines()[0]
        print(f"figures: error: warehouse database: {printable(first_line)}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("figures: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader went away (`figures show | head`): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as error:
        if os.environ.get("FIGURES_DEBUG"):
            raise
        print(
            f"figures: internal error: {type(error).__name__}: {printable(error)} "
            "(set FIGURES_DEBUG=1 to see where)",
            file=sys.stderr,
        )
        return EXIT_ERROR
