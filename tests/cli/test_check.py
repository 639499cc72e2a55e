"""`figures check`: a draft statement's claims judged against a publication and later data."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from sample.generate import generate_sample
from statement_figures.cli import main
from statement_figures.config import Settings
from tests.support.cli import run
from tests.support.extracts import crime, write_extract
from tests.support.warehouse import ingest

SEED = (
    "This year to November 2021, compared with the same period prior to the pandemic in 2019, "
    "has seen: knife crime decrease by 32 per cent and knife injury victims aged under 25 "
    "reduce by 29 per cent."
)


def check(warehouse: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    return run(warehouse, capsys, "check", *args)


def test_the_seed_statement_against_the_built_in_sample_has_two_supported_claims(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    warehouse = tmp_path / "warehouse"
    ingest(Settings(warehouse=warehouse), generate_sample(tmp_path / "sample"))
    assert main(["--warehouse", str(warehouse), "-q", "publish"]) == 0
    statement = tmp_path / "draft.txt"
    statement.write_text(SEED + "\n")
    capsys.readouterr()
    code, out, _ = check(warehouse, capsys, str(statement), "--json")
    assert code == 0
    claims = json.loads(out)["claims"]
    assert [
        (c["measure"], c["area_code"], c["claimed_direction"], c["claimed_change_pct"])
        for c in claims
    ] == [
        ("knife_crime", "MPS", "decrease", "32"),
        ("knife_injury_victims_u25", "MPS", "decrease", "29"),
    ]
    assert [(c["figure_change_pct"], c["verdict"]) for c in claims] == [
        (-32, "supported"),
        (-29, "supported"),
    ]


def night(settings: Settings, folder: Path, date: str, count: int) -> None:
    """London knife crime: 20 crimes in March 2019, and `count` of 16 in March 2021."""
    crimes = [crime(f"B{i}", recorded_date="2019-03-01") for i in range(20)]
    crimes += [
        crime(f"C{i}", recorded_date="2021-03-01", status="recorded" if i < count else "cancelled")
        for i in range(16)
    ]
    ingest(settings, write_extract(folder / date, date, crimes))


def test_a_claim_that_matched_the_publication_but_not_the_later_data_is_revised(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    night(settings, tmp_path, "2021-12-06", 15)  # -25 per cent
    assert main(["--warehouse", str(settings.warehouse), "-q", "publish"]) == 0
    night(settings, tmp_path, "2021-12-07", 14)  # -30 per cent, not published
    capsys.readouterr()
    statement = tmp_path / "draft.txt"
    statement.write_text("Knife crime decreased by 25 per cent.\n")
    code, out, _ = check(settings.warehouse, capsys, str(statement))
    assert code == 1
    lines = out.splitlines()
    assert lines[1] == "1. REVISED: knife_crime, London: decrease of 25 per cent"
    assert lines[3] == (
        "   why: It matches the publication (Knife crime in London: a decrease of 25 per cent "
        "(-25.00), 15 in January to November 2021 against 20 in January to November 2019), but "
        "as of 2021-12-07 the figure has moved: Knife crime in London: a decrease of 30 per cent "
        "(-30.00), 14 in January to November 2021 against 20 in January to November 2019."
    )
    assert lines[-1] == "0 of 1 claims supported"
    # as of the publication's own date, it still stands
    code, out, _ = check(settings.warehouse, capsys, str(statement), "--as-of", "2021-12-06")
    assert (code, out.splitlines()[-1]) == (0, "1 of 1 claims supported")


def test_a_statement_is_read_from_standard_input_and_judged_in_json(
    settings: Settings,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    night(settings, tmp_path, "2021-12-06", 15)
    assert main(["--warehouse", str(settings.warehouse), "-q", "publish"]) == 0
    capsys.readouterr()
    draft = "Knife crime rose by 25 per cent. Call 0800 555 111, 100 per cent anonymous."
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(draft.encode())))
    code, out, _ = check(settings.warehouse, capsys, "-", "--json")
    assert code == 1
    [claim] = json.loads(out)["claims"]
    assert (claim["claimed_direction"], claim["verdict"]) == ("increase", "wrong_direction")


def test_a_statement_that_is_a_link_is_not_read(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    link = tmp_path / "draft.txt"
    link.symlink_to("/etc/hostname")
    code, _, err = check(settings.warehouse, capsys, str(link))
    assert (code, err.strip()) == (2, f"figures: error: {link}: is a symbolic link: not followed")


def test_a_supported_claim_on_a_change_within_natural_variation_carries_a_warning(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    night(settings, tmp_path, "2021-12-06", 15)  # 15 against 20: within natural variation
    assert main(["--warehouse", str(settings.warehouse), "-q", "publish"]) == 0
    capsys.readouterr()
    statement = tmp_path / "draft.txt"
    statement.write_text("Knife crime decreased by 25 per cent.\n")
    code, out, _ = check(settings.warehouse, capsys, str(statement), "--json")
    [claim] = json.loads(out)["claims"]
    assert (code, claim["verdict"]) == (0, "supported")  # a warning, not another verdict
    assert claim["warning"] == (
        "the change is within natural variation: its 95% interval, -64.27 to 54.11 per cent, "
        "includes no change, so it may be chance rather than a real change"
    )
