"""Monthly Crime Dashboard files on tiny hand-built fixtures: vintages, skipped rows, areas,
refusals, and which source a publication uses."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import hashlib
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from statement_figures.cli import main
from statement_figures.cli.base import EXIT_ERROR
from statement_figures.config import Settings
from statement_figures.domain.errors import FiguresError
from statement_figures.domain.sources import DASHBOARD
from statement_figures.domain.spec import DEFAULT_SPEC
from statement_figures.publication.publish import publish
from statement_figures.sources.dashboard.ingest import DashboardResult
from statement_figures.sources.detect import ingest_files
from statement_figures.warehouse import db
from statement_figures.warehouse.counts import dashboard_counts, dashboard_ward_counts
from tests.support.dashboards import CODES, borough_row, ward_row, write_dashboard
from tests.support.extracts import crime, write_extract
from tests.support.warehouse import figures_by_key

WESTMINSTER = CODES["Westminster"]


def load(settings: Settings, *paths: Path) -> list[DashboardResult]:
    results = ingest_files(settings, list(paths))
    assert all(isinstance(r, DashboardResult) for r in results)
    return results  # type: ignore[return-value]


def westminster_by_month(settings: Settings, as_of: str) -> dict[str, int]:
    with db.connect(settings) as con:
        rows = dashboard_counts(con, dt.date.fromisoformat(as_of)).to_pylist()
    return {
        r["month"].strftime("%Y-%m"): r["count"]
        for r in rows
        if r["borough_code"] == WESTMINSTER and r["measure"] == "knife_crime"
    }


def refresh_a(folder: Path) -> Path:
    """Refresh of 2025-06-10: January to May 2025."""
    counts = {"2025-01": 5, "2025-02": 6, "2025-03": 7, "2025-04": 8, "2025-05": 9}
    rows = [borough_row(m, "Westminster", n, "2025-06-10") for m, n in counts.items()]
    return write_dashboard(folder / "june.csv", rows)


def refresh_b(folder: Path) -> Path:
    """Refresh of 2025-07-10: March to June 2025; March and May revised, no April row."""
    counts = {"2025-03": 70, "2025-05": 90, "2025-06": 10}
    rows = [borough_row(m, "Westminster", n, "2025-07-10") for m, n in counts.items()]
    return write_dashboard(folder / "july.csv", rows)


# Westminster's knife crime by month, as of each refresh. As of July: January and February
# are outside the July refresh's range and keep what June said; March and May are revised;
# April, absent inside July's range, is zero (no row).
AS_OF_JUNE = {"2025-01": 5, "2025-02": 6, "2025-03": 7, "2025-04": 8, "2025-05": 9}
AS_OF_JULY = {"2025-01": 5, "2025-02": 6, "2025-03": 70, "2025-05": 90, "2025-06": 10}


def test_a_later_refresh_revises_its_months_and_keeps_earlier_months_outside_its_range(
    settings: Settings, tmp_path: Path
) -> None:
    load(settings, refresh_b(tmp_path), refresh_a(tmp_path))  # arrival order does not matter
    assert westminster_by_month(settings, "2025-06-10") == AS_OF_JUNE
    assert westminster_by_month(settings, "2025-07-10") == AS_OF_JULY
    assert westminster_by_month(settings, "2025-07-09") == westminster_by_month(
        settings, "2025-06-10"
    )
    assert westminster_by_month(settings, "2025-06-09") == {}


def test_one_file_may_hold_several_refreshes_each_speaking_for_its_own_months(
    settings: Settings, tmp_path: Path
) -> None:
    rows = [
        *read_rows(refresh_a(tmp_path / "a")),
        *read_rows(refresh_b(tmp_path / "b")),
    ]
    [result] = load(settings, write_dashboard(tmp_path / "both.csv", rows))
    assert result.refresh_dates == (dt.date(2025, 6, 10), dt.date(2025, 7, 10))
    assert westminster_by_month(settings, "2025-06-30") == AS_OF_JUNE
    assert westminster_by_month(settings, "2025-07-10") == AS_OF_JULY


def read_rows(path: Path) -> list[dict[str, Any]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def publish_dashboard(settings: Settings, out: Path, as_of: str | None, **spec: Any) -> Any:
    return publish(
        settings,
        spec=DEFAULT_SPEC.with_overrides(**spec),
        as_of=dt.date.fromisoformat(as_of) if as_of else None,
        out=out,
        source=DASHBOARD,
    ).document


def test_publishing_as_of_an_earlier_refresh_reproduces_its_figures(
    settings: Settings, tmp_path: Path
) -> None:
    june, july = refresh_a(tmp_path), refresh_b(tmp_path)
    load(settings, june)
    before = publish_dashboard(settings, tmp_path / "before", None, baseline_year=2024)
    load(settings, july)
    again = publish_dashboard(settings, tmp_path / "again", "2025-06-10", baseline_year=2024)
    assert again == before
    later = publish_dashboard(settings, tmp_path / "later", None, baseline_year=2024)
    assert (tmp_path / "again" / "figures.json").read_bytes() == (
        tmp_path / "before" / "figures.json"
    ).read_bytes()
    london = figures_by_key(before)[("knife_crime", "MPS")]
    assert (london["period_start"], london["period_end"], london["count"]) == (
        "2025-01",
        "2025-05",
        35,
    )
    london = figures_by_key(later)[("knife_crime", "MPS")]
    assert (london["period_end"], london["count"]) == ("2025-06", 5 + 6 + 70 + 0 + 90 + 10)
    assert later["source"] == "mps-dashboard"
    assert later["as_of"] == "2025-07-10"
    sha = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in (june, july)}
    assert later["inputs"] == [
        {"name": "june.csv", "sha256": sha["june.csv"], "rows": 5, "rows_rejected": 0},
        {"name": "july.csv", "sha256": sha["july.csv"], "rows": 3, "rows_rejected": 0},
    ]
    assert before["inputs"] == [later["inputs"][0]]


def test_rows_of_other_subtypes_outcomes_and_wards_without_a_code_are_counted_as_skipped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [
        borough_row("2025-05", "Westminster", 4),
        borough_row("2025-05", "Westminster", 2, **{"Measure": "Positive Outcomes"}),
        borough_row("2025-05", "Westminster", 3, **{"Crime Subtype": "Gun Crime"}),
        borough_row("2025-05", "Westminster", 1, **{"Crime Subtype": "Knife Crime with Injury"}),
        ward_row("2025-05", "Westminster", "West End", "E05013806", 2),
        ward_row("2025-05", "Other / NK", "N/K", "N/K", 5),
    ]
    path = write_dashboard(tmp_path / "may.csv", rows)
    assert main(["--warehouse", str(tmp_path / "wh"), "-q", "ingest", str(path)]) == 0
    out, _ = capsys.readouterr()
    assert out.splitlines()[:2] == [
        "dashboard may.csv (refresh 2025-07-10): loaded 2 knife_crime, 1 knife_crime_with_injury",
        "  skipped 3 rows: 1 crime subtype not in the measure registry; "
        "1 measure is not Offences; 1 ward row without a ward (E05) code",
    ]


def area_rows() -> list[dict[str, Any]]:
    """May 2025 and May 2024 in five Borough rows each, two of them of no Met borough."""
    rows = []
    for month, scale in (("2025-05", 1), ("2024-05", 2)):
        rows += [
            borough_row(month, "Westminster", 10 * scale, "2025-06-10"),
            borough_row(month, "Kensington and Chelsea", 4 * scale, "2025-06-10"),
            borough_row(month, "Camden", 5 * scale, "2025-06-10"),
            borough_row(month, "Other / NK", 3 * scale, "2025-06-10", **{"Area name": "N/K"}),
            borough_row(month, "Aviation Security (SO18)", 2 * scale, "2025-06-10"),
        ]
    return [
        *rows,
        # The code written with a trailing space, as in the real file.
        ward_row("2025-05", "Westminster", "West End", "E05013806 ", 6, "2025-06-10"),
        ward_row("2024-05", "Westminster", "West End", "E05013806", 9, "2025-06-10"),
        ward_row("2025-05", "Barking and Dagenham", "Abbey", "E05014053", 12, "2025-06-10"),
        ward_row(
            "2024-05",
            "Barking and Dagenham",
            "Abbey",
            "E05014053",
            20,
            "2025-06-10",
            **{"Area name": "Abbey (KG)"},
        ),
    ]


def test_london_sums_every_borough_row_bcus_their_boroughs_and_wards_are_asked_for(
    settings: Settings, tmp_path: Path
) -> None:
    load(settings, write_dashboard(tmp_path / "areas.csv", area_rows()))
    month = {"period_type": "month", "baseline_year": 2024}
    plain = figures_by_key(publish_dashboard(settings, tmp_path / "plain", None, **month))
    counts = {
        (k[1]): (f["count"], f["baseline_count"]) for k, f in plain.items() if k[0] == "knife_crime"
    }
    assert counts["MPS"] == (10 + 4 + 5 + 3 + 2, 2 * (10 + 4 + 5 + 3 + 2))
    assert counts["AW"] == (14, 28)  # Central West: Kensington and Chelsea, Westminster
    assert counts["CN"] == (5, 10)  # Central North: Camden
    assert counts[WESTMINSTER] == (10, 20)
    assert {f["area_type"] for f in plain.values()} == {"london", "bcu", "borough"}

    spec = {**month, "area_types": ("london", "bcu", "borough", "ward")}
    wards = {
        k[1]: f
        for k, f in figures_by_key(
            publish_dashboard(settings, tmp_path / "w", None, **spec)
        ).items()
        if f["area_type"] == "ward" and k[0] == "knife_crime"
    }
    assert sorted(wards) == ["E05013806", "E05014053"]
    west_end, abbey = wards["E05013806"], wards["E05014053"]
    assert (west_end["area_name"], west_end["count"], west_end["baseline_count"]) == (
        "West End",
        6,
        9,
    )
    assert (west_end["suppressed"], west_end["change_pct"], west_end["sentence"]) == (
        True,
        None,
        None,
    )
    assert (abbey["area_name"], abbey["count"], abbey["baseline_count"]) == ("Abbey", 12, 20)
    assert (abbey["suppressed"], abbey["change_pct"]) == (False, -40)
    assert abbey["sentence"] == "Knife crime in Abbey decreased by 40 per cent"


def test_a_dashboard_file_is_recognised_by_its_columns_whatever_its_name_or_format(
    tmp_path: Path,
) -> None:
    csv_path = write_dashboard(tmp_path / "export (3).csv", area_rows())
    gz_path = tmp_path / "download.csv.gz"
    with csv_path.open("rb") as src, gzip.open(gz_path, "wb") as dst:
        shutil.copyfileobj(src, dst)
    table = pacsv.read_csv(csv_path, convert_options=pacsv.ConvertOptions(strings_can_be_null=True))
    table = table.rename_columns([c.lower().replace(" ", "_") for c in table.column_names])
    parquet_path = tmp_path / "data.parquet"
    pq.write_table(table, parquet_path)
    loaded = {}
    for path in (csv_path, gz_path, parquet_path):
        other = Settings(warehouse=tmp_path / f"wh-{path.name}")
        [result] = load(other, path)
        loaded[path.name] = result.rows
        assert westminster_by_month(other, "2025-06-10") == {"2024-05": 20, "2025-05": 10}
    assert loaded["export (3).csv"] == {"knife_crime": 14}
    assert loaded["download.csv.gz"] == loaded["data.parquet"] == loaded["export (3).csv"]


def test_the_same_file_twice_changes_nothing_and_another_for_a_loaded_refresh_is_refused(
    settings: Settings, tmp_path: Path
) -> None:
    path = refresh_a(tmp_path)
    [first] = load(settings, path)
    [again] = load(settings, path)
    assert (first.already_loaded, again.already_loaded) == (False, True)
    assert again.lines() == ["dashboard june.csv: already loaded, nothing changed"]
    other = write_dashboard(
        tmp_path / "other.csv", [borough_row("2025-05", "Camden", 1, "2025-06-10")]
    )
    with pytest.raises(FiguresError) as refused:
        load(settings, other)
    assert str(refused.value).startswith(
        "other.csv: one file per measure and refresh date: knife_crime of the refresh of "
        "2025-06-10 is already loaded from a different file (sha256 "
    )
    assert westminster_by_month(settings, "2025-06-10")["2025-05"] == 9
    assert len(list(settings.archive.iterdir())) == 1


SET_ASIDE = [
    ({"Count": "-3"}, "count: is a whole number that is not negative (found '-3')"),
    ({"Count": "1.5"}, "count: is a whole number that is not negative (found '1.5')"),
    (
        {"Count": "10000001"},
        "count: is at most 10,000,000, a plausible count for one row (found '10000001')",
    ),
    (
        {"Count": "9223372036854775807"},
        "count: is at most 10,000,000, a plausible count for one row (found '9223372036854775807')",
    ),
    (
        {"Count": "123456789012345678901234567890"},
        "count: is at most 10,000,000, a plausible count for one row "
        "(found '123456789012345678901234567890')",
    ),
    (
        {"Month_Year": "2025-13-01"},
        "month_year: is a date written YYYY-MM-DD, DD/MM/YYYY or YYYY-MM (found '2025-13-01')",
    ),
    (
        {"Refresh Date": "last Tuesday"},
        "refresh_date: is a date written YYYY-MM-DD or DD/MM/YYYY (found 'last Tuesday')",
    ),
    (
        {"Month_Year": "2025-08-01"},
        "month_year: is not after the refresh date (found '2025-08-01')",
    ),
    ({"Area Type": "BCU"}, "area_type: is Borough or Safer Neighbourhood Teams (found 'BCU')"),
    ({"Crime Subtype": ""}, "crime_subtype: is required but empty (found empty)"),
    (
        {"Area Type": "Ward\x1b[2J"},
        "area_type: is Borough or Safer Neighbourhood Teams (found 'Ward\\x1b[2J')",
    ),
]


@pytest.mark.parametrize(("change", "problem"), SET_ASIDE)
def test_a_row_breaking_a_rule_is_set_aside_and_reported_by_file_row_and_rule(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], change: dict[str, str], problem: str
) -> None:
    rows = [borough_row("2025-05", "Westminster", 4), borough_row("2025-06", "Camden", 1, **change)]
    path = write_dashboard(tmp_path / "bad.csv", rows)
    warehouse = tmp_path / "wh"
    assert main(["--warehouse", str(warehouse), "-q", "ingest", str(path)]) == 0
    out, _ = capsys.readouterr()
    assert out.splitlines()[:3] == [
        "dashboard bad.csv (refresh 2025-07-10): loaded 1 knife_crime",
        "  set aside 1 row, not loaded:",
        f"    bad.csv: row 2: {problem}",
    ]
    settings = Settings(warehouse=warehouse)
    assert westminster_by_month(settings, "2025-07-10") == {"2025-05": 4}
    with db.connect(settings) as con:
        assert db.count_rows(con, "dashboard_counts") == 1


def test_a_file_refreshed_after_today_plus_the_tolerance_is_refused_whole(
    tmp_path: Path,
) -> None:
    rows = [
        borough_row("2025-05", "Westminster", 4),
        borough_row("2025-06", "Camden", 1, refresh="2099-01-01"),
        borough_row("2025-06", "Camden", 1, refresh="02/01/2099"),
    ]
    path = write_dashboard(tmp_path / "future.csv", rows)
    settings = Settings(warehouse=tmp_path / "wh", today=dt.date(2026, 12, 1))
    with pytest.raises(FiguresError) as refused:
        load(settings, path)
    assert str(refused.value) == (
        "future.csv: row 2: refresh_date: 2099-01-01 is after today (2026-12-01) plus the "
        "tolerated 1 day (FIGURES_FUTURE_DAYS): found '2099-01-01'; the file is refused, "
        "nothing was loaded (1 more problem(s) in the file)"
    )
    with db.connect(settings) as con:
        assert db.count_rows(con, "dashboard_counts") == db.count_rows(con, "loaded_files") == 0
    assert list(settings.archive.glob("*")) == []
    within = [borough_row("2025-06", "Camden", 1, refresh="2026-12-02")]
    assert load(settings, write_dashboard(tmp_path / "ok.csv", within))[0].refresh_dates == (
        dt.date(2026, 12, 2),
    )


def test_a_file_missing_a_column_is_refused_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_dashboard(tmp_path / "no-count.csv", [borough_row("2025-05", "Westminster", 4)])
    lines = path.read_text().splitlines()
    without_count = [
        ",".join(f for i, f in enumerate(line.split(",")) if i != 10) for line in lines
    ]
    path.write_text("\n".join(without_count) + "\n")
    assert main(["--warehouse", str(tmp_path / "wh"), "-q", "ingest", str(path)]) == EXIT_ERROR
    _, err = capsys.readouterr()
    assert err.strip() == (
        "figures: error: no-count.csv: columns: missing column(s) count (a dashboard file has: "
        "month_year, area_type, borough_snt, area_name, area_code, crime_subtype, measure, "
        "count, refresh_date; headers are matched ignoring case, with spaces read as "
        "underscores)"
    )


def test_the_first_set_aside_rows_are_shown_and_the_others_counted(
    settings: Settings, tmp_path: Path
) -> None:
    rows = [borough_row("2025-05", "Westminster", 4)]
    rows += [borough_row("2025-06", "Camden", f"x{n}") for n in range(12)]
    [result] = load(settings, write_dashboard(tmp_path / "bad.csv", rows))
    lines = result.lines()
    assert lines[:3] == [
        "dashboard bad.csv (refresh 2025-07-10): loaded 1 knife_crime",
        "  set aside 12 rows, not loaded:",
        "    bad.csv: row 2: count: is a whole number that is not negative (found 'x0')",
    ]
    assert lines[11:] == [
        "    bad.csv: row 11: count: is a whole number that is not negative (found 'x9')",
        "    ... and 2 more",
    ]


def test_a_file_whose_every_row_is_set_aside_loads_nothing(
    settings: Settings, tmp_path: Path
) -> None:
    rows = [borough_row("2025-05", "Westminster", n) for n in ("x", "-1", "2.0")]
    [result] = load(settings, write_dashboard(tmp_path / "bad.csv", rows))
    assert result.lines() == [
        "dashboard bad.csv (refresh none): loaded no rows",
        "  set aside 3 rows, not loaded:",
        "    bad.csv: row 1: count: is a whole number that is not negative (found 'x')",
        "    bad.csv: row 2: count: is a whole number that is not negative (found '-1')",
        "    bad.csv: row 3: count: is a whole number that is not negative (found '2.0')",
    ]
    with db.connect(settings) as con:
        assert db.count_rows(con, "dashboard_counts") == db.count_rows(con, "loaded_files") == 0


def test_publish_uses_incidents_when_loaded_on_or_before_the_as_of_date_else_the_dashboard(
    settings: Settings, tmp_path: Path
) -> None:
    load(settings, refresh_a(tmp_path))
    spec = DEFAULT_SPEC.with_overrides(baseline_year=2024)
    doc = publish(settings, spec=spec, out=tmp_path / "dash").document
    assert (doc["source"], doc["as_of"]) == ("mps-dashboard", "2025-06-10")
    ingest_files(settings, write_extract(tmp_path / "x", "2025-06-20", [crime("C1")]))
    doc = publish(settings, spec=spec, out=tmp_path / "inc").document
    assert (doc["source"], doc["as_of"]) == ("incidents", "2025-06-20")
    doc = publish(settings, spec=spec, as_of=dt.date(2025, 6, 19), out=tmp_path / "d2").document
    assert (doc["source"], doc["as_of"]) == ("mps-dashboard", "2025-06-19")


def test_publish_takes_the_source_and_wards_from_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    warehouse = ["--warehouse", str(tmp_path / "wh"), "-q"]
    assert main([*warehouse, "ingest", str(write_dashboard(tmp_path / "a.csv", area_rows()))]) == 0
    publish_args = [*warehouse, "publish", "--period-type", "month", "--baseline-year", "2024"]
    assert main([*publish_args, "--source", "incidents"]) == EXIT_ERROR
    assert capsys.readouterr().err.strip() == (
        "figures: error: no incidents data loaded: run `figures ingest FILE...` or "
        "`figures run` first"
    )
    assert main([*publish_args, "--source", "mps-dashboard", "--wards"]) == 0
    figures_json = Path(capsys.readouterr().out.strip().splitlines()[-1])
    # the default statement with wards added: its own folder, named with a fingerprint
    assert re.fullmatch(
        r"mps-dashboard-statement-month-2025-05-vs-2024-[0-9a-f]{8}", figures_json.parent.name
    )
    doc = json.loads(figures_json.read_bytes())
    assert doc["spec"]["area_types"] == ["london", "bcu", "borough", "ward"]
    assert sorted(f["area_name"] for f in doc["figures"] if f["area_type"] == "ward") == [
        "Abbey",
        "Abbey",
        "Abbey",
        "West End",
        "West End",
        "West End",
    ]


def test_a_backfill_on_dashboard_data_alone_is_as_of_the_latest_refresh(
    settings: Settings, tmp_path: Path
) -> None:
    from statement_figures.publication.backfill import as_of_for

    load(settings, refresh_a(tmp_path), refresh_b(tmp_path))
    assert as_of_for(settings, dt.date(2025, 5, 1), None, None) == dt.date(2025, 7, 10)
    assert as_of_for(settings, dt.date(2025, 5, 1), None, 20) == dt.date(2025, 6, 10)


def london_only_rows() -> list[dict[str, Any]]:
    """May 2025: two boroughs and four kinds of Borough row of no Met borough."""
    return [
        borough_row("2025-05", "Westminster", 10, "2025-06-10"),
        borough_row("2025-05", "Camden", 5, "2025-06-10"),
        borough_row("2025-05", "Aviation Security", 2, "2025-06-10", **{"Area code": "SO18"}),
        borough_row("2025-04", "Aviation Security", 1, "2025-06-10", **{"Area code": "SO18"}),
        borough_row("2025-05", "Non MET police force", 3, "2025-06-10"),
        borough_row("2025-05", "Other / NK", 4, "2025-06-10", **{"Area name": "Unknown"}),
        borough_row("2025-05", "Other / NK", 6, "2025-06-10", **{"Area name": "N/K (Legacy Only)"}),
        borough_row("2025-05", "City of London", 7, "2025-06-10", **{"Area code": "E09000001"}),
        borough_row("2025-05", "Evil\x1b[2J\nforged", 1, "2025-06-10"),
    ]


def test_borough_rows_of_no_met_borough_count_for_london_only_and_are_reported_by_name(
    settings: Settings, tmp_path: Path
) -> None:
    [result] = load(settings, write_dashboard(tmp_path / "odd.csv", london_only_rows()))
    assert result.lines() == [
        "dashboard odd.csv (refresh 2025-06-10): loaded 9 knife_crime",
        "  counted for London only: Aviation Security (SO18): 2 rows; "
        "City of London (E09000001): 1 row; Evil\\x1b[2J\\nforged: 1 row; "
        "N/K (Legacy Only): 1 row; Non MET police force: 1 row; Unknown: 1 row",
    ]
    with db.connect(settings) as con:
        rows = dashboard_counts(con, dt.date(2025, 6, 10)).to_pylist()
    by_borough = {
        (r["borough_code"], r["month"].strftime("%Y-%m")): r["count"]
        for r in rows
        if r["measure"] == "knife_crime"
    }
    assert by_borough == {
        (WESTMINSTER, "2025-05"): 10,
        (CODES["Camden"], "2025-05"): 5,
        (None, "2025-04"): 1,
        (None, "2025-05"): 2 + 3 + 4 + 6 + 7 + 1,
    }
    month = {"period_type": "month", "period_end": dt.date(2025, 5, 1), "baseline_year": 2024}
    figures = figures_by_key(publish_dashboard(settings, tmp_path / "out", None, **month))
    assert figures[("knife_crime", "MPS")]["count"] == 10 + 5 + 2 + 3 + 4 + 6 + 7 + 1
    assert figures[("knife_crime", WESTMINSTER)]["count"] == 10
    assert figures[("knife_crime", "CN")]["count"] == 5  # Central North: Camden (no Islington)
    assert not any(code in {"SO18", "E09000001"} for _, code in figures)


def test_a_repeated_row_is_set_aside_the_first_kept_and_a_different_count_said(
    settings: Settings, tmp_path: Path
) -> None:
    rows = [
        borough_row("2025-05", "Westminster", 10),
        borough_row("2025-05", "Camden", 5),
        borough_row("2025-05", "Westminster", 10),
        borough_row("2025-05", "Westminster", 12),
        borough_row("2025-05", "Non MET police force", 3),
        borough_row("2025-05", "Non MET police force", 3),
        borough_row("2025-05", "Other / NK", 3, **{"Area name": "Unknown"}),  # another area
        borough_row("2025-05", "Westminster", 1, **{"Crime Subtype": "Knife Crime with Injury"}),
        borough_row("2025-05", "Westminster", 2, refresh="2025-07-11"),  # another refresh
        borough_row("2025-04", "Westminster", 3),  # another month
        borough_row("2025-05", "Westminster", 7, **{"Measure": "Positive Outcomes"}),
        ward_row("2025-05", "Hackney", "Whitechapel", "E05009336", 1),
        ward_row("2025-05", "Tower Hamlets", "Whitechapel", "E05009336", 4),  # two boroughs' SNT
        ward_row("2025-05", "Tower Hamlets", "Whitechapel", "E05009336", 4),
    ]
    [result] = load(settings, write_dashboard(tmp_path / "twice.csv", rows))
    assert result.lines() == [
        "dashboard twice.csv (refresh 2025-07-10, 2025-07-11): loaded 8 knife_crime, "
        "1 knife_crime_with_injury",
        "  skipped 1 rows: 1 measure is not Offences",
        "  counted for London only: Non MET police force: 1 row; Unknown: 1 row",
        "  set aside 4 rows, not loaded:",
        "    twice.csv: row 3: repeats row 1 (same refresh, subtype, measure, area and month)",
        "    twice.csv: row 4: repeats row 1 with a different count (12 against 10): the first "
        "is kept",
        "    twice.csv: row 6: repeats row 5 (same refresh, subtype, measure, area and month)",
        "    twice.csv: row 14: repeats row 13 (same refresh, subtype, measure, area and month)",
    ]
    assert westminster_by_month(settings, "2025-07-10") == {"2025-04": 3, "2025-05": 10}
    assert westminster_by_month(settings, "2025-07-11") == {"2025-04": 3, "2025-05": 2}
    with db.connect(settings) as con:
        wards = dashboard_ward_counts(con, dt.date(2025, 7, 10)).to_pylist()
    assert [(w["ward_code"], w["count"]) for w in wards if w["measure"] == "knife_crime"] == [
        ("E05009336", 5)
    ]
