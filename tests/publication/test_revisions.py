"""Publishing as of a past date after revisions, and how published figures have moved since.

Extract A (2021-12-06): 20 knife crimes in June 2019, each with an injured victim aged 20 (the
baseline); in 2021, C1 (an injured victim aged 20), C3 and K1..K8 (no victims) are knife
crimes, and C2 is a possession offence (not knife crime). London as of A, January to November
2021 against 2019: knife crime 10 vs 20 (-50 %), with injury 1 vs 20 (-95 %), victims under
25 1 vs 20 (-95 %).

Extract B (2021-12-09) revises: C2 reclassified as a robbery (+1 knife crime), C3 cancelled
(-1), L1 recorded late in October with an injured victim aged 17 (+1, +1, +1), and a second
injured victim aged 22 added to C1 (+1 victim). London as of B: 11 vs 20 (-45 %), 2 vs 20
(-90 %), 3 vs 20 (-85 %). Every crime is in Camden (BCU Central North).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pytest

from statement_figures.cli import main
from statement_figures.config import Settings
from statement_figures.domain.sources import DASHBOARD
from statement_figures.domain.spec import AREA_TYPES, Spec
from statement_figures.publication.publish import publish
from statement_figures.publication.revisions import REVISED, revisions
from statement_figures.sources.detect import ingest_files
from statement_figures.warehouse import db
from tests.support.dashboards import borough_row, ward_row, write_dashboard
from tests.support.extracts import crime, victim, write_extract
from tests.support.warehouse import figures_by_key, ingest

D1, D2 = "2021-12-06", "2021-12-09"
PUBLISHED_AS_OF_D1 = "published/2021-12-06/statement-ytd-2021-11-vs-2019"


def extract_a(folder: Path) -> list[Path]:
    baseline = [crime(f"B{n:02}", recorded_date="2019-06-01") for n in range(1, 21)]
    current = [
        crime("C1"),
        crime("C2", offence_group="possession_of_weapons", recorded_date="2021-04-01"),
        crime("C3", recorded_date="2021-05-01"),
        *(crime(f"K{n}", recorded_date="2021-07-01") for n in range(1, 9)),
    ]
    victims = [victim(c["crime_ref"]) for c in baseline] + [victim("C1")]
    return write_extract(folder, D1, baseline + current, victims)


def extract_b(folder: Path) -> list[Path]:
    crimes = [
        crime("C1"),
        crime("C2", offence_group="robbery", recorded_date="2021-04-01"),
        crime("C3", recorded_date="2021-05-01", status="cancelled"),
        crime("L1", recorded_date="2021-10-15"),
    ]
    victims = [victim("C1"), victim("C1", victim_ref="V2", age="22"), victim("L1", age="17")]
    return write_extract(folder, D2, crimes, victims)


def london_pcts(doc: dict[str, object]) -> dict[str, tuple[int, int | None]]:
    figures = figures_by_key(doc)
    return {
        measure: (int(str(f["count"])), f["change_pct"])  # type: ignore[misc]
        for (measure, area), f in figures.items()
        if area == "MPS"
    }


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_publishing_as_of_an_earlier_date_reproduces_its_bytes_after_revisions(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ingest(settings, extract_a(tmp_path / "a"))
    first = publish(settings)
    assert first.folder == settings.warehouse / PUBLISHED_AS_OF_D1
    assert london_pcts(first.document) == {
        "knife_crime": (10, -50),
        "knife_crime_with_injury": (1, -95),
        "knife_injury_victims_u25": (1, -95),
    }
    s1 = sha256(first.figures_json)

    ingest(settings, extract_b(tmp_path / "b"))
    later = publish(settings)
    assert later.document["as_of"] == D2
    assert london_pcts(later.document) == {
        "knife_crime": (11, -45),
        "knife_crime_with_injury": (2, -90),
        "knife_injury_victims_u25": (3, -85),
    }
    assert sha256(later.figures_json) != s1

    warehouse = ["--warehouse", str(settings.warehouse), "-q"]
    again = tmp_path / "again"
    assert main([*warehouse, "publish", "--as-of", D1, "--out", str(again)]) == 0
    assert sha256(again / "figures.json") == s1
    assert main([*warehouse, "publish", "--as-of", D1]) == 0
    out = capsys.readouterr().out
    assert f"unchanged, already published: {settings.warehouse / PUBLISHED_AS_OF_D1}" in out
    assert sha256(first.figures_json) == s1


def test_revisions_show_how_each_published_figure_moved_since(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ingest(settings, extract_a(tmp_path / "a"))
    publish(settings)
    ingest(settings, extract_b(tmp_path / "b"))
    warehouse = ["--warehouse", str(settings.warehouse), "-q"]
    publication = str(settings.warehouse / PUBLISHED_AS_OF_D1)

    assert main([*warehouse, "revisions"]) == 0  # the latest publication, as of the latest data
    out = capsys.readouterr().out.splitlines()
    months = "counted in 2021-01 to 2021-11"
    assert out[:4] == [
        f"{publication}: published as of {D1}, recomputed as of {D2} (not written)",
        f"Knife crime, London: published -50 per cent, now -45 per cent, 1 more {months}",
        f"Knife crime with injury, London: published -95 per cent, now -90 per cent, 1 more "
        f"{months}",
        f"Knife injury victims aged under 25, London: published -95 per cent, now -85 per cent, "
        f"2 more {months}",
    ]
    assert out[-1] == "126 of 135 figures still stand, 9 revised"

    assert main([*warehouse, "revisions", publication, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["as_of"], report["revised"], report["figures"]) == (D2, 9, 135)
    by_key = {(r["measure"], r["area_code"]): r for r in report["revisions"]}
    camden = by_key[("knife_injury_victims_u25", "E09000007")]
    assert camden["status"] == "revised"
    assert (camden["published"]["change_pct"], camden["now"]["change_pct"]) == (-95, -85)
    assert (camden["count_change"], camden["baseline_count_change"]) == (2, 0)
    assert camden["now"]["change_pct_exact"] == "-85.00"
    westminster = by_key[("knife_crime", "E09000033")]
    assert westminster["status"] == "still stands"

    assert main([*warehouse, "revisions", publication, "--as-of", D1]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1] == "Knife crime, London: published -50 per cent, still stands"
    assert out[-1] == "135 of 135 figures still stand, 0 revised"


def test_a_ward_a_later_refresh_no_longer_lists_is_revised_to_no_counts(
    settings: Settings, tmp_path: Path
) -> None:
    abbey = ("Barking and Dagenham", "Abbey", "E05014053")
    june = [
        borough_row("2024-05", "Barking and Dagenham", 20, "2025-06-10"),
        borough_row("2025-05", "Barking and Dagenham", 12, "2025-06-10"),
        ward_row("2024-05", *abbey, 20, "2025-06-10"),
        ward_row("2025-05", *abbey, 12, "2025-06-10"),
    ]
    july = [  # speaks for May 2024 to May 2025, with no row for Abbey: zero in both
        borough_row("2024-05", "Barking and Dagenham", 19, "2025-07-10"),
        borough_row("2025-05", "Barking and Dagenham", 11, "2025-07-10"),
    ]
    ingest_files(settings, [write_dashboard(tmp_path / "june.csv", june)])
    spec = Spec(period_type="month", baseline_year=2024, area_types=(*AREA_TYPES, "ward"))
    published = publish(settings, spec=spec, source=DASHBOARD).document
    ingest_files(settings, [write_dashboard(tmp_path / "july.csv", july)])
    with db.connect(settings) as con:
        moved = revisions(con, published, dt.date(2025, 7, 10))
    [ward] = [
        r
        for r in moved
        if (r.published["measure"], r.published["area_code"]) == ("knife_crime", "E05014053")
    ]
    assert ward.status == REVISED
    assert ward.line() == (
        "Knife crime, Abbey: published -40 per cent, now suppressed, 12 fewer counted in "
        "2025-05 to 2025-05, 20 fewer counted in 2024-05 to 2024-05"
    )
