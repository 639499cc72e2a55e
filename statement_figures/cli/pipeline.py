"""Commands that move data: the nightly job, ingest, backfill, serving the schedule, the sample
and the quarantine."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from flows.backfill import backfill
from flows.deployments import serve_deployments
from flows.nightly import NightlyResult, nightly
from sample import generate
from statement_figures.cli.base import (
    EXIT_HEADLINE_MOVED,
    EXIT_NOT_TAKEN,
    EXIT_REJECTED,
    Command,
    date_argument,
    emit,
    print_publication,
    progress,
    writer,
)
from statement_figures.config import Settings
from statement_figures.domain.errors import FiguresError
from statement_figures.domain.periods import PERIOD_TYPES
from statement_figures.publication.rebuild import rebuild
from statement_figures.sources.detect import ingest_files
from statement_figures.sources.incidents.ingest import IngestResult, reject_lines
from statement_figures.sources.landing import landed_files
from statement_figures.warehouse import db
from statement_figures.warehouse.queries import loaded_file_count

log = logging.getLogger("statement_figures")

STOPPED_SERVING = "stopped serving; the schedule stays active on the Prefect server"


def _run_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = (
        "Exit status: 0 when published and every entry of landing was taken; "
        f"{EXIT_NOT_TAKEN} when published but some entries of landing were not taken (each "
        "named on stderr with the rule it breaks, and left in landing); "
        f"{EXIT_HEADLINE_MOVED} when published but a London headline moved more than "
        "FIGURES_HEADLINE_MOVE_POINTS (default 5) points against the previous publication "
        "(flagged in the manifest, the report and `figures show`); 2 on an error."
    )
    parser.add_argument(
        "--as-of", type=date_argument, help="publish as of this date (default: latest data)"
    )
    parser.add_argument(
        "--landing", type=Path, help="folder of new files (default: warehouse/landing)"
    )
    parser.add_argument(
        "--sample",
        action="store_true",
        help="on a new warehouse with nothing landed, first land the built-in synthetic sample "
        "(refused with a real signing key)",
    )


def _land_sample(settings: Settings, landing: Path) -> None:
    """The built-in sample into landing, when the warehouse and landing are both empty."""
    if settings.signing_key:
        raise FiguresError(
            "--sample lands synthetic data, and FIGURES_SIGNING_KEY names a real signing key: "
            "synthetic figures are never signed with a real key (unset it to try the sample)",
            rule="no synthetic data under a real key",
        )
    landing.mkdir(parents=True, exist_ok=True)
    with db.connect(settings) as con:
        loaded = loaded_file_count(con)
    found = landed_files(landing)
    if loaded or any(found.files.values()) or found.refused:
        log.info("--sample: the warehouse already has data or files waiting: no sample written")
        return
    log.info("--sample: writing the built-in synthetic sample to %s", landing)
    generate.generate_sample(landing)


def _run(settings: Settings, args: argparse.Namespace) -> int:
    landing = (args.landing or settings.landing).resolve()
    with writer(settings, "figures run"):  # before Prefect starts its local server
        if args.sample:
            _land_sample(settings, landing)
        result = nightly(str(settings.warehouse), as_of=args.as_of, landing=str(landing))
    print_publication(result.publication)
    not_taken = _report_not_taken(result, landing)
    return EXIT_HEADLINE_MOVED if result.publication.moves else not_taken


def _report_not_taken(result: NightlyResult, landing: Path) -> int:
    """One line on stderr per landing entry not taken, and a summary: EXIT_NOT_TAKEN if any."""
    if not result.refused:
        return 0
    count = len(result.refused)
    emit(
        *(entry.line() for entry in result.refused),
        f"landing: {count} {'entry' if count == 1 else 'entries'} not taken, left in {landing}",
        file=sys.stderr,
    )
    return EXIT_NOT_TAKEN


def _ingest_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", type=Path, nargs="+", metavar="FILE")


def _ingest(settings: Settings, args: argparse.Namespace) -> int:
    with writer(settings, "figures ingest"):
        results = ingest_files(settings, args.files, progress=progress("validated"))
    rejected = 0
    for result in results:
        if not isinstance(result, IngestResult):
            emit(*result.lines())
            continue
        if result.already_loaded:
            emit(f"extract {result.extract_date}: already loaded, nothing changed")
            continue
        rows = ", ".join(f"{n:,} {kind}" for kind, n in result.rows.items())
        emit(
            f"extract {result.extract_date}: read {rows}; {result.rejected} rows rejected "
            f"({result.problems} problems)"
        )
        for line in reject_lines(result):
            emit(line, file=sys.stderr)
        rejected += result.rejected
    emit(f"warehouse: {settings.database}")
    return EXIT_REJECTED if rejected else 0


def _backfill_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--from", dest="from_month", required=True, metavar="YYYY-MM")
    parser.add_argument("--to", dest="to_month", required=True, metavar="YYYY-MM")
    when = parser.add_mutually_exclusive_group()
    due = "as of the latest extract on or before day N of the month after each period"
    when.add_argument("--as-of-day", type=int, metavar="N", help=due)
    when.add_argument(
        "--as-of", type=date_argument, help="as of this date (default: the latest extract)"
    )
    parser.add_argument("--period-type", choices=PERIOD_TYPES, help="default: from the spec")
    parser.add_argument("--baseline-year", type=int, help="YYYY (default: from the spec)")
    parser.add_argument("--spec", type=Path, help="a statement spec (TOML)")


def _backfill(settings: Settings, args: argparse.Namespace) -> int:
    with writer(settings, "figures backfill"):  # before Prefect starts its local server
        steps = backfill(
            str(settings.warehouse),
            args.from_month,
            args.to_month,
            as_of_day=args.as_of_day,
            as_of=args.as_of,
            spec=str(args.spec.resolve()) if args.spec else None,
            period_type=args.period_type,
            baseline_year=args.baseline_year,
        )
    emit("")
    for step in steps:
        emit(f"  {step.period_end}  as of {step.as_of}  {step.outcome:<9}  {step.folder}")
    published = sum(not step.unchanged for step in steps)
    emit(
        f"backfill: {len(steps)} periods, {published} published, "
        f"{len(steps) - published} unchanged, in {settings.published}"
    )
    return 0


def _serve_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--cron", help="the nightly schedule (default: $FIGURES_NIGHTLY_CRON or 30 2 * * *)"
    )
    parser.add_argument(
        "--timezone", help="of the cron (default: $FIGURES_TIMEZONE or Europe/London)"
    )


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    cron, timezone = args.cron or settings.nightly_cron, args.timezone or settings.timezone
    emit(f"serving nightly ({cron}, {timezone}) and backfill for {settings.warehouse}")
    serve_deployments(settings, cron, timezone)  # returns when stopped: the supervisor says so
    return 0


def _generate_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, required=True, help="folder to write to")
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument("--crimes", type=int, help="a scaled extract of this many crimes")
    parser.add_argument("--nightly", type=int, metavar="N", help="N nightly delta extracts")


def _generate(settings: Settings, args: argparse.Namespace) -> int:
    report = progress("generated")
    if args.crimes is not None:
        paths = generate.generate_scaled(
            args.out, crimes=args.crimes, seed=args.seed, progress=report
        )
    elif args.nightly is not None:
        paths = generate.generate_nightly(
            args.out, seed=args.seed, nights=args.nightly, progress=report
        )
    else:
        paths = generate.generate_sample(args.out, seed=args.seed, progress=report)
    for path in paths:
        emit(path)
    emit(f"wrote {len(paths)} files to {args.out}")
    return 0


def _quarantine_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--extract", type=date_argument, help="only this extract date")


def _quarantine(settings: Settings, args: argparse.Namespace) -> int:
    with writer(settings, "figures quarantine"), db.connect(settings) as con:
        rows = db.query(con, "queries/quarantined_rows", {"extract_date": args.extract})
    for file_name, file_row, column, rule, value in rows:
        shown = "empty" if value is None else repr(value)
        emit(f"{file_name}: row {file_row}: {column}: {rule} (found {shown})")
    emit(f"{len(rows)} quarantined values in {settings.database}")
    return 0


def _rebuild_arguments(parser: argparse.ArgumentParser) -> None:
    del parser  # no options: the archive and the publications say what to rebuild


def _rebuild(settings: Settings, args: argparse.Namespace) -> int:
    with writer(settings, "figures rebuild"):
        rebuilt = rebuild(settings)
    for line in rebuilt.refused:
        emit(f"not replayed: {line}")
    for republished in rebuilt.publications:
        emit(f"  {republished.outcome:<12}  {republished.folder}")
    done = f"{rebuilt.files} archived files replayed, {len(rebuilt.publications)} publications"
    if not rebuilt.succeeded:
        raise FiguresError(
            f"{done}: not every file replayed and every publication was reproduced, so the "
            f"database was left as it was (see the lines above)",
            location=str(settings.database),
            rule="rebuild",
        )
    aside = f"; the old one is kept as {rebuilt.damaged_aside}" if rebuilt.damaged_aside else ""
    emit(f"rebuilt {settings.database}: {done} reproduced byte for byte{aside}")
    return 0


COMMANDS = (
    Command(
        "run",
        "the nightly job once: ingest, validate, build, publish",
        _run_arguments,
        _run,
        runs_flows=True,
    ),
    Command(
        "ingest", "ingest extract or Monthly Crime Dashboard files", _ingest_arguments, _ingest
    ),
    Command(
        "backfill",
        "one publication per period end, past or present",
        _backfill_arguments,
        _backfill,
        runs_flows=True,
    ),
    Command(
        "serve",
        "serve the nightly and backfill Prefect deployments",
        _serve_arguments,
        _serve,
        runs_flows=True,
        stopped=STOPPED_SERVING,
        graceful_stop=True,  # Prefect's runner stops its flow runs and tells the server
    ),
    Command(
        "generate",
        "write synthetic extracts (the built-in sample)",
        _generate_arguments,
        _generate,
    ),
    Command("quarantine", "list rejected rows", _quarantine_arguments, _quarantine),
    Command(
        "rebuild",
        "a new database from the archive, proved by republishing every publication",
        _rebuild_arguments,
        _rebuild,
    ),
)
