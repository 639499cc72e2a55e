"""Read an ONS "police force area tables" workbook, as ONS published it, into typed records.

The workbook accompanies ONS's quarterly bulletin "Crime in England and Wales". Two of its
tables count offences involving a knife or sharp instrument:

- Table P5: the total of selected offences as a series of 12-month totals per country, region
  and force (12 months ending March for each year from 2010/11, then the latest two 12-month
  periods ending in the edition's quarter), followed by ONS's own percentage change of the
  latest period against the first and against the previous year.
- Table P4: the same total and its parts by offence type, for the edition's latest 12 months.

This module is pure: bytes in, frozen dataclasses out. It logs nothing and writes nothing.

Choices, where ONS's layout leaves room for them:

- Recognised by content, never by file name: a sheet whose name, stripped, is "Table P5" and
  whose title mentions knife or sharp instrument offences (and the same for "Table P4").
- Header rows are found by content (the row holding "Area Code(s)" and "Area name"; the band
  of period labels or offence types is the nearest row above it holding them), never by row
  number. Columns are found by their labels, never by letter.
- Numbers are the values stored in the cells, exactly (a float written by Excel, as its
  shortest decimal text): ONS shows 0.9 or 0.92 but the cell holds 0.91793023730196499;
  percentages are returned as that decimal text, rounding is the caller's business.
- Areas are rows whose code is a country (K04, E92, W92), region (E12) or force (E23, W15)
  code. Rows without a code ("England and Wales (Excluding Greater Manchester Police)",
  "British Transport Police") carry figures, but they are not areas of the geography (an
  aggregate with one force left out; a police force with no police force area), so they are
  set aside by name, with their sheet row and the reason, never silently dropped.
- Names: footnote marks fused onto the end ("Northumbria8", "Surrey7,8") and surrounding
  whitespace are removed. ONS writes the countries in capitals as a heading style
  ("ENGLAND AND WALES"); such all-capital words are written as the official names are
  ("England and Wales"); every other word is kept as ONS wrote it ("Yorkshire and The Humber",
  "West Midlands region").
- A cell with no number gives None and says why: ".." and "NA"/"N/A" are not available, "-" is
  withheld (ONS: the base is fewer than 50), "*" is suppressed, a blank cell is blank, and any
  other text is unrecognised (kept as a short escaped snippet). One odd cell never refuses a file.
- Notes: the text lines under each table (the source line and the numbered footnotes), with the
  footnote number removed (the marks it refers to are removed from names too) and whitespace
  collapsed, P5's first, then P4's that P5 does not already have, in the order ONS gives them.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Final, Literal

import fastexcel

DEFAULT_MAX_BYTES: Final = 64 * 1024 * 1024
# An xlsx is a zip archive; the real ONS workbooks expand about 4 times. Refusing archives
# that claim to expand far more keeps a small hostile file from filling memory.
MAX_EXPANSION: Final = 50

P5_SHEET: Final = "Table P5"
P4_SHEET: Final = "Table P4"
NOTES_SHEET: Final = "notes"
KNIFE_TITLE: Final = re.compile(r"knife|sharp instrument", re.IGNORECASE)
TOTAL_OFFENCE: Final = "total_of_selected_serious_offences"

AreaType = Literal["country", "region", "force"]
# GSS code prefixes of the areas the tables give (entity codes: the first three characters).
AREA_TYPE_BY_PREFIX: Final[dict[str, AreaType]] = {
    "K04": "country",  # England and Wales
    "E92": "country",  # England
    "W92": "country",  # Wales
    "E12": "region",  # English regions
    "E23": "force",  # police force areas in England
    "W15": "force",  # police force areas in Wales
}
GSS_CODE: Final = re.compile(r"^[EKLMNSW]\d{8}$")

MONTHS: Final = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
# "Apr '17 to Mar '18"; the year is two digits, any digits fused after it are footnote marks
# ("Mar '114"); Excel sometimes writes a curly apostrophe.
PERIOD_LABEL: Final = re.compile(
    rf"^{_MONTH}\s*['\u2018\u2019]\s*(\d{{2}})\d*\s+to\s+{_MONTH}\s*['\u2018\u2019]\s*(\d{{2}})\d*$",
    re.IGNORECASE,
)
# "% change April 2018 to March 2019 compared with:"
CHANGE_BAND: Final = re.compile(
    rf"^%\s*change\s+{_MONTH}\s+(\d{{4}})\s+to\s+{_MONTH}\s+(\d{{4}})", re.IGNORECASE
)
# "... year ending March 20191,2,3": four digits of year, then fused footnote marks.
YEAR_ENDING: Final = re.compile(rf"year\s+ending\s+{_MONTH}\s+(\d{{4}})", re.IGNORECASE)
FOOTNOTE_MARKS: Final = re.compile(r"(?<=[^\d\s,])\s*\d+(?:\s*,\s*\d+)*\s*$")
NOTE_NUMBER: Final = re.compile(r"^\d+\s*[.)]\s*")
NUMERIC_TEXT: Final = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
SMALL_WORDS: Final = frozenset({"and", "of", "the", "in", "on"})
SNIPPET_CHARS: Final = 40
RULE: Final = (
    "an ONS police force area tables workbook is an xlsx with sheets 'Table P5' and 'Table P4'"
    " titled as knife or sharp instrument offences"
)


class NotOnsTables(ValueError):
    """The file is not an ONS police force area tables workbook with the knife tables."""


class WorkbookTooLarge(ValueError):
    """The file is larger than the reader accepts; it was not read."""


class MissingReason(StrEnum):
    NOT_AVAILABLE = "not_available"  # ".." or "NA" / "N/A"
    WITHHELD = "withheld"  # "-": ONS withholds a percentage whose base is fewer than 50
    SUPPRESSED = "suppressed"  # "*"
    BLANK = "blank"  # an empty cell where a figure belongs
    UNRECOGNISED = "unrecognised"  # any other text


MARKERS: Final[dict[str, MissingReason]] = {
    "..": MissingReason.NOT_AVAILABLE,
    "na": MissingReason.NOT_AVAILABLE,
    "n/a": MissingReason.NOT_AVAILABLE,
    "-": MissingReason.WITHHELD,
    "*": MissingReason.SUPPRESSED,
}


@dataclass(frozen=True, slots=True)
class Missing:
    """Why a figure is absent: the reason, and the cell as ONS wrote it (a short snippet)."""

    reason: MissingReason
    written: str


@dataclass(frozen=True, slots=True)
class Area:
    code: str
    name: str
    type: AreaType


@dataclass(frozen=True, slots=True)
class P5Row:
    """One area's selected knife offences over one 12-month period (Table P5)."""

    area_code: str
    area_name: str
    area_type: AreaType
    period_start: date  # first day of the first month
    period_end: date  # first day of the last month
    count: int | None
    count_missing: Missing | None
    percent: str | None  # % of the selected offences that involved a knife, as stored
    percent_missing: Missing | None


@dataclass(frozen=True, slots=True)
class P5Change:
    """ONS's own published percentage change of an area's latest period against a base period."""

    area_code: str
    area_name: str
    area_type: AreaType
    period_start: date
    period_end: date
    base_start: date
    base_end: date
    change_pct: str | None  # as stored in the cell (full precision), e.g. "0.917930237301965"
    missing: Missing | None


@dataclass(frozen=True, slots=True)
class P4Row:
    """One area's offences of one type involving a knife, the edition's latest 12 months."""

    area_code: str
    area_name: str
    area_type: AreaType
    period_start: date
    period_end: date
    offence: str  # snake_case id from the header, e.g. "attempted_murder"
    offence_label: str  # as ONS wrote it, footnote marks removed
    count: int | None
    count_missing: Missing | None
    percent: str | None
    percent_missing: Missing | None


@dataclass(frozen=True, slots=True)
class SetAside:
    """A row of a table that carries something but is not an area, kept by name."""

    table: str
    row: int  # the row number Excel shows (1-based)
    name: str
    reason: str


@dataclass(frozen=True, slots=True)
class OnsTables:
    edition_title: str  # the Notes sheet's first line, else Table P5's title
    latest_period_end: date  # first day of the latest period's last month
    p5_title: str
    p4_title: str
    p5: tuple[P5Row, ...]
    p5_changes: tuple[P5Change, ...]
    p4: tuple[P4Row, ...]
    set_aside: tuple[SetAside, ...]
    notes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Cell:
    text: str | None  # whitespace collapsed; None when blank
    number: Decimal | None  # the stored number, exactly; None when not numeric


_BLANK: Final = _Cell(None, None)
Grid = Sequence[Sequence[_Cell]]


@dataclass(frozen=True, slots=True)
class _Value:
    number: Decimal | None
    missing: Missing | None


@dataclass(frozen=True, slots=True)
class _Header:
    row: int  # index in the grid of the "Area Code" row
    code_col: int
    name_col: int


@dataclass(frozen=True, slots=True)
class _Table:
    title: str
    grid: Grid
    header: _Header


# --- entry point -----------------------------------------------------------------------------


def read_ons_tables(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> OnsTables:
    """Read Tables P5 and P4 of an ONS police force area tables workbook.

    Raises WorkbookTooLarge for a file over max_bytes (not read), NotOnsTables for anything
    that is not such a workbook. Opening without following symlinks is the caller's concern.
    """
    data = _read_bounded(path, max_bytes)
    reader = _open_xlsx(path, data, max_bytes)
    p5 = _find_table(path, reader, P5_SHEET)
    p4 = _find_table(path, reader, P4_SHEET)
    periods = _p5_periods(path, p5)
    latest_start, latest_end = periods[-1][1], periods[-1][2]
    p4_start, p4_end = _p4_period(path, p4)
    if (p4_start, p4_end) != (latest_start, latest_end):
        raise NotOnsTables(
            f"{_name(path)}: {P4_SHEET}'s title says year ending {p4_end:%Y-%m} but "
            f"{P5_SHEET}'s latest period ends {latest_end:%Y-%m}"
        )
    p5_rows, p5_aside = _p5_rows(p5, periods)
    changes = _p5_changes(path, p5, periods)
    p4_rows, p4_aside = _p4_rows(path, p4, p4_start, p4_end)
    return OnsTables(
        edition_title=_edition_title(path, reader) or p5.title,
        latest_period_end=latest_end,
        p5_title=p5.title,
        p4_title=p4.title,
        p5=p5_rows,
        p5_changes=changes,
        p4=p4_rows,
        set_aside=p5_aside + p4_aside,
        notes=_merge_notes(_notes(p5), _notes(p4)),
    )


# --- the file --------------------------------------------------------------------------------


def _read_bounded(path: Path, max_bytes: int) -> bytes:
    size = path.stat().st_size
    if size > max_bytes:
        raise WorkbookTooLarge(f"{_name(path)}: {size} bytes is more than the {max_bytes} accepted")
    with path.open("rb") as handle:
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:  # the file grew after stat
        raise WorkbookTooLarge(f"{_name(path)}: more than the {max_bytes} bytes accepted")
    return data


def _open_xlsx(path: Path, data: bytes, max_bytes: int) -> fastexcel.ExcelReader:
    if not data.startswith(b"PK\x03\x04"):
        raise NotOnsTables(f"{_name(path)}: not a zip archive, so not an xlsx workbook ({RULE})")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile:
        raise NotOnsTables(f"{_name(path)}: a damaged zip archive, not an xlsx ({RULE})") from None
    if "xl/workbook.xml" not in {member.filename for member in members}:
        raise NotOnsTables(f"{_name(path)}: a zip archive without xl/workbook.xml ({RULE})")
    expanded = sum(member.file_size for member in members)
    if expanded > MAX_EXPANSION * max(max_bytes, len(data)):
        raise WorkbookTooLarge(f"{_name(path)}: expands to {expanded} bytes, too many to read")
    try:
        return fastexcel.read_excel(data)
    except fastexcel.FastExcelError as error:
        raise NotOnsTables(
            f"{_name(path)}: an xlsx the reader cannot open ({_snippet(str(error))}; {RULE})"
        ) from None


def _find_table(path: Path, reader: fastexcel.ExcelReader, sheet: str) -> _Table:
    names = [name for name in reader.sheet_names if name.strip() == sheet]
    if not names:
        raise NotOnsTables(f"{_name(path)}: no sheet {sheet!r} ({RULE})")
    grid = _load_grid(path, reader, names[0])
    title = _title(grid)
    if title is None or not KNIFE_TITLE.search(title):
        shown = "no title" if title is None else f"the title {_snippet(title)}"
        raise NotOnsTables(f"{_name(path)}: sheet {sheet!r} has {shown} ({RULE})")
    return _Table(title=title, grid=grid, header=_find_header(path, sheet, grid))


def _edition_title(path: Path, reader: fastexcel.ExcelReader) -> str | None:
    # "Crime in England & Wales, year ending March 2019 - PFA tables"
    names = [name for name in reader.sheet_names if name.strip().lower() == NOTES_SHEET]
    return _title(_load_grid(path, reader, names[0])) if names else None


def _load_grid(path: Path, reader: fastexcel.ExcelReader, sheet: str) -> list[list[_Cell]]:
    # Loaded twice: as text (to see labels and markers such as ".." or "-") and as floats (the
    # exact stored numbers; fastexcel's text of a float is cut to nine decimals). skip_rows=0
    # keeps leading empty rows, so grid row i is sheet row i + 1. Columns start at the first
    # used column, which does not matter: columns are found by their labels.
    try:
        texts = reader.load_sheet(sheet, header_row=None, skip_rows=0, dtypes="string")
        floats = reader.load_sheet(sheet, header_row=None, skip_rows=0, dtypes="float")
        text_rows = texts.to_polars().rows()
        float_rows = floats.to_polars().rows()
    except fastexcel.FastExcelError as error:
        raise NotOnsTables(
            f"{_name(path)}: sheet {sheet.strip()!r} cannot be read ({_snippet(str(error))})"
        ) from None
    return [
        [_cell(text, number) for text, number in zip(text_row, float_row, strict=True)]
        for text_row, float_row in zip(text_rows, float_rows, strict=True)
    ]


def _cell(text: object, number: object) -> _Cell:
    shown = " ".join(str(text).split()) if text is not None else ""
    if isinstance(number, float):
        # repr gives the shortest text that reads back as the same double: the stored value.
        return _Cell(shown or None, Decimal(repr(number)))
    if NUMERIC_TEXT.match(shown):  # a number stored as text
        return _Cell(shown, Decimal(shown))
    return _Cell(shown or None, None)


# --- layout ----------------------------------------------------------------------------------


def _title(grid: Grid) -> str | None:
    for row in grid[:10]:
        for cell in row:
            if cell.text is not None:
                return cell.text
    return None


def _label(text: str | None) -> str:
    """A header cell as a comparable label: lower case, footnote marks removed."""
    return _strip_marks(text or "").lower()


def _find_header(path: Path, sheet: str, grid: Grid) -> _Header:
    for index, row in enumerate(grid):
        labels = [_label(cell.text) for cell in row]
        codes = [col for col, label in enumerate(labels) if label in ("area code", "area codes")]
        names = [col for col, label in enumerate(labels) if label == "area name"]
        if codes and names:
            return _Header(row=index, code_col=codes[0], name_col=names[0])
    raise NotOnsTables(f"{_name(path)}: sheet {sheet!r} has no 'Area Code' and 'Area name' row")


def _band(table: _Table, wanted: re.Pattern[str] | None = None) -> Sequence[_Cell]:
    """The nearest row above the header with labels (period labels, offence types)."""
    for index in range(table.header.row - 1, max(table.header.row - 4, -1), -1):
        row = table.grid[index]
        labelled = [cell for cell in row[table.header.name_col + 1 :] if cell.text]
        if labelled and (wanted is None or any(wanted.match(c.text or "") for c in labelled)):
            return row
    return [_BLANK] * len(table.grid[table.header.row])


def _parse_period(text: str | None) -> tuple[date, date] | None:
    match = PERIOD_LABEL.match(text or "")
    if match is None:
        return None
    start = date(2000 + int(match[2]), _month(match[1]), 1)
    end = date(2000 + int(match[4]), _month(match[3]), 1)
    return start, end


def _month(text: str) -> int:
    return MONTHS.index(text[:3].lower()) + 1


def _months_between(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month + 1


# A P5 period column: (column index, first month, last month); its percent is the next column.
_Period = tuple[int, date, date]


def _p5_periods(path: Path, table: _Table) -> list[_Period]:
    band = _band(table, PERIOD_LABEL)
    header = table.grid[table.header.row]
    periods: list[_Period] = []
    for col, cell in enumerate(band):
        parsed = _parse_period(cell.text)
        if parsed is None or not _label(_row_cell(header, col).text).startswith("number"):
            continue  # the change columns' own period labels sit in the header row, not here
        if _months_between(*parsed) != 12:
            raise NotOnsTables(
                f"{_name(path)}: {P5_SHEET} period {_snippet(cell.text or '')} is not 12 months"
            )
        periods.append((col, *parsed))
    if not periods:
        raise NotOnsTables(f"{_name(path)}: {P5_SHEET} has no period labels above its header")
    return sorted(periods, key=lambda period: period[2])


def _p4_period(path: Path, table: _Table) -> tuple[date, date]:
    match = YEAR_ENDING.search(table.title)
    if match is None:
        raise NotOnsTables(f"{_name(path)}: {P4_SHEET}'s title names no 'year ending' month")
    end = date(int(match[2]), _month(match[1]), 1)
    return _months_before(end, 11), end


def _months_before(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 - count
    return date(index // 12, index % 12 + 1, 1)


# --- rows ------------------------------------------------------------------------------------


def _row_cell(row: Sequence[_Cell], col: int) -> _Cell:
    return row[col] if col < len(row) else _BLANK


def _is_blank(row: Sequence[_Cell]) -> bool:
    return all(cell.text is None and cell.number is None for cell in row)


def _has_figures(row: Sequence[_Cell], after: int) -> bool:
    return any(cell.text is not None or cell.number is not None for cell in row[after + 1 :])


def _areas(table: _Table) -> tuple[list[tuple[Area, Sequence[_Cell]]], tuple[SetAside, ...]]:
    """The area rows under the header; rows that carry figures but are not areas, set aside."""
    sheet = table.title.split(":")[0].strip() or "table"
    header = table.header
    areas: list[tuple[Area, Sequence[_Cell]]] = []
    aside: list[SetAside] = []
    for index in range(header.row + 1, len(table.grid)):
        row = table.grid[index]
        if _is_blank(row):
            continue
        code = (_row_cell(row, header.code_col).text or "").upper()
        name = _clean_name(_row_cell(row, header.name_col).text or "")
        if not _has_figures(row, header.name_col) and not name:
            continue  # a note line under the table (or a sub-heading): collected by _notes
        area_type = AREA_TYPE_BY_PREFIX.get(code[:3]) if GSS_CODE.match(code) else None
        if area_type is not None:
            areas.append((Area(code, name, area_type), row))
            continue
        if not code:
            reason = "no area code: not an area of the geography (an aggregate or a force area)"
        elif GSS_CODE.match(code):
            reason = f"area code {code} is not a country, region or force code"
        else:
            reason = f"unrecognised area code {_snippet(code)}"
        aside.append(SetAside(table=sheet, row=index + 1, name=name or "(no name)", reason=reason))
    return areas, tuple(aside)


def _value(cell: _Cell) -> _Value:
    if cell.number is not None:
        return _Value(cell.number, None)
    if cell.text is None:
        return _Value(None, Missing(MissingReason.BLANK, ""))
    reason = MARKERS.get(cell.text.lower(), MissingReason.UNRECOGNISED)
    return _Value(None, Missing(reason, _snippet(cell.text, quote=False)))


def _count(cell: _Cell) -> tuple[int | None, Missing | None]:
    value = _value(cell)
    if value.number is None:
        return None, value.missing
    if value.number != value.number.to_integral_value() or value.number < 0:
        return None, Missing(MissingReason.UNRECOGNISED, _plain(value.number))
    return int(value.number), None


def _percent(cell: _Cell) -> tuple[str | None, Missing | None]:
    value = _value(cell)
    return (None, value.missing) if value.number is None else (_plain(value.number), None)


def _p5_rows(
    table: _Table, periods: list[_Period]
) -> tuple[tuple[P5Row, ...], tuple[SetAside, ...]]:
    areas, aside = _areas(table)
    rows: list[P5Row] = []
    for area, cells in areas:
        for col, start, end in periods:
            count, count_missing = _count(_row_cell(cells, col))
            percent, percent_missing = _percent(_row_cell(cells, col + 1))
            rows.append(
                P5Row(
                    area.code, area.name, area.type, start, end,
                    count, count_missing, percent, percent_missing,
                )
            )  # fmt: skip
    return tuple(rows), aside


def _p5_changes(path: Path, table: _Table, periods: list[_Period]) -> tuple[P5Change, ...]:
    band = _band(table, PERIOD_LABEL)
    header = table.grid[table.header.row]
    starts = [col for col, cell in enumerate(band) if CHANGE_BAND.match(cell.text or "")]
    if not starts:
        raise NotOnsTables(f"{_name(path)}: {P5_SHEET} has no '% change ... compared with' columns")
    match = CHANGE_BAND.match(band[starts[0]].text or "")
    assert match is not None
    latest = (date(int(match[2]), _month(match[1]), 1), date(int(match[4]), _month(match[3]), 1))
    if latest != (periods[-1][1], periods[-1][2]):
        raise NotOnsTables(
            f"{_name(path)}: {P5_SHEET}'s change columns are for "
            f"{latest[0]:%Y-%m} to {latest[1]:%Y-%m}, not its latest period"
        )
    bases = [
        (col, parsed)
        for col in range(starts[0], len(header))
        if (parsed := _parse_period(header[col].text)) is not None
    ]
    areas, _ = _areas(table)
    changes: list[P5Change] = []
    for area, cells in areas:
        for col, (base_start, base_end) in bases:
            change, missing = _percent(_row_cell(cells, col))
            changes.append(
                P5Change(
                    area.code, area.name, area.type, latest[0], latest[1],
                    base_start, base_end, change, missing,
                )
            )  # fmt: skip
    return tuple(changes)


def _p4_rows(
    path: Path, table: _Table, start: date, end: date
) -> tuple[tuple[P4Row, ...], tuple[SetAside, ...]]:
    band = _band(table)
    header = table.grid[table.header.row]
    offences = [
        (col, _strip_marks(cell.text or ""))
        for col, cell in enumerate(band)
        if cell.text and col < len(header) and _label(header[col].text).startswith("number")
    ]
    if not offences:
        raise NotOnsTables(f"{_name(path)}: {P4_SHEET} has no offence types above its header")
    areas, aside = _areas(table)
    rows: list[P4Row] = []
    for area, cells in areas:
        for col, label in offences:
            count, count_missing = _count(_row_cell(cells, col))
            percent, percent_missing = _percent(_row_cell(cells, col + 1))
            rows.append(
                P4Row(
                    area.code, area.name, area.type, start, end, _snake(label), label,
                    count, count_missing, percent, percent_missing,
                )
            )  # fmt: skip
    return tuple(rows), aside


# --- notes -----------------------------------------------------------------------------------


def _notes(table: _Table) -> list[str]:
    """Text lines under the table: rows after the last area or set-aside row with text only."""
    header = table.header
    notes: list[str] = []
    for index in range(header.row + 1, len(table.grid)):
        row = table.grid[index]
        texts = [cell.text for cell in row if cell.text is not None]
        code = _row_cell(row, header.code_col).text or ""
        if len(texts) != 1 or texts[0] != code or GSS_CODE.match(code.upper()):
            continue
        if _row_cell(row, header.code_col).number is not None:
            continue
        notes.append(NOTE_NUMBER.sub("", texts[0]))
    return notes


def _merge_notes(first: list[str], second: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(first + second))


# --- text ------------------------------------------------------------------------------------


def _strip_marks(text: str) -> str:
    """Remove footnote marks fused onto the end: "Northumbria8", "Surrey7,8", "Homicide5"."""
    return FOOTNOTE_MARKS.sub("", " ".join(text.split())).strip()


def _clean_name(text: str) -> str:
    name = _strip_marks(text)
    words = name.split(" ")
    return " ".join(_unshout(word, first=index == 0) for index, word in enumerate(words))


def _unshout(word: str, *, first: bool) -> str:
    """ "ENGLAND" -> "England", "AND" -> "and"; a word not all in capitals is kept."""
    letters = [char for char in word if char.isalpha()]
    if len(letters) < 2 or not all(char.isupper() for char in letters):
        return word
    lower = word.lower()
    return lower if (lower in SMALL_WORDS and not first) else lower.capitalize()


def _snake(label: str) -> str:
    return "_".join(re.findall(r"[a-z0-9]+", label.lower()))


def _plain(number: Decimal) -> str:
    if number == number.to_integral_value():
        return str(int(number))
    return format(number, "f")


def _snippet(text: str, *, quote: bool = True) -> str:
    """A short, escaped piece of cell text for a message: never more than SNIPPET_CHARS."""
    cut = text[:SNIPPET_CHARS] + ("..." if len(text) > SNIPPET_CHARS else "")
    escaped = cut.encode("unicode_escape").decode("ascii")
    return repr(escaped) if quote else escaped


def _name(path: Path) -> str:
    return str(path).encode("unicode_escape").decode("ascii")
