"""The landing folder the nightly job takes its files from: what waits there, by source and
night, what is not taken (with the rule it breaks), and clearing what is safely loaded (the
archive keeps every file).

Landing is a boundary. Every entry is either taken (a file of a source) or not taken, and
each entry is looked at with `lstat` before anything opens it: a symbolic link is never
followed (not even to read its header), and a folder, FIFO, socket or device is never opened.
Names are checked before content: control characters, whitespace and non-ASCII letters are
refused, and so is a name that looks like an incident extract's without being one exactly.
Hidden entries (a name starting with '.': an editor's or rsync's file in progress) are left
alone and not reported.
"""

from __future__ import annotations

import datetime as dt
import stat
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from statement_figures.domain.sources import DASHBOARD, INCIDENTS
from statement_figures.domain.text import printable
from statement_figures.sources.detect import is_dashboard_file
from statement_figures.sources.incidents.ingest import NAME_PATTERN

EXTRACT_NAMES = "crimes_YYYY-MM-DD.csv or victims_YYYY-MM-DD.csv, .csv.gz or .parquet"

SYMBOLIC_LINK = "a symbolic link: links are never followed out of landing"
BAD_CHARACTERS = "names with control characters or whitespace are refused"
NOT_ASCII = "names with non-ASCII characters are refused (letters that only look alike)"
NOT_EXACT = f"looks like an incident extract but is not named exactly {EXTRACT_NAMES}"
BAD_DATE = "the date in an incident extract's name is not a date of the calendar"
NEITHER = (
    f"not a Monthly Crime Dashboard file (its columns) nor an incident extract ({EXTRACT_NAMES})"
)

# What an entry that is not a regular file is, by its lstat mode.
_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


@dataclass(frozen=True)
class NotTaken:
    """An entry of the landing folder that is not taken, and the rule it breaks."""

    name: str  # as found: escape it before printing (see `line`)
    rule: str

    def line(self) -> str:
        return f"landing: {printable(self.name)}: not taken: {self.rule}"


@dataclass(frozen=True)
class Landing:
    """What waits in the landing folder: the files of each source in name order, and every
    other entry (hidden ones aside) with the rule it breaks."""

    files: dict[str, list[Path]]
    refused: list[NotTaken]


def landed_files(landing: Path) -> Landing:
    """Every entry of the landing folder, taken by source or not taken with its rule."""
    found: dict[str, list[Path]] = {DASHBOARD: [], INCIDENTS: []}
    refused: list[NotTaken] = []
    for path in sorted(landing.iterdir()):
        if path.name.startswith("."):
            continue  # a delivery in progress: left alone
        source, rule = _classify(path)
        if source is not None:
            found[source].append(path)
        elif rule is not None:
            refused.append(NotTaken(path.name, rule))
    return Landing(found, refused)


def _classify(path: Path) -> tuple[str | None, str | None]:
    """(source, None) for a file taken, (None, rule) for an entry not taken, (None, None)
    for one gone since the folder was listed."""
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        return None, None
    rule = _entry_rule(mode) or _name_rule(path.name)
    if rule is not None:
        return None, rule
    if is_dashboard_file(path):  # a regular file with a clean name: its header may be read
        return DASHBOARD, None
    return _extract_source(path.name)


def _entry_rule(mode: int) -> str | None:
    """The rule an entry breaks by its kind (never opened): only regular files are taken."""
    if stat.S_ISLNK(mode):
        return SYMBOLIC_LINK
    if stat.S_ISREG(mode):
        return None
    kind = next((name for test, name in _KINDS if test(mode)), "not a file")
    return f"not a regular file ({kind}): only regular files are taken"


def _name_rule(name: str) -> str | None:
    """The rule a name breaks, before anything is read from the file."""
    if any(char.isspace() or not char.isprintable() for char in name):
        return BAD_CHARACTERS
    if not name.isascii():
        return NOT_ASCII
    return None


def _extract_source(name: str) -> tuple[str | None, str | None]:
    """INCIDENTS for an incident extract's exact name, else the rule the name breaks."""
    if NAME_PATTERN.match(name):
        return (INCIDENTS, None) if extract_date(name) else (None, BAD_DATE)
    if NAME_PATTERN.match(name.lower()):
        return None, NOT_EXACT
    return None, NEITHER


def extract_date(name: str) -> dt.date | None:
    """The extract date an incident extract's file name carries; None when it has none."""
    match = NAME_PATTERN.match(name)
    if match is None:
        return None
    try:
        return dt.date.fromisoformat(match.group(2))
    except ValueError:
        return None


def nights(paths: Iterable[Path]) -> list[tuple[dt.date, list[Path]]]:
    """Incident extract files grouped by extract date, oldest night first."""
    by_date: dict[dt.date, list[Path]] = defaultdict(list)
    for path in paths:
        date = extract_date(path.name)
        assert date, path
        by_date[date].append(path)
    return sorted(by_date.items())


def clear(paths: Iterable[Path], loaded: Iterable[str] | None = None) -> None:
    """Remove the files from landing (only those named in `loaded`, when given)."""
    names = None if loaded is None else set(loaded)
    for path in paths:
        if names is None or path.name in names:
            path.unlink(missing_ok=True)
