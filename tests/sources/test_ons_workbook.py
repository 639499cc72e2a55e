"""The ONS police force area tables reader, on the three real editions in ../shared/data and on
tiny workbooks written here by hand (an xlsx is a zip of XML parts; no writer library needed).

The real-edition tests skip only on a machine without ../shared/data at all; with it present, a
missing workbook is a failure.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from statement_figures.sources.ons import (
    TOTAL_OFFENCE,
    Missing,
    MissingReason,
    NotOnsTables,
    OnsTables,
    WorkbookTooLarge,
    read_ons_tables,
)
from tests.support.warehouse import SHARED_DATA

EDITIONS = SHARED_DATA / "ons-pfa-tables"
MARCH_2018 = "policeforceareatablesyearendingmarch2018v2.xlsx"
DECEMBER_2018 = "policeforceareatablesyearendingdecember2018.xlsx"
MARCH_2019 = "policeforceareatablesyeendingmarch2019.xlsx"  # ONS's own spelling
ALL_EDITIONS = (MARCH_2018, DECEMBER_2018, MARCH_2019)
RULE = (
    "an ONS police force area tables workbook is an xlsx with sheets 'Table P5' and 'Table P4'"
    " titled as knife or sharp instrument offences"
)
OFFENCES = (
    TOTAL_OFFENCE,
    "attempted_murder",
    "threats_to_kill",
    "assault_with_injury_and_assault_with_intent_to_cause_serious_harm",
    "robbery",
    "rape_and_sexual_assault",
    "homicide",
)
YE_MARCH_2019 = (date(2018, 4, 1), date(2019, 3, 1))
YE_MARCH_2018 = (date(2017, 4, 1), date(2018, 3, 1))

needs_shared = pytest.mark.skipif(
    not SHARED_DATA.is_dir(), reason=f"no {SHARED_DATA} on this machine"
)


@cache
def edition(name: str) -> OnsTables:
    path = EDITIONS / name
    assert path.is_file(), f"{path} is missing: the real ONS editions must be in ../shared/data"
    return read_ons_tables(path)


def p5_count(tables: OnsTables, code: str, period: tuple[date, date]) -> int | None:
    (row,) = [
        r for r in tables.p5 if r.area_code == code and (r.period_start, r.period_end) == period
    ]
    return row.count


def round2(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)  # half away from zero


# --- the real editions -----------------------------------------------------------------------


@needs_shared
def test_the_met_in_the_year_to_march_2019_is_onss_14842_against_14707_and_plus_0_92() -> None:
    tables = edition(MARCH_2019)
    assert p5_count(tables, "E23000001", YE_MARCH_2019) == 14842
    assert p5_count(tables, "E23000001", YE_MARCH_2018) == 14707
    (change,) = [
        c for c in tables.p5_changes if c.area_code == "E23000001" and c.base_start.year == 2017
    ]
    # The cell holds 0.91793023730196499; ONS shows it rounded.
    assert change.change_pct == "0.917930237301965"
    assert round2(Decimal(change.change_pct)) == Decimal("0.92")
    assert (change.period_start, change.period_end) == YE_MARCH_2019
    assert (change.base_start, change.base_end) == YE_MARCH_2018
    (met,) = [r for r in tables.p5 if r.area_code == "E23000001" and r.period_end.year == 2019]
    assert (met.area_name, met.area_type, met.percent) == (
        "Metropolitan Police",
        "force",
        "11.138461538461538",
    )


@needs_shared
def test_england_and_wales_a_region_and_a_welsh_force_in_the_year_to_march_2019() -> None:
    tables = edition(MARCH_2019)
    assert p5_count(tables, "K04000001", YE_MARCH_2019) == 47136
    assert p5_count(tables, "K04000001", (date(2010, 4, 1), date(2011, 3, 1))) == 32669
    assert p5_count(tables, "E12000007", YE_MARCH_2019) == 14902  # London
    assert p5_count(tables, "W15000003", YE_MARCH_2019) == 737  # South Wales
    types = {r.area_code: (r.area_name, r.area_type) for r in tables.p5}
    assert types["K04000001"] == ("England and Wales", "country")
    assert types["W92000004"] == ("Wales", "country")
    assert types["E12000007"] == ("London", "region")
    assert types["W15000003"] == ("South Wales", "force")
    assert len(types) == 55  # 3 countries, 9 regions, 39 English and 4 Welsh forces
    # Greater Manchester's under-count makes ONS give no change for it or the totals holding it.
    gmp_totals = [c for c in tables.p5_changes if c.area_code in {"K04000001", "E23000005"}]
    assert {c.missing for c in gmp_totals} == {Missing(MissingReason.NOT_AVAILABLE, "N/A")}
    assert all(c.change_pct is None for c in gmp_totals)
    city = [c for c in tables.p5_changes if c.area_code == "E23000034"]
    assert {c.missing for c in city} == {Missing(MissingReason.WITHHELD, "-")}


@needs_shared
def test_the_edition_is_its_title_and_its_latest_period() -> None:
    assert edition(MARCH_2019).edition_title == (
        "Crime in England & Wales, year ending March 2019 - PFA tables"
    )
    assert edition(MARCH_2019).latest_period_end == date(2019, 3, 1)
    assert edition(MARCH_2018).latest_period_end == date(2018, 3, 1)
    assert edition(DECEMBER_2018).latest_period_end == date(2018, 12, 1)
    assert edition(MARCH_2019).p4_title.startswith("Table P4: Knife and sharp instrument")


@needs_shared
def test_periods_are_years_to_march_from_2010_11_then_the_latest_two_in_the_editions_quarter() -> (
    None
):
    tables = edition(DECEMBER_2018)
    periods = sorted({(r.period_start, r.period_end) for r in tables.p5})
    march = [(date(y - 1, 4, 1), date(y, 3, 1)) for y in range(2011, 2019)]
    december = [(date(2017, 1, 1), date(2017, 12, 1)), (date(2018, 1, 1), date(2018, 12, 1))]
    assert periods == sorted(march + december)
    assert len(tables.p5) == 55 * 10
    assert {(c.period_start, c.base_start) for c in tables.p5_changes} == {
        (date(2018, 1, 1), date(2010, 4, 1)),
        (date(2018, 1, 1), date(2017, 1, 1)),
    }
    assert len({(r.period_start, r.period_end) for r in edition(MARCH_2018).p5}) == 8


@needs_shared
@pytest.mark.parametrize("name", ALL_EDITIONS)
def test_every_latest_p5_count_is_p4s_total_of_selected_offences(name: str) -> None:
    tables = edition(name)
    latest = {
        r.area_code: (r.count, r.percent)
        for r in tables.p5
        if r.period_end == tables.latest_period_end
    }
    total = {r.area_code: (r.count, r.percent) for r in tables.p4 if r.offence == TOTAL_OFFENCE}
    assert len(latest) == 55
    assert latest == total


@needs_shared
@pytest.mark.parametrize("name", ALL_EDITIONS)
def test_onss_published_changes_are_reproduced_from_its_counts_to_two_decimals(name: str) -> None:
    tables = edition(name)
    counts = {(r.area_code, r.period_start): r.count for r in tables.p5}
    checked = 0
    for change in tables.p5_changes:
        latest = counts[(change.area_code, change.period_start)]
        base = counts[(change.area_code, change.base_start)]
        if change.change_pct is None or latest is None or base is None:
            continue
        ours = round2(Decimal(100) * (latest - base) / Decimal(base))
        assert ours == round2(Decimal(change.change_pct)), change
        checked += 1
    # every area and both base periods, except where ONS gives no number
    assert checked == len([c for c in tables.p5_changes if c.change_pct is not None]) >= 100


@needs_shared
def test_rows_without_an_area_code_are_set_aside_by_name() -> None:
    aside = {(s.table, s.row, s.name) for s in edition(MARCH_2019).set_aside}
    assert aside == {
        ("Table P5", 8, "England and Wales (Excluding Greater Manchester Police)"),
        ("Table P5", 10, "England (Excluding Greater Manchester Police)"),
        ("Table P5", 64, "British Transport Police"),
        ("Table P4", 62, "British Transport Police"),
    }
    assert {s.name for s in edition(MARCH_2018).set_aside} == {"British Transport Police"}
    assert all(s.reason.startswith("no area code") for s in edition(DECEMBER_2018).set_aside)
    for name in ALL_EDITIONS:
        names = {r.area_name for r in edition(name).p5}
        assert "British Transport Police" not in names


@needs_shared
@pytest.mark.parametrize("name", ALL_EDITIONS)
def test_names_and_offence_types_lose_their_footnote_marks(name: str) -> None:
    tables = edition(name)
    names = {r.area_name for r in tables.p5} | {r.area_name for r in tables.p4}
    assert not [n for n in names if n[-1].isdigit() or n != n.strip()]
    assert {"Northumbria", "Surrey", "Sussex", "Greater Manchester", "North East"} <= names
    assert tuple(dict.fromkeys(r.offence for r in tables.p4)) == OFFENCES
    labels = {r.offence_label for r in tables.p4}
    assert {"Rape and sexual assault", "Homicide"} <= labels


@needs_shared
def test_p4_keeps_a_count_whose_percentage_is_withheld() -> None:
    tables = edition(MARCH_2019)
    (cleveland,) = [
        r for r in tables.p4 if r.area_code == "E23000013" and r.offence == "attempted_murder"
    ]
    assert (cleveland.count, cleveland.percent) == (7, None)
    assert cleveland.percent_missing == Missing(MissingReason.WITHHELD, "-")
    assert (cleveland.period_start, cleveland.period_end) == YE_MARCH_2019
    (met,) = [r for r in tables.p4 if r.area_code == "E23000001" and r.offence == "homicide"]
    assert (met.count, met.percent) == (67, "56.30252100840336")


@needs_shared
def test_the_caveats_under_the_tables_are_kept_as_notes() -> None:
    notes = edition(MARCH_2019).notes
    assert "Police recorded crime data are not designated as National Statistics." in notes
    assert notes.count("Police recorded crime data are not designated as National Statistics.") == 1
    assert any(n.startswith("Greater Manchester Police reviewed their recording") for n in notes)
    assert any("unbroken bottle and glass" in n for n in notes)
    assert any(n.startswith("An audit of Thames Valley Police") for n in notes)
    assert notes[0] == "Source: Home Office - Police recorded crime"
    assert not [n for n in notes if n[:1].isdigit()]


# --- hand-built workbooks --------------------------------------------------------------------

Cell = tuple[int, int]
Value = str | int | float
Cells = Mapping[Cell, Value]


def _column(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _sheet_xml(cells: Cells) -> str:
    rows: dict[int, list[str]] = {}
    for (row, col), value in sorted(cells.items()):
        ref = f"{_column(col)}{row + 1}"
        if isinstance(value, str):
            xml = f'<c r="{ref}" t="inlineStr"><is><t>{escape(value)}</t></is></c>'
        else:
            xml = f'<c r="{ref}"><v>{value!r}</v></c>'
        rows.setdefault(row, []).append(xml)
    body = "".join(f'<row r="{r + 1}">{"".join(cs)}</row>' for r, cs in sorted(rows.items()))
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    return (
        f'<?xml version="1.0"?><worksheet xmlns="{main}"><sheetData>{body}</sheetData></worksheet>'
    )


def xlsx(sheets: Mapping[str, Cells]) -> bytes:
    """A minimal xlsx: content types, relationships, a workbook and inline-string sheets."""
    pkg = "http://schemas.openxmlformats.org/package/2006"
    office = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    ml = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    n = range(1, len(sheets) + 1)
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{ml}.worksheet+xml"/>'
        for i in n
    )
    entries = "".join(
        f'<sheet name="{escape(name)}" sheetId="{i}" r:id="rId{i}"/>'
        for i, name in zip(n, sheets, strict=True)
    )
    links = "".join(
        f'<Relationship Id="rId{i}" Type="{office}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in n
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            f'<?xml version="1.0"?><Types xmlns="{pkg}/content-types">'
            '<Default Extension="rels"'
            ' ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{ml}.sheet.main+xml"/>'
            f"{overrides}</Types>",
        )
        archive.writestr(
            "_rels/.rels",
            f'<?xml version="1.0"?><Relationships xmlns="{pkg}/relationships">'
            f'<Relationship Id="rId1" Type="{office}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>",
        )
        archive.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/'
            f'spreadsheetml/2006/main" xmlns:r="{office}"><sheets>{entries}</sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<?xml version="1.0"?><Relationships xmlns="{pkg}/relationships">{links}'
            "</Relationships>",
        )
        for i, cells in zip(n, sheets.values(), strict=True):
            archive.writestr(f"xl/worksheets/sheet{i}.xml", _sheet_xml(cells))
    return buffer.getvalue()


def grid(rows: list[list[str | int | float | None]], top: int = 0) -> dict[Cell, Value]:
    return {
        (top + r, c): value
        for r, row in enumerate(rows)
        for c, value in enumerate(row)
        if value is not None
    }


NUMBER = "Number of selected offences involving\n a knife3"
PCT = "% involving a knife"


def tiny_p5(top: int) -> dict[Cell, Value]:
    """A P5 like ONS's, its header moved down by `top` rows, with every kind of odd cell."""
    return grid(
        [
            ["Table P5: Knife and sharp instrument offences, year ending June 20201,2"],
            [None],
            ["England and Wales"],
            [None, None, "Jul '18 to Jun '194", None, "Jul '19 to Jun '20", None,
             "% change July 2019 to June 2020\n compared with:"],
            ["Area Codes", "Area name", NUMBER, PCT, NUMBER, PCT, "Jul '18 to\n Jun '19"],
            [None],
            ["K04000001", "ENGLAND AND WALES5,6", 100, 5.5, 110, 6.25, 10],
            [None, "ENGLAND AND WALES (Excluding Greater Manchester Police)5", 90, 5, 99, 6, 10],
            ["E12000007", "London ", "..", "NA", "*", None, "N/A"],
            ["E23000031", "Surrey7,8", "40", "-", 45, "-", "-"],
            ["W15000003", "South Wales", "n/a", "x\ny", 20.5, 1, "what"],
            ["S92000003", "SCOTLAND", 1, 1, 1, 1, 0],
            [None, "British Transport Police", 3, 1, 4, 1, 33.333333333333336],
            ["Source: Home Office - Police recorded crime"],
            ["1. Police recorded crime data are not designated as National Statistics."],
            ["2.  Surrey's figures include unbroken bottles."],
        ],
        top,
    )  # fmt: skip


def tiny_p4() -> dict[Cell, Value]:
    return grid(
        [
            ["Table P4: Knife and sharp instrument offences, year ending June 20201"],
            [None, None, "Total of selected\n serious offences", None, "Homicide5"],
            ["Area Code", "Area Name", "Number of offences6", PCT, "Number of offences6", PCT],
            ["K04000001", "ENGLAND AND WALES", 110, 6.25, 3, "-"],
            ["1. Police recorded crime data are not designated as National Statistics."],
        ]
    )


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_a_hand_built_workbook_with_a_moved_header_and_every_odd_cell_is_read(
    tmp_path: Path,
) -> None:
    book = xlsx({"Notes": {}, "Table P5 ": tiny_p5(top=3), "Table P4  ": tiny_p4()})
    tables = read_ons_tables(write(tmp_path, "anything.bin", book))
    assert tables.latest_period_end == date(2020, 6, 1)
    assert tables.edition_title.startswith("Table P5: Knife")  # the Notes sheet is empty
    rows = {(r.area_code, r.period_start.year): r for r in tables.p5}
    assert {code for code, _ in rows} == {"K04000001", "E12000007", "E23000031", "W15000003"}
    ew = rows[("K04000001", 2018)]
    assert (ew.area_name, ew.area_type, ew.period_end) == (
        "England and Wales",
        "country",
        date(2019, 6, 1),
    )
    assert (ew.count, ew.percent, rows[("K04000001", 2019)].percent) == (100, "5.5", "6.25")
    london = rows[("E12000007", 2018)]
    assert (london.area_name, london.count, london.count_missing, london.percent_missing) == (
        "London",
        None,
        Missing(MissingReason.NOT_AVAILABLE, ".."),
        Missing(MissingReason.NOT_AVAILABLE, "NA"),
    )
    london_19 = rows[("E12000007", 2019)]
    assert (london_19.count_missing, london_19.percent_missing) == (
        Missing(MissingReason.SUPPRESSED, "*"),
        Missing(MissingReason.BLANK, ""),
    )
    surrey = rows[("E23000031", 2018)]  # a count stored as text is still a count
    assert (surrey.area_name, surrey.count, surrey.percent_missing) == (
        "Surrey",
        40,
        Missing(MissingReason.WITHHELD, "-"),
    )
    wales = rows[("W15000003", 2019)]
    assert (wales.count, wales.count_missing) == (None, Missing(MissingReason.UNRECOGNISED, "20.5"))
    assert rows[("W15000003", 2018)].percent_missing == Missing(MissingReason.UNRECOGNISED, "x y")
    changes = {c.area_code: (c.change_pct, c.missing) for c in tables.p5_changes}
    assert changes == {
        "K04000001": ("10", None),
        "E12000007": (None, Missing(MissingReason.NOT_AVAILABLE, "N/A")),
        "E23000031": (None, Missing(MissingReason.WITHHELD, "-")),
        "W15000003": (None, Missing(MissingReason.UNRECOGNISED, "what")),
    }
    assert [(s.table, s.row, s.name, s.reason) for s in tables.set_aside] == [
        ("Table P5", 11, "England and Wales (Excluding Greater Manchester Police)",
         "no area code: not an area of the geography (an aggregate or a force area)"),
        ("Table P5", 15, "Scotland", "area code S92000003 is not a country, region or force code"),
        ("Table P5", 16, "British Transport Police",
         "no area code: not an area of the geography (an aggregate or a force area)"),
    ]  # fmt: skip
    assert [(r.offence, r.offence_label, r.count, r.percent) for r in tables.p4] == [
        (TOTAL_OFFENCE, "Total of selected serious offences", 110, "6.25"),
        ("homicide", "Homicide", 3, None),
    ]
    assert tables.notes == (
        "Source: Home Office - Police recorded crime",
        "Police recorded crime data are not designated as National Statistics.",
        "Surrey's figures include unbroken bottles.",
    )


def test_a_csv_renamed_xlsx_is_refused_in_one_line(tmp_path: Path) -> None:
    path = write(tmp_path, "tables.xlsx", b"Area Code,Area name\nK04000001,ENGLAND AND WALES\n")
    with pytest.raises(NotOnsTables) as caught:
        read_ons_tables(path)
    assert str(caught.value) == f"{path}: not a zip archive, so not an xlsx workbook ({RULE})"
    assert isinstance(caught.value, ValueError)


def test_a_zip_that_is_not_an_xlsx_is_refused(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    path = write(tmp_path, "tables.xlsx", buffer.getvalue())
    with pytest.raises(NotOnsTables) as caught:
        read_ons_tables(path)
    assert str(caught.value) == f"{path}: a zip archive without xl/workbook.xml ({RULE})"


def test_an_xlsx_without_the_knife_tables_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "budget.xlsx", xlsx({"Sheet1": grid([["Budget", 2020]])}))
    with pytest.raises(NotOnsTables) as caught:
        read_ons_tables(path)
    assert str(caught.value) == f"{path}: no sheet 'Table P5' ({RULE})"


def test_a_table_p5_that_is_not_about_knives_is_refused_with_a_short_escaped_title(
    tmp_path: Path,
) -> None:
    title = "Table P5: Police recorded crime\nby offence group and police force area, rates"
    path = write(tmp_path, "p.xlsx", xlsx({"Table P5 ": grid([[title]])}))
    with pytest.raises(NotOnsTables) as caught:
        read_ons_tables(path)
    assert str(caught.value) == (
        f"{path}: sheet 'Table P5' has the title 'Table P5: Police recorded crime by offen...'"
        f" ({RULE})"
    )


def test_a_workbook_missing_table_p4_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "p.xlsx", xlsx({"Table P5": tiny_p5(top=0)}))
    with pytest.raises(NotOnsTables) as caught:
        read_ons_tables(path)
    assert str(caught.value) == f"{path}: no sheet 'Table P4' ({RULE})"


def test_a_file_over_max_bytes_is_refused_without_reading_it(tmp_path: Path) -> None:
    path = write(tmp_path, "big.xlsx", b"PK\x03\x04" + b"\0" * 2000)
    with pytest.raises(WorkbookTooLarge) as caught:
        read_ons_tables(path, max_bytes=1000)
    assert str(caught.value) == f"{path}: 2004 bytes is more than the 1000 accepted"


def test_a_damaged_zip_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "tables.xlsx", b"PK\x03\x04 not really a zip archive")
    with pytest.raises(NotOnsTables) as caught:
        read_ons_tables(path)
    assert str(caught.value) == f"{path}: a damaged zip archive, not an xlsx ({RULE})"


def test_a_zip_with_a_workbook_part_the_reader_cannot_open_is_refused_in_one_line(
    tmp_path: Path,
) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<not a workbook>")
    path = write(tmp_path, "tables.xlsx", buffer.getvalue())
    with pytest.raises(NotOnsTables) as caught:
        read_ons_tables(path)
    assert str(caught.value) == (
        f"{path}: an xlsx the reader cannot open ('calamine error: Cannot detect file forma...';"
        f" {RULE})"
    )
    assert "\n" not in str(caught.value)


def test_an_archive_that_would_expand_far_beyond_its_size_is_refused(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", " " * 200_000)
    path = write(tmp_path, "tables.xlsx", buffer.getvalue())
    with pytest.raises(WorkbookTooLarge) as caught:
        read_ons_tables(path, max_bytes=2_000)
    assert str(caught.value) == f"{path}: expands to 200011 bytes, too many to read"


@needs_shared
def test_a_later_edition_restates_earlier_years() -> None:
    # Issue 14 item 2: each edition is a vintage; ONS revises forces' back series.
    assert p5_count(edition(MARCH_2018), "E23000001", YE_MARCH_2018) == 14695
    assert p5_count(edition(MARCH_2019), "E23000001", YE_MARCH_2018) == 14707
    # Northumbria revised its last two years (the note under the December 2018 tables).
    assert p5_count(edition(MARCH_2018), "E23000007", YE_MARCH_2018) == 313
    assert p5_count(edition(DECEMBER_2018), "E23000007", YE_MARCH_2018) == 812
