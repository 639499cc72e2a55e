"""The `figures` command line. Every error ends as one readable line and a non-zero exit."""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import sys
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import NoReturn

import duckdb

from flows.errors import FiguresError
from flows.periods import PERIOD_TYPES, parse_month
from flows.settings import Settings

log = logging.getLogger("flows")

EXIT_ERROR = 2
EXIT_REJECTED = 3
EXIT_DIFFERENCES = 1


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date written YYYY-MM-DD") from None


def _month(text: str) -> dt.date:
    try:
        return parse_month(text)
    except FiguresError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _progress(label: str) -> Callable[[int, int], None]:
    def report(done: int, total: int) -> None:
        log.info("%s: %s of %s rows", label, f"{done:,}", f"{total:,}")

    return report


def _print_publication(publication: object) -> None:
    from flows.publish import Publication
    from flows.show import readable

    assert isinstance(publication, Publication)
    print()
    print("\n".join(readable(publication.document)))
    print()
    state = "unchanged, already published" if publication.unchanged else "published"
    print(f"{state}: {publication.folder}")
    print(f"report: {publication.report_html}")
    print(publication.figures_json)


def _writer(settings: Settings, command: str) -> AbstractContextManager[None]:
    """The warehouse's writer lock (flows/lock.py): taken before any write, waited for."""
    from flows.lock import writer_lock

    return writer_lock(settings.lock_file, command)


def cmd_run(settings: Settings, args: argparse.Namespace) -> int:
    from flows.prefect_env import configure_prefect

    with _writer(settings, "figures run"):  # before Prefect starts its local server
        configure_prefect(settings)
        from flows.nightly import nightly
        from flows.prefect_env import quiet_prefect_tracebacks

        quiet_prefect_tracebacks()
        landing = str(args.landing.resolve()) if args.landing else None
        publication = nightly(str(settings.warehouse), as_of=args.as_of, landing=landing)
    _print_publication(publication)
    return 0


def cmd_ingest(settings: Settings, args: argparse.Namespace) -> int:
    from flows.ingest import IngestResult, ingest_files, reject_lines

    with _writer(settings, "figures ingest"):
        results = ingest_files(settings, args.files, progress=_progress("validated"))
    rejected = 0
    for result in results:
        if not isinstance(result, IngestResult):
            print("\n".join(result.lines()))
            continue
        if result.already_loaded:
            print(f"extract {result.extract_date}: already loaded, nothing changed")
            continue
        rows = ", ".join(f"{n:,} {kind}" for kind, n in result.rows.items())
        print(
            f"extract {result.extract_date}: read {rows}; {result.rejected} rows rejected "
            f"({result.problems} problems)"
        )
        for line in reject_lines(result):
            print(line, file=sys.stderr)
        rejected += result.rejected
    print(f"warehouse: {settings.database}")
    return EXIT_REJECTED if rejected else 0


def cmd_publish(settings: Settings, args: argparse.Namespace) -> int:
    from flows.publish import publish
    from flows.spec import DEFAULT_SPEC, load_spec

    spec = load_spec(args.spec) if args.spec else DEFAULT_SPEC
    spec = spec.with_overrides(
        period_type=args.period_type,
        period_end=args.period_end,
        baseline_year=args.baseline_year,
        min_base=args.min_base,
    )
    if args.wards and "ward" not in spec.area_types:
        spec = spec.with_overrides(area_types=(*spec.area_types, "ward"))
    with _writer(settings, "figures publish"):
        publication = publish(
            settings, spec=spec, as_of=args.as_of, out=args.out, source=args.source
        )
    _print_publication(publication)
    return 0


def cmd_backfill(settings: Settings, args: argparse.Namespace) -> int:
    from flows.prefect_env import configure_prefect

    with _writer(settings, "figures backfill"):  # before Prefect starts its local server
        configure_prefect(settings)
        from flows.backfill import backfill
        from flows.prefect_env import quiet_prefect_tracebacks

        quiet_prefect_tracebacks()
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
    print()
    for step in steps:
        print(f"  {step.period_end}  as of {step.as_of}  {step.outcome:<9}  {step.folder}")
    published = sum(not step.unchanged for step in steps)
    print(
        f"backfill: {len(steps)} periods, {published} published, "
        f"{len(steps) - published} unchanged, in {settings.published}"
    )
    return 0


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    from flows.prefect_env import configure_prefect

    configure_prefect(settings)
    from flows.serve import serve_deployments

    cron, timezone = args.cron or settings.nightly_cron, args.timezone or settings.timezone
    print(f"serving nightly ({cron}, {timezone}) and backfill for {settings.warehouse}")
    serve_deployments(settings, cron, timezone)
    print("stopped serving; the schedule stays active on the Prefect server")
    return 0


def cmd_generate(settings: Settings, args: argparse.Namespace) -> int:
    from flows import generate

    progress = _progress("generated")
    if args.crimes is not None:
        paths = generate.generate_scaled(
            args.out, crimes=args.crimes, seed=args.seed, progress=progress
        )
    elif args.nightly is not None:
        paths = generate.generate_nightly(
            args.out, seed=args.seed, nights=args.nightly, progress=progress
        )
    else:
        paths = generate.generate_sample(args.out, seed=args.seed, progress=progress)
    for path in paths:
        print(path)
    print(f"wrote {len(paths)} files to {args.out}")
    return 0


def cmd_quarantine(settings: Settings, args: argparse.Namespace) -> int:
    from flows import db

    with _writer(settings, "figures quarantine"), db.connect(settings) as con:
        rows = db.query(con, "quarantined_rows", {"extract_date": args.extract})
    for file_name, file_row, column, rule, value in rows:
        shown = "empty" if value is None else repr(value)
        print(f"{file_name}: row {file_row}: {column}: {rule} (found {shown})")
    print(f"{len(rows)} quarantined values in {settings.database}")
    return 0


def cmd_keygen(settings: Settings, args: argparse.Namespace) -> int:
    from flows.signing import generate_keypair, public_key_id

    out = args.out or Path.cwd()
    secret, public = generate_keypair(out)
    print(f"secret key: {secret} (mode 0600; keep it out of git and never share it)")
    print(f"public key: {public} (key ID {public_key_id(public)}; give this to readers)")
    print(f"sign with it: export FIGURES_SIGNING_KEY={secret}")
    return 0


def cmd_verify(settings: Settings, args: argparse.Namespace) -> int:
    import json

    from flows.show import headline_sentences
    from flows.signing import default_public_key, parse_trusted_comment, verify_file

    public_key = args.public_key or default_public_key(settings.signing_key, settings.warehouse)
    comment = parse_trusted_comment(verify_file(args.file, public_key))
    print(f"genuine: {args.file} was signed by key {public_key}")
    run = f"code {comment.get('code_version')}, run {comment.get('run')}"
    print(f"as of {comment.get('as_of')}, {run}")
    if args.file.suffix == ".json":
        for line in headline_sentences(json.loads(args.file.read_bytes())):
            print(f"  {line}.")
    return 0


def cmd_show(settings: Settings, args: argparse.Namespace) -> int:
    import json

    from flows.show import (
        check_signature,
        find_figures_json,
        read_document,
        readable,
        report_beside,
        shown_as_json,
    )

    figures_json = find_figures_json(settings, args.publication)
    check = check_signature(settings, figures_json, args.public_key)
    doc = read_document(figures_json)
    if args.json:
        print(json.dumps(shown_as_json(figures_json, doc, check), indent=2, ensure_ascii=False))
        return 0
    report = report_beside(figures_json)
    print(f"as of {doc['as_of']}")
    print("\n".join(readable(doc)))
    print()
    print(f"signature: {check.summary}")
    print(f"report: {report or 'none (this publication has no report.html)'}")
    print(figures_json)
    return 0


def cmd_reconcile(settings: Settings, args: argparse.Namespace) -> int:
    import json

    from flows.reconcile import Tolerance, reconcile

    tolerance = Tolerance(absolute=args.tolerance, percent=args.tolerance_pct)
    with _writer(settings, "figures reconcile"):  # it opens the database
        result = reconcile(settings, as_of=args.as_of, tolerance=tolerance)
    if args.json:
        print(json.dumps(result.as_json(), indent=2))
    else:
        print("\n".join(result.table(only_differences=args.differences_only)))
        print(result.summary())
    return EXIT_DIFFERENCES if result.differing else 0


def cmd_revisions(settings: Settings, args: argparse.Namespace) -> int:
    import json

    from flows import db
    from flows.publish import latest_extract
    from flows.revisions import REVISED, revision_table, revisions
    from flows.show import find_figures_json, read_document

    figures_json = find_figures_json(settings, args.publication)
    published, path = read_document(figures_json), figures_json.parent
    with _writer(settings, "figures revisions"), db.connect(settings) as con:
        as_of = args.as_of or latest_extract(con, published["source"])
        moved = revisions(con, published, as_of, settings.tolerated_reject_share)
    revised = sum(r.status == REVISED for r in moved)
    summary = {"publication": str(path), "published_as_of": published["as_of"]}
    summary |= {"as_of": as_of.isoformat(), "revised": revised, "figures": len(moved)}
    if args.json:
        print(json.dumps({**summary, "revisions": [r.as_json() for r in moved]}, indent=2))
        return 0
    print(f"{path}: published as of {published['as_of']}, recomputed as of {as_of} (not written)")
    for line in revision_table(moved):
        print(line)
    print(f"{len(moved) - revised} of {len(moved)} figures still stand, {revised} revised")
    return 0


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (its subcommands inherit it)."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_ERROR, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


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

    run = commands.add_parser("run", help="the nightly job once: ingest, validate, build, publish")
    run.add_argument("--as-of", type=_date, help="publish as of this date (default: latest data)")
    run.add_argument("--landing", type=Path, help="folder of new extracts (default: warehouse)")
    run.set_defaults(handler=cmd_run)

    ingest = commands.add_parser("ingest", help="ingest extract or Monthly Crime Dashboard files")
    ingest.add_argument("files", type=Path, nargs="+", metavar="FILE")
    ingest.set_defaults(handler=cmd_ingest)

    pub = commands.add_parser("publish", help="compute, write and sign the figures")
    pub.add_argument("--as-of", type=_date, help="as of this date (default: the latest extract)")
    pub.add_argument("--period-end", type=_month, help="YYYY-MM (default: last complete month)")
    pub.add_argument("--baseline-year", type=int, help="YYYY (default: from the spec)")
    pub.add_argument("--period-type", choices=PERIOD_TYPES, help="default: from the spec")
    pub.add_argument("--min-base", type=int, help="suppress percentages on smaller baselines")
    pub.add_argument("--spec", type=Path, help="a statement spec (TOML)")
    pub.add_argument("--out", type=Path, help="write the publication to this folder")
    pub.add_argument(
        "--source",
        choices=("incidents", "mps-dashboard"),
        help="default: incidents when any are loaded on or before the as-of date, else the "
        "Monthly Crime Dashboard",
    )
    pub.add_argument("--wards", action="store_true", help="add ward figures (dashboard only)")
    pub.set_defaults(handler=cmd_publish)

    back = commands.add_parser("backfill", help="one publication per period end, past or present")
    back.add_argument("--from", dest="from_month", required=True, metavar="YYYY-MM")
    back.add_argument("--to", dest="to_month", required=True, metavar="YYYY-MM")
    when = back.add_mutually_exclusive_group()
    due = "as of the latest extract on or before day N of the month after each period"
    when.add_argument("--as-of-day", type=int, metavar="N", help=due)
    when.add_argument("--as-of", type=_date, help="as of this date (default: the latest extract)")
    back.add_argument("--period-type", choices=PERIOD_TYPES, help="default: from the spec")
    back.add_argument("--baseline-year", type=int, help="YYYY (default: from the spec)")
    back.add_argument("--spec", type=Path, help="a statement spec (TOML)")
    back.set_defaults(handler=cmd_backfill)

    srv = commands.add_parser("serve", help="serve the nightly and backfill Prefect deployments")
    srv.add_argument(
        "--cron", help="the nightly schedule (default: $FIGURES_NIGHTLY_CRON or 30 2 * * *)"
    )
    srv.add_argument("--timezone", help="of the cron (default: $FIGURES_TIMEZONE or Europe/London)")
    srv.set_defaults(handler=cmd_serve)

    gen = commands.add_parser("generate", help="write synthetic extracts (the built-in sample)")
    gen.add_argument("--out", type=Path, required=True, help="folder to write to")
    gen.add_argument("--seed", type=int, default=2021)
    gen.add_argument("--crimes", type=int, help="a scaled extract of this many crimes")
    gen.add_argument("--nightly", type=int, metavar="N", help="N nightly delta extracts")
    gen.set_defaults(handler=cmd_generate)

    keygen = commands.add_parser("keygen", help="create a minisign key pair for signing")
    keygen.add_argument("--out", type=Path, help="folder for figures.key and figures.pub")
    keygen.set_defaults(handler=cmd_keygen)

    verify = commands.add_parser("verify", help="check that a figures file is genuine")
    verify.add_argument("file", type=Path, metavar="FILE", help="a figures.json (or a report.html)")
    verify.add_argument("--public-key", type=Path, help="the signer's figures.pub")
    verify.set_defaults(handler=cmd_verify)

    show = commands.add_parser("show", help="print a publication's sentences and table")
    show.add_argument(
        "publication",
        type=Path,
        nargs="?",
        metavar="PUBLICATION",
        help="a publication folder or its figures.json (default: the latest)",
    )
    show.add_argument("--public-key", type=Path, help="the publisher's figures.pub")
    show.add_argument("--json", action="store_true", help="print JSON instead")
    show.set_defaults(handler=cmd_show)

    revs = commands.add_parser(
        "revisions", help="how a publication's figures have moved since it was published"
    )
    revs.add_argument(
        "publication",
        type=Path,
        nargs="?",
        help="a publication folder or figures.json (default: the latest)",
    )
    revs.add_argument("--as-of", type=_date, help="recompute as of (default: the latest extract)")
    revs.add_argument("--json", action="store_true", help="print JSON instead of a table")
    revs.set_defaults(handler=cmd_revisions)

    quarantine = commands.add_parser("quarantine", help="list rejected rows")
    quarantine.add_argument("--extract", type=_date, help="only this extract date")
    quarantine.set_defaults(handler=cmd_quarantine)

    rec = commands.add_parser(
        "reconcile", help="incident extracts against the Monthly Crime Dashboard, by month"
    )
    rec.add_argument("--as-of", type=_date, help="both sources as of this date (default: latest)")
    rec.add_argument(
        "--tolerance", type=int, default=0, metavar="N", help="allow differences up to N"
    )
    rec.add_argument(
        "--tolerance-pct",
        type=float,
        metavar="P",
        help="allow differences up to P per cent of the dashboard count as well",
    )
    rec.add_argument("--json", action="store_true", help="print JSON instead of a table")
    rec.add_argument(
        "--differences-only", action="store_true", help="list only rows beyond the tolerance"
    )
    rec.set_defaults(handler=cmd_reconcile)
    return top


def _configure_logging(quiet: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S"))
    for old in list(log.handlers):
        log.removeHandler(old)
    log.addHandler(handler)
    log.setLevel(logging.WARNING if quiet else logging.INFO)
    log.propagate = False


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    _configure_logging(args.quiet)
    try:
        settings = Settings.load(args.warehouse)
        handler: Callable[[Settings, argparse.Namespace], int] = args.handler
        return handler(settings, args)
    except FiguresError as error:
        print(f"figures: error: {error}", file=sys.stderr)
        return EXIT_ERROR
    except duckdb.IOException as error:
        first_line = str(error).strip().splitlines()[0]
        print(f"figures: error: warehouse database: {first_line}", file=sys.stderr)
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
            f"figures: internal error: {type(error).__name__}: {error} "
            "(set FIGURES_DEBUG=1 to see where)",
            file=sys.stderr,
        )
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
