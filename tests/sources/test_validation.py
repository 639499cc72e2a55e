"""Every contract rule of brief 3.1, with the message a user sees, and the quarantine."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import pytest

from statement_figures.config import Settings
from statement_figures.domain.errors import FiguresError
from statement_figures.publication.publish import publish
from statement_figures.sources.incidents.ingest import ingest_paths, reject_lines
from statement_figures.sources.validate import repeated_keys
from statement_figures.warehouse import db
from tests.support.extracts import crime, victim, write_extract

CRIME_RULES = [
    ({"crime_ref": None}, "crime_ref: is required but empty (found empty)"),
    ({"crime_ref": "X" * 33}, f"crime_ref: is at most 32 characters (found '{'X' * 33}')"),
    ({"recorded_date": None}, "recorded_date: is required but empty (found empty)"),
    ({"recorded_date": "2021-02-30"}, "recorded_date: is a date written YYYY-MM-DD"),
    ({"recorded_date": "10/03/2021"}, "recorded_date: is a date written YYYY-MM-DD"),
    ({"recorded_date": "1999-12-31"}, "recorded_date: is not before 2000-01-01"),
    ({"recorded_date": "2021-12-07"}, "recorded_date: is not after the extract date"),
    ({"offence_group": "burglary"}, "offence_group: is one of homicide, violence_with_injury"),
    ({"knife_flag": "yes"}, "knife_flag: is true or false (found 'yes')"),
    ({"domestic_abuse": None}, "domestic_abuse: is required but empty"),
    ({"domestic_abuse": "1"}, "domestic_abuse: is true or false (found '1')"),
    ({"borough_code": "E09000001"}, "borough_code: is a Met borough's GSS code"),
    ({"status": "open"}, "status: is recorded or cancelled (found 'open')"),
]

VICTIM_RULES = [
    ({"crime_ref": "C9"}, "crime_ref: names a crime accepted from the same extract's crimes file"),
    ({"victim_ref": None}, "victim_ref: is required but empty"),
    ({"age": "121"}, "age: is a whole number from 0 to 120, or empty (found '121')"),
    ({"age": "-1"}, "age: is a whole number from 0 to 120, or empty (found '-1')"),
    ({"age": "20.5"}, "age: is a whole number from 0 to 120, or empty (found '20.5')"),
    ({"injured": "no"}, "injured: is true or false (found 'no')"),
]


def ingest_one(
    settings: Settings, tmp_path: Path, crimes: list[dict[str, Any]], victims: list[dict[str, Any]]
) -> list[str]:
    [result] = ingest_paths(settings, write_extract(tmp_path / "in", "2021-12-06", crimes, victims))
    return reject_lines(result)


@pytest.mark.parametrize(("fields", "message"), CRIME_RULES)
def test_each_crime_rule_rejects_its_row_with_a_message(
    settings: Settings, tmp_path: Path, fields: dict[str, Any], message: str
) -> None:
    lines = ingest_one(settings, tmp_path, [crime("C1"), crime("C2", **fields)], [victim("C1")])
    assert len(lines) == 1
    assert lines[0].startswith(f"crimes_2021-12-06.csv: row 2: {message}")


@pytest.mark.parametrize(("fields", "message"), VICTIM_RULES)
def test_each_victim_rule_rejects_its_row_with_a_message(
    settings: Settings, tmp_path: Path, fields: dict[str, Any], message: str
) -> None:
    victims = [victim("C1"), {**victim("C1", victim_ref="V2"), **fields}]
    lines = ingest_one(settings, tmp_path, [crime("C1")], victims)
    assert len(lines) == 1
    assert lines[0].startswith(f"victims_2021-12-06.csv: row 2: {message}")


def test_every_copy_of_a_duplicated_crime_ref_is_rejected(
    settings: Settings, tmp_path: Path
) -> None:
    lines = ingest_one(settings, tmp_path, [crime("C1"), crime("C2"), crime("C1")], [])
    assert lines == [
        "crimes_2021-12-06.csv: row 1: crime_ref: is unique within the file (found 'C1')",
        "crimes_2021-12-06.csv: row 3: crime_ref: is unique within the file (found 'C1')",
    ]


def test_a_duplicated_victim_ref_is_rejected_only_within_the_same_crime(
    settings: Settings, tmp_path: Path
) -> None:
    victims = [victim("C1"), victim("C2"), victim("C1")]
    lines = ingest_one(settings, tmp_path, [crime("C1"), crime("C2")], victims)
    assert [line.split(": ")[1] for line in lines] == ["row 1", "row 3"]


def test_lazy_validation_reports_every_problem_of_a_row_and_of_the_file(
    settings: Settings, tmp_path: Path
) -> None:
    bad = crime("C2", knife_flag="maybe", status="open", borough_code="X")
    lines = ingest_one(settings, tmp_path, [crime("C1"), bad, crime("C3", status="x")], [])
    assert [line.split(": ")[1:3] for line in lines] == [
        ["row 2", "borough_code"],
        ["row 2", "knife_flag"],
        ["row 2", "status"],
        ["row 3", "status"],
    ]


def test_rejected_rows_are_quarantined_and_accepted_rows_kept(
    settings: Settings, tmp_path: Path
) -> None:
    ingest_one(settings, tmp_path, [crime("C1"), crime("C2", status="open")], [victim("C1")])
    with db.connect(settings) as con:
        quarantined = con.execute(
            "select file_name, file_row, column_name, rule, value from quarantine"
        ).fetchall()
        kept = con.execute("select crime_ref from crimes").fetchall()
    assert quarantined == [
        ("crimes_2021-12-06.csv", 2, "status", "is recorded or cancelled", "open")
    ]
    assert kept == [("C1",)]


def test_upper_case_true_and_false_from_spreadsheets_are_accepted(
    settings: Settings, tmp_path: Path
) -> None:
    lines = ingest_one(
        settings, tmp_path, [crime("C1", knife_flag="TRUE", domestic_abuse="False")], []
    )
    assert lines == []


def test_publication_refuses_while_the_latest_extract_has_rejected_rows(
    settings: Settings, tmp_path: Path
) -> None:
    ingest_one(settings, tmp_path, [crime("C1"), crime("C2", status="open")], [])
    with pytest.raises(FiguresError) as caught:
        publish(settings)
    assert "the extract of 2021-12-06 has 1 rejected rows (50.00 per cent, tolerated 0" in str(
        caught.value
    )


def test_a_tolerated_share_lets_publication_go_ahead_with_a_caveat(
    settings: Settings, tmp_path: Path
) -> None:
    ingest_one(settings, tmp_path, [crime("C1"), crime("C2", status="open")], [])
    tolerant = Settings(warehouse=settings.warehouse, tolerated_reject_share=0.5)
    doc = publish(tolerant).document
    assert any("1 rows of the extract of 2021-12-06 failed validation" in c for c in doc["caveats"])


def test_rejected_rows_do_not_block_publication_as_of_an_earlier_extract(
    settings: Settings, tmp_path: Path
) -> None:
    ingest_paths(settings, write_extract(tmp_path / "a", "2021-12-05", [crime("C1")]))
    ingest_paths(settings, write_extract(tmp_path / "b", "2021-12-06", [crime("C2", status="x")]))
    import datetime as dt

    assert publish(settings, as_of=dt.date(2021, 12, 5)).document["as_of"] == "2021-12-05"
    with pytest.raises(FiguresError):
        publish(settings)


def test_a_victim_of_a_rejected_crime_is_rejected_too(settings: Settings, tmp_path: Path) -> None:
    lines = ingest_one(
        settings, tmp_path, [crime("C1", status="open"), crime("C2")], [victim("C1"), victim("C2")]
    )
    assert lines == [
        "crimes_2021-12-06.csv: row 1: status: is recorded or cancelled (found 'open')",
        "victims_2021-12-06.csv: row 1: crime_ref: names a crime accepted from the same "
        "extract's crimes file (found 'C1')",
    ]


def test_row_numbers_hold_in_a_file_larger_than_one_batch(
    settings: Settings, tmp_path: Path
) -> None:
    # DuckDB hands rows over in batches of 122,880 and inserts in parallel: numbering must not
    # depend on either.
    crimes = [crime(f"C{n}") for n in range(1, 300_001)]
    crimes[249_999] = crime("C250000", status="open")
    lines = ingest_one(settings, tmp_path, crimes, [victim("C300000")])
    assert lines == [
        "crimes_2021-12-06.csv: row 250000: status: is recorded or cancelled (found 'open')"
    ]


def test_repeated_keys_are_counted_exactly_and_empty_keys_left_to_their_own_rule() -> None:
    rows = pl.DataFrame(
        {
            "crime_ref": ["A", "B", "A", "A", None, None, "C", "C"],
            "victim_ref": ["V1", "V1", "V1", "V2", "V1", "V1", None, None],
        }
    )
    assert sorted(repeated_keys(rows, ["crime_ref"]).rows()) == [("A", 3), ("C", 2)]
    assert repeated_keys(rows, ["crime_ref", "victim_ref"]).rows() == [("A", "V1", 2)]
    assert repeated_keys(rows, ["crime_ref"], more_than=2).rows() == [("A", 3)]
    assert repeated_keys(rows, ["crime_ref"], more_than=3).rows() == []


def test_every_victim_of_a_crime_with_more_victims_than_the_bound_is_rejected(
    tmp_path: Path,
) -> None:
    settings = Settings(warehouse=tmp_path / "warehouse", max_victims_per_crime=3)
    crimes = [crime("C1"), crime("C2")]
    victims = [victim("C1", victim_ref=f"V{i}") for i in range(4)]
    victims += [victim("C2", victim_ref=f"V{i}") for i in range(3)]
    [result] = ingest_paths(settings, write_extract(tmp_path / "in", "2021-12-06", crimes, victims))
    rule = (
        "crime_ref: is one of at most 3 victims of its crime in the file "
        "(FIGURES_MAX_VICTIMS_PER_CRIME) (found 'C1')"
    )
    assert reject_lines(result) == [f"victims_2021-12-06.csv: row {n}: {rule}" for n in range(1, 5)]
    with db.connect(settings) as con:
        assert con.sql("select crime_ref, count(*) from victims group by all").fetchall() == [
            ("C2", 3)
        ]
        assert db.count_rows(con, "quarantine") == 4


def test_the_default_bound_is_100_victims_per_crime(settings: Settings, tmp_path: Path) -> None:
    victims = [victim("C1", victim_ref=f"V{i}") for i in range(101)]
    lines = ingest_one(settings, tmp_path, [crime("C1")], victims)
    assert len(lines) == 21  # 20 shown, then where the other 81 are
    assert lines[0] == (
        "victims_2021-12-06.csv: row 1: crime_ref: is one of at most 100 victims of its crime in "
        "the file (FIGURES_MAX_VICTIMS_PER_CRIME) (found 'C1')"
    )
    assert lines[-1].startswith("... and 81 more")
