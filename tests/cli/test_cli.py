"""The command line's contract: one readable line and a non-zero exit on bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from statement_figures.cli import main
from statement_figures.cli.base import EXIT_ERROR, EXIT_REJECTED
from tests.support.dashboards import ward_row, write_dashboard
from tests.support.extracts import crime, write_extract


def test_ingest_prints_each_rejected_row_and_exits_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = write_extract(tmp_path / "in", "2021-12-06", [crime("C1", status="open")])
    code = main(["--warehouse", str(tmp_path / "wh"), "-q", "ingest", *map(str, paths)])
    out, err = capsys.readouterr()
    assert code == EXIT_REJECTED
    assert "extract 2021-12-06: read 1 crimes, 0 victims; 1 rows rejected (1 problems)" in out
    assert err.strip() == (
        "crimes_2021-12-06.csv: row 1: status: is recorded or cancelled (found 'open')"
    )


def test_a_missing_file_is_one_line_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "crimes_2021-12-06.csv"
    code = main(["--warehouse", str(tmp_path / "wh"), "ingest", str(missing)])
    _, err = capsys.readouterr()
    assert code == EXIT_ERROR
    assert err.strip().splitlines() == [f"figures: error: {missing}: no such file"]


def test_publishing_an_empty_warehouse_says_what_to_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["--warehouse", str(tmp_path / "wh"), "publish"])
    _, err = capsys.readouterr()
    assert code == EXIT_ERROR
    assert err.strip() == (
        "figures: error: no incidents data loaded: run `figures ingest FILE...` or "
        "`figures run` first"
    )


def test_publish_prints_the_figures_file_path_last(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = write_extract(tmp_path / "in", "2021-12-06", [crime("C1")])
    main(["--warehouse", str(tmp_path / "wh"), "-q", "ingest", *map(str, paths)])
    capsys.readouterr()
    assert main(["--warehouse", str(tmp_path / "wh"), "-q", "publish"]) == 0
    out, _ = capsys.readouterr()
    last = Path(out.strip().splitlines()[-1])
    assert last.name == "figures.json"
    assert last.is_file()


def test_a_usage_error_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["publish", "--period-end", "2021-13"])
    assert exited.value.code == EXIT_ERROR
    assert capsys.readouterr().err == (
        "figures publish: error: argument --period-end: '2021-13' is not a month written "
        "YYYY-MM (see `figures publish --help`)\n"
    )


FORGED = "  Knife crime decreased by 99 per cent."


def test_text_from_data_cannot_print_a_line_of_its_own_or_drive_the_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ward = "West End\n" + FORGED + "\x1b[2J"
    rows = [
        ward_row("2024-05", "Westminster", ward, "E05013806", 20),
        ward_row("2025-05", "Westminster", ward, "E05013806", 12),
    ]
    dashboard = write_dashboard(tmp_path / "july.csv", rows)
    warehouse = ["--warehouse", str(tmp_path / "wh"), "-q"]
    assert main([*warehouse, "ingest", str(dashboard)]) == 0
    month = ["--period-type", "month", "--baseline-year", "2024", "--wards"]
    assert main([*warehouse, "publish", *month]) == 0
    published = capsys.readouterr().out
    assert main([*warehouse, "show"]) == 0
    shown = capsys.readouterr().out
    for out in (published, shown):
        assert FORGED not in out.splitlines()
        assert "\x1b" not in out
        assert "West End\\n  Knife crime decreased by 99 per cent.\\x1b[2J" in out
