"""A London headline that moves too far against the previous publication is published, but
flagged in the manifest, the report and `figures show`, and `figures run` exits 5."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from statement_figures.cli import main
from statement_figures.config import Settings
from statement_figures.publication.moves import Move
from statement_figures.publication.publish import publish
from tests.support.extracts import crime, write_extract
from tests.support.warehouse import ingest

BASELINE = [crime(f"B{i}", recorded_date="2019-03-01") for i in range(20)]


def night(settings: Settings, folder: Path, date: str, count: int) -> None:
    """An extract as of `date` after which London has the 20 baseline knife crimes of March
    2019 and `count` of March 2021 (of 16 crimes C0 to C15: the others cancelled)."""
    crimes = [
        crime(f"C{i}", recorded_date="2021-03-01", status="recorded" if i < count else "cancelled")
        for i in range(16)
    ]
    ingest(settings, write_extract(folder / date, date, BASELINE + crimes))


def test_a_headline_that_moves_further_than_the_limit_is_flagged(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    night(settings, tmp_path, "2021-12-06", 15)  # -25 per cent
    first = publish(settings)
    assert first.moves == ()
    night(settings, tmp_path, "2021-12-07", 16)  # -20 per cent: 5.00 points, not more
    assert publish(settings).moves == ()
    night(settings, tmp_path, "2021-12-08", 12)  # -40 per cent: 20.00 points
    flagged = publish(replace(settings, headline_move_points=5.0))
    move = Move("knife_crime", "Knife crime", "-20.00", "-40.00", "20.00")
    assert flagged.moves == (move,)
    manifest = json.loads((flagged.folder / "manifest.json").read_text())
    assert manifest["headline_moves"] == [move.as_json()]
    report = flagged.report_html.read_text()
    assert 'id="headline-moves"' in report
    assert (
        "<li>Knife crime: -20.00 per cent in the previous publication, now -40.00: a move of "
        "20.00 points</li>" in report
    )
    assert main(["--warehouse", str(settings.warehouse), "show"]) == 0
    assert (
        "flagged: Knife crime: -20.00 per cent in the previous publication, now -40.00: a move "
        "of 20.00 points"
    ) in capsys.readouterr().out.splitlines()


def test_a_publication_written_elsewhere_is_never_flagged(
    settings: Settings, tmp_path: Path
) -> None:
    night(settings, tmp_path, "2021-12-06", 15)
    publish(settings)
    night(settings, tmp_path, "2021-12-07", 2)
    assert publish(settings, out=tmp_path / "elsewhere").moves == ()
    manifest = json.loads((tmp_path / "elsewhere" / "manifest.json").read_text())
    assert manifest["headline_moves"] == []


def test_the_flagged_latest_published_again_keeps_its_flag_and_its_bytes(
    settings: Settings, tmp_path: Path
) -> None:
    night(settings, tmp_path, "2021-12-06", 15)
    publish(settings)
    night(settings, tmp_path, "2021-12-07", 4)
    flagged = publish(settings)
    assert len(flagged.moves) == 1
    again = publish(settings)
    assert (again.unchanged, again.moves) == (True, flagged.moves)
