"""Commands that make, read and check publications: publish, show, verify, keygen, revisions
and reconcile."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from statement_figures.bounded import MIB, read_bounded
from statement_figures.cli.base import (
    EXIT_DIFFERENCES,
    Command,
    date_argument,
    emit,
    month_argument,
    print_publication,
    writer,
)
from statement_figures.config import Settings, load_spec
from statement_figures.domain.errors import FiguresError
from statement_figures.domain.periods import PERIOD_TYPES
from statement_figures.domain.sources import SOURCES
from statement_figures.domain.spec import DEFAULT_SPEC
from statement_figures.publication.check import check_statement, check_table
from statement_figures.publication.publish import publish
from statement_figures.publication.reconcile import Tolerance, reconcile
from statement_figures.publication.revisions import (
    REVISED,
    recomputed,
    revision_table,
    revisions,
)
from statement_figures.publication.show import (
    check_report_beside_figures,
    find_figures_json,
    flagged_moves,
    headline_sentences,
    parse_document,
    read_document,
    readable,
    show_publication,
    shown_as_json,
)
from statement_figures.publication.signing import (
    default_public_key,
    generate_keypair,
    key_words,
    public_key_id,
    public_key_line,
    read_signed_file,
    trusted_fields,
    verify_contents,
)
from statement_figures.warehouse import db
from statement_figures.warehouse.queries import latest_extract


def _publish_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--as-of", type=date_argument, help="as of this date (default: the latest extract)"
    )
    parser.add_argument(
        "--period-end", type=month_argument, help="YYYY-MM (default: last complete month)"
    )
    parser.add_argument("--baseline-year", type=int, help="YYYY (default: from the spec)")
    parser.add_argument("--period-type", choices=PERIOD_TYPES, help="default: from the spec")
    parser.add_argument("--min-base", type=int, help="suppress percentages on smaller baselines")
    parser.add_argument("--spec", type=Path, help="a statement spec (TOML)")
    parser.add_argument("--out", type=Path, help="write the publication to this folder")
    parser.add_argument(
        "--source",
        choices=SOURCES,
        help="default: incidents when any are loaded on or before the as-of date, else the "
        "Monthly Crime Dashboard",
    )
    parser.add_argument("--wards", action="store_true", help="add ward figures (dashboard only)")


def _publish(settings: Settings, args: argparse.Namespace) -> int:
    spec = load_spec(args.spec) if args.spec else DEFAULT_SPEC
    spec = spec.with_overrides(
        period_type=args.period_type,
        period_end=args.period_end,
        baseline_year=args.baseline_year,
        min_base=args.min_base,
    )
    if args.wards and "ward" not in spec.area_types:
        spec = spec.with_overrides(area_types=(*spec.area_types, "ward"))
    with writer(settings, "figures publish"):
        publication = publish(
            settings, spec=spec, as_of=args.as_of, out=args.out, source=args.source
        )
    print_publication(publication)
    return 0


def _keygen_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, help="folder for figures.key and figures.pub")


def _keygen(settings: Settings, args: argparse.Namespace) -> int:
    out = args.out or Path.cwd()
    secret, public = generate_keypair(out)
    emit(f"secret key: {secret} (mode 0600; keep it out of git and never share it)")
    emit(f"public key: {public} (key ID {public_key_id(public)}; give this to readers)")
    emit(f"the whole public key, for readers to compare: {public_key_line(public)}")
    emit(f"sign with it: export FIGURES_SIGNING_KEY={secret}")
    return 0


def _verify_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, metavar="FILE", help="a figures.json (or a report.html)")
    parser.add_argument("--public-key", type=Path, help="the signer's figures.pub")


def _verify(settings: Settings, args: argparse.Namespace) -> int:
    public_key = args.public_key or default_public_key(settings.signing_key, settings.warehouse)
    data = read_signed_file(args.file)
    verified = verify_contents(args.file, data, public_key)
    is_report = args.file.suffix == ".html"
    figures_json = check_report_beside_figures(args.file, data) if is_report else None
    emit(f"genuine: {args.file} was signed with the public key {public_key}")
    whole = key_words(verified.public_key_base64, verified.key_id)
    emit(f"signed by {whole}: compare this whole key with the publisher's, never just the ID")
    fields = trusted_fields(verified.trusted_comment)
    if fields is None:  # signed by another tool (minisign's own comment, say): shown as it is
        emit(f"trusted comment: {verified.trusted_comment}")
    else:
        run = f"code {fields.get('code_version')}, run {fields.get('run')}"
        emit(f"as of {fields.get('as_of')}, {run}")
    if figures_json is not None:
        emit(f"the report of {figures_json} beside it (the figures sha256 it names matches)")
    if args.file.suffix == ".json":
        try:
            sentences = headline_sentences(parse_document(args.file, data))
        except FiguresError:
            sentences = []
        emit(*(f"  {line}." for line in sentences))
    return 0


def _publication_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "publication",
        type=Path,
        nargs="?",
        metavar="PUBLICATION",
        help="a publication folder or its figures.json (default: the latest)",
    )


def _show_arguments(parser: argparse.ArgumentParser) -> None:
    _publication_argument(parser)
    parser.add_argument("--public-key", type=Path, help="the publisher's figures.pub")
    parser.add_argument("--json", action="store_true", help="print JSON instead")


def _show(settings: Settings, args: argparse.Namespace) -> int:
    shown = show_publication(
        settings, find_figures_json(settings, args.publication), args.public_key
    )
    flags = flagged_moves(shown.figures_json)
    if args.json:
        print(json.dumps({**shown_as_json(shown), "flagged": flags}, indent=2))
        return 0
    emit(f"as of {shown.doc['as_of']}")
    emit(*readable(shown.doc))
    emit(*flags)
    emit("")
    emit(f"signature: {shown.check.summary}")
    emit(f"report: {shown.report.line}")
    emit(shown.figures_json)
    return 0


def _revisions_arguments(parser: argparse.ArgumentParser) -> None:
    _publication_argument(parser)
    parser.add_argument(
        "--as-of", type=date_argument, help="recompute as of (default: the latest extract)"
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")


def _revisions(settings: Settings, args: argparse.Namespace) -> int:
    figures_json = find_figures_json(settings, args.publication)
    published, path = read_document(figures_json), figures_json.parent
    with writer(settings, "figures revisions"), db.connect(settings) as con:
        as_of = args.as_of or latest_extract(con, published["source"])
        moved = revisions(con, published, as_of, settings.tolerated_reject_share)
    revised = sum(r.status == REVISED for r in moved)
    summary = {"publication": str(path), "published_as_of": published["as_of"]}
    summary |= {"as_of": as_of.isoformat(), "revised": revised, "figures": len(moved)}
    if args.json:
        print(json.dumps({**summary, "revisions": [r.as_json() for r in moved]}, indent=2))
        return 0
    emit(f"{path}: published as of {published['as_of']}, recomputed as of {as_of} (not written)")
    for line in revision_table(moved):
        emit(line)
    emit(f"{len(moved) - revised} of {len(moved)} figures still stand, {revised} revised")
    return 0


def _reconcile_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--as-of", type=date_argument, help="both sources as of this date (default: latest)"
    )
    parser.add_argument(
        "--tolerance", type=int, default=0, metavar="N", help="allow differences up to N"
    )
    parser.add_argument(
        "--tolerance-pct",
        type=float,
        metavar="P",
        help="allow differences up to P per cent of the dashboard count as well",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument(
        "--differences-only", action="store_true", help="list only rows beyond the tolerance"
    )


def _reconcile(settings: Settings, args: argparse.Namespace) -> int:
    tolerance = Tolerance(absolute=args.tolerance, percent=args.tolerance_pct)
    with writer(settings, "figures reconcile"):  # it opens the database
        result = reconcile(settings, as_of=args.as_of, tolerance=tolerance)
    if args.json:
        print(json.dumps(result.as_json(), indent=2))
    else:
        emit(*result.table(only_differences=args.differences_only))
        emit(result.summary())
    return EXIT_DIFFERENCES if result.differing else 0


STATEMENT_LIMIT = MIB  # a draft statement is a few paragraphs


def _check_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = (
        f"Exit status: 0 when every claim is supported; {EXIT_DIFFERENCES} when any is not "
        "(wrong_number, wrong_direction, other_measure, no_figure, suppressed or revised); "
        "2 on an error."
    )
    parser.add_argument(
        "statement", metavar="STATEMENT", help="the draft statement: a text file, or - to read it"
    )
    parser.add_argument(
        "--publication",
        type=Path,
        help="a publication folder or its figures.json (default: the latest)",
    )
    parser.add_argument(
        "--as-of",
        type=date_argument,
        help="also check the figures as of this date (default: the latest data, when this "
        "warehouse has a database)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")


def _statement_text(given: str) -> str:
    """The draft's text: from a file (never through a link, bounded) or standard input."""
    data = sys.stdin.buffer.read(STATEMENT_LIMIT + 1) if given == "-" else b""
    if given != "-":
        data = read_bounded(Path(given), STATEMENT_LIMIT)
    elif len(data) > STATEMENT_LIMIT:
        raise FiguresError(f"is larger than {STATEMENT_LIMIT:,} bytes", location="standard input")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FiguresError("is not UTF-8 text", location=given) from None


def _check(settings: Settings, args: argparse.Namespace) -> int:
    text = _statement_text(args.statement)
    figures_json = find_figures_json(settings, args.publication)
    doc = read_document(figures_json)
    now = None
    if args.as_of is not None or settings.database.exists():
        with writer(settings, "figures check"), db.connect(settings) as con:
            as_of = args.as_of or latest_extract(con, doc["source"])
            now = recomputed(con, doc, as_of, settings.tolerated_reject_share)
    checked = check_statement(text, doc, now)
    if args.json:
        body = {
            "publication": str(figures_json.parent),
            "as_of": doc["as_of"],
            "checked_as_of": now["as_of"] if now else None,
            "claims": [item.as_json() for item in checked],
        }
        print(json.dumps(body, indent=2))
    else:
        later = f", and against the data as of {now['as_of']}" if now else ""
        emit(f"{figures_json.parent}: as of {doc['as_of']}{later}")
        emit(*check_table(checked))
        supported = sum(item.supported for item in checked)
        emit(f"{supported} of {len(checked)} claims supported")
    return 0 if all(item.supported for item in checked) else EXIT_DIFFERENCES


COMMANDS = (
    Command("publish", "compute, write and sign the figures", _publish_arguments, _publish),
    Command("keygen", "create a minisign key pair for signing", _keygen_arguments, _keygen),
    Command("verify", "check that a figures file is genuine", _verify_arguments, _verify),
    Command("show", "print a publication's sentences and table", _show_arguments, _show),
    Command(
        "check",
        "judge every claim of a draft statement against a publication",
        _check_arguments,
        _check,
    ),
    Command(
        "revisions",
        "how a publication's figures have moved since it was published",
        _revisions_arguments,
        _revisions,
    ),
    Command(
        "reconcile",
        "incident extracts against the Monthly Crime Dashboard, by month",
        _reconcile_arguments,
        _reconcile,
    ),
)
