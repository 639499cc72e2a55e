"""`figures reconcile`: incident extracts against the dashboard, on fixtures whose differences are
known exactly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from statement_figures.cli import main
from statement_figures.cli.base import EXIT_DIFFERENCES, EXIT_ERROR
from statement_figures.config import Settings
from statement_figures.publication.reconcile import Tolerance, reconcile
from statement_figures.sources.detect import ingest_files
from tests.support.dashboards import CODES, borough_row, write_dashboard
from tests.support.extracts import crime, write_extract

# Incident crimes by (borough, month); "" is an unknown borough.
INCIDENT_CRIMES = {
    ("Camden", "2025-03"): 1,  # before the dashboard's range: not compared
    ("Camden", "2025-04"): 3,
    ("Camden", "2025-05"): 2,
    ("Westminster", "2025-04"): 10,
    ("", "2025-05"): 1,
}
# Dashboard knife crime by (borough, month), refresh of 2025-06-10 covering 2025-04 to 2025-06.
DASHBOARD_COUNTS = {
    ("Camden", "2025-04"): 3,
    ("Camden", "2025-05"): 4,
    ("Westminster", "2025-04"): 12,
    ("Westminster", "2025-05"): 1,
    ("Other / NK", "2025-05"): 1,
    ("Lambeth", "2025-04"): 20,
    ("Hackney", "2025-06"): 5,  # after the incidents' last complete month: not compared
}
# (borough, month) -> difference (incidents minus dashboard), every non-zero one.
DIFFERENCES = {
    ("Camden", "2025-05"): -2,
    ("Lambeth", "2025-04"): -20,
    ("Westminster", "2025-04"): -2,
    ("Westminster", "2025-05"): -1,
}


@pytest.fixture
def both_sources(settings: Settings, tmp_path: Path) -> Settings:
    crimes = [
        crime(
            f"C{borough[:3]}{month}{n}",
            recorded_date=f"{month}-10",
            borough_code=CODES.get(borough, ""),
        )
        for (borough, month), count in INCIDENT_CRIMES.items()
        for n in range(count)
    ]
    dashboard = [
        borough_row(month, borough, count, "2025-06-10")
        for (borough, month), count in DASHBOARD_COUNTS.items()
    ]
    ingest_files(
        settings,
        [
            *write_extract(tmp_path / "extract", "2025-06-20", crimes),
            write_dashboard(tmp_path / "dashboard.csv", dashboard),
        ],
    )
    return settings


def differing(settings: Settings, tolerance: Tolerance) -> dict[tuple[str, str], int]:
    result = reconcile(settings, tolerance=tolerance)
    return {(r["borough_name"], r["month"]): r["difference"] for r in result.differing}


def test_every_borough_and_month_both_sources_cover_is_compared(both_sources: Settings) -> None:
    result = reconcile(both_sources)
    assert (result.incidents_as_of.isoformat(), result.dashboard_as_of.isoformat()) == (
        "2025-06-20",
        "2025-06-10",
    )
    # knife crime only (the dashboard file has no other measure), 2025-04 and 2025-05,
    # 32 boroughs and "Unknown or other".
    assert len(result.rows) == 2 * 33
    assert {r["month"] for r in result.rows} == {"2025-04", "2025-05"}
    unknown = [r for r in result.rows if r["borough_code"] is None and r["month"] == "2025-05"]
    assert [(u["borough_name"], u["incidents"], u["dashboard"]) for u in unknown] == [
        ("Unknown or other", 1, 1)
    ]
    nonzero = {
        (r["borough_name"], r["month"]): r["difference"] for r in result.rows if r["difference"]
    }
    assert nonzero == DIFFERENCES


def test_the_tolerance_is_an_absolute_allowance_and_optionally_a_percentage(
    both_sources: Settings,
) -> None:
    assert differing(both_sources, Tolerance()) == DIFFERENCES
    assert differing(both_sources, Tolerance(absolute=1)) == {
        ("Camden", "2025-05"): -2,
        ("Lambeth", "2025-04"): -20,
        ("Westminster", "2025-04"): -2,
    }
    # 2 of Westminster's 12 is 16.7 per cent, 2 of Camden's 4 is 50 per cent.
    assert differing(both_sources, Tolerance(absolute=1, percent=16)) == {
        ("Camden", "2025-05"): -2,
        ("Lambeth", "2025-04"): -20,
        ("Westminster", "2025-04"): -2,
    }
    assert differing(both_sources, Tolerance(absolute=1, percent=17)) == {
        ("Camden", "2025-05"): -2,
        ("Lambeth", "2025-04"): -20,
    }
    assert differing(both_sources, Tolerance(absolute=20)) == {}


def test_the_command_prints_the_table_and_a_summary_and_exits_1_on_differences(
    both_sources: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--warehouse", str(both_sources.warehouse), "-q", "reconcile"]
    assert main([*args, "--tolerance", "1", "--differences-only"]) == EXIT_DIFFERENCES
    out, _ = capsys.readouterr()
    assert out.splitlines() == [
        "incidents as of 2025-06-20 against the Monthly Crime Dashboard as of 2025-06-10",
        "  measure                    borough                  month   incidents dashboard "
        "difference",
        "! knife_crime                Camden                   2025-05         2         4 "
        "        -2",
        "! knife_crime                Lambeth                  2025-04         0        20 "
        "       -20",
        "! knife_crime                Westminster              2025-04        10        12 "
        "        -2",
        "66 monthly counts compared (2025-04 to 2025-05): 3 beyond the tolerance "
        "(differences of more than 1)",
    ]
    assert main([*args, "--tolerance", "20"]) == 0
    out, _ = capsys.readouterr()
    assert len(out.splitlines()) == 2 + 66 + 1
    assert out.splitlines()[-1] == (
        "66 monthly counts compared (2025-04 to 2025-05): 0 beyond the tolerance "
        "(differences of more than 20)"
    )


def test_the_json_lists_every_row_with_its_difference_and_flag(
    both_sources: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--warehouse", str(both_sources.warehouse), "-q", "reconcile", "--json"]
    assert main([*args, "--tolerance-pct", "17"]) == EXIT_DIFFERENCES
    doc = json.loads(capsys.readouterr().out)
    assert {k: v for k, v in doc.items() if k != "rows"} == {
        "incidents_as_of": "2025-06-20",
        "dashboard_as_of": "2025-06-10",
        "first_month": "2025-04",
        "last_month": "2025-05",
        "tolerance": {"absolute": 0, "percent": 17.0},
        "compared": 66,
        "beyond_tolerance": 3,
    }
    lambeth = [r for r in doc["rows"] if r["borough_name"] == "Lambeth" and r["month"] == "2025-04"]
    assert lambeth == [
        {
            "measure": "knife_crime",
            "borough_code": CODES["Lambeth"],
            "borough_name": "Lambeth",
            "month": "2025-04",
            "incidents": 0,
            "dashboard": 20,
            "difference": -20,
            "beyond_tolerance": True,
        }
    ]


def test_reconciling_without_dashboard_data_says_what_is_missing(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ingest_files(settings, write_extract(tmp_path / "x", "2025-06-20", [crime("C1")]))
    assert main(["--warehouse", str(settings.warehouse), "reconcile"]) == EXIT_ERROR
    _, err = capsys.readouterr()
    assert err.strip() == (
        "figures: error: no mps-dashboard data loaded: run `figures ingest FILE...` or "
        "`figures run` first"
    )


@pytest.mark.parametrize(
    ("option", "value", "line"),
    [
        (
            "--tolerance-pct",
            "nan",
            "--tolerance-pct must be a finite number of per cent, 0 or more (got nan)",
        ),
        (
            "--tolerance-pct",
            "inf",
            "--tolerance-pct must be a finite number of per cent, 0 or more (got inf)",
        ),
        (
            "--tolerance-pct",
            "-0.5",
            "--tolerance-pct must be a finite number of per cent, 0 or more (got -0.5)",
        ),
        ("--tolerance", "-1", "--tolerance must not be negative (got -1)"),
    ],
)
def test_a_tolerance_that_is_not_a_number_or_negative_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str, value: str, line: str
) -> None:
    warehouse = tmp_path / "wh"
    code = main(["--warehouse", str(warehouse), "reconcile", option, value])
    assert code == EXIT_ERROR
    assert capsys.readouterr().err.strip() == f"figures: error: {line}"
    assert not warehouse.exists()  # refused before anything was opened
