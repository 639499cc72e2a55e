"""The real MPS Monthly Crime Dashboard file in ../shared/data: our figures against counts made
here independently, straight from the parquet with pyarrow and plain Python (not our SQL).

It may skip only on a machine without ../shared at all; with ../shared present (CI always has
it) a missing data file is a failure.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from fractions import Fraction
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from statement_figures.cli import main
from statement_figures.config import Settings
from statement_figures.domain.sources import DASHBOARD
from statement_figures.domain.spec import DEFAULT_SPEC
from statement_figures.publication.publish import publish
from statement_figures.warehouse import db
from statement_figures.warehouse.counts import dashboard_counts
from tests.support.dashboards import HEADERS
from tests.support.warehouse import SHARED_DATA

if not SHARED_DATA.parent.exists():
    pytest.skip(f"no {SHARED_DATA.parent} on this machine", allow_module_level=True)

REAL = SHARED_DATA / "mps-monthly-crime-dashboard-knife-2026-03-18.parquet"
SUBTYPES = {
    "Knife Crime": "knife_crime",
    "Knife Crime with Injury": "knife_crime_with_injury",
    "Knife Injury Victims (non DA 1-24)": "knife_injury_victims_u25",
}
# Brief section 4, by borough name.
BCU_BOROUGHS = {
    "AW": ("Hammersmith and Fulham", "Kensington and Chelsea", "Westminster"),
    "CN": ("Camden", "Islington"),
    "CE": ("Hackney", "Tower Hamlets"),
    "AS": ("Lambeth", "Southwark"),
    "EA": ("Barking and Dagenham", "Havering", "Redbridge"),
    "NA": ("Enfield", "Haringey"),
    "NE": ("Newham", "Waltham Forest"),
    "NW": ("Barnet", "Brent", "Harrow"),
    "SN": ("Bromley", "Croydon", "Sutton"),
    "SE": ("Bexley", "Greenwich", "Lewisham"),
    "SW": ("Kingston upon Thames", "Merton", "Richmond upon Thames", "Wandsworth"),
    "WA": ("Ealing", "Hillingdon", "Hounslow"),
}
Counts = dict[tuple[str, str, str], int]


def real_rows() -> list[dict[str, Any]]:
    assert REAL.is_file(), f"{REAL} is missing: the real dashboard data must be in ../shared/data"
    rows: list[dict[str, Any]] = pq.read_table(REAL).to_pylist()
    return rows


def independent_counts() -> tuple[Counts, Counts]:
    """(measure, area code, YYYY-MM) -> count, for London, BCUs and boroughs; and for wards."""
    areas: Counts = defaultdict(int)
    wards: Counts = defaultdict(int)
    code_of: dict[str, str] = {}
    for row in real_rows():
        measure = SUBTYPES.get(row["crime_subtype"])
        if measure is None or row["measure"] != "Offences":
            continue
        month = row["month_year"].strftime("%Y-%m")
        code = (row["area_code"] or "").strip()
        if row["area_type"] == "Borough":
            areas[(measure, "MPS", month)] += row["count"]
            if code:
                areas[(measure, code, month)] += row["count"]
                code_of[row["area_name"]] = code
        elif code.startswith("E05"):
            wards[(measure, code, month)] += row["count"]
    for (measure, code, month), count in list(areas.items()):
        for bcu, names in BCU_BOROUGHS.items():
            if code in {code_of[n] for n in names}:
                areas[(measure, bcu, month)] += count
    return areas, wards


def months(first: str, last: str) -> list[str]:
    year, month = map(int, first.split("-"))
    found = []
    while f"{year:04d}-{month:02d}" <= last:
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def total(counts: Counts, measure: str, code: str, first: str, last: str) -> int:
    return sum(counts.get((measure, code, m), 0) for m in months(first, last))


def percent(change: int, baseline: int) -> int:
    """100 x change / baseline, rounded half away from zero."""
    exact = Fraction(100 * abs(change), baseline)
    whole = int(exact + Fraction(1, 2))
    return whole if change >= 0 else -whole


@pytest.fixture(scope="module")
def expected() -> tuple[Counts, Counts]:
    return independent_counts()


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    settings = Settings(warehouse=tmp_path_factory.mktemp("real") / "warehouse")
    assert main(["--warehouse", str(settings.warehouse), "-q", "ingest", str(REAL)]) == 0
    return settings


def figures(
    settings: Settings, out: Path, input_name: str = REAL.name, **spec: Any
) -> list[dict[str, Any]]:
    """The figures of a dashboard publication from the one file input_name."""
    doc = publish(
        settings, spec=DEFAULT_SPEC.with_overrides(**spec), out=out, source=DASHBOARD
    ).document
    assert doc["source"] == "mps-dashboard"
    assert doc["as_of"] == "2026-03-18"
    assert [i["name"] for i in doc["inputs"]] == [input_name]
    result: list[dict[str, Any]] = doc["figures"]
    return result


PERIODS = [
    # period type, period end, baseline year
    ("ytd", "2025-11", 2024),
    ("rolling_12m", "2025-11", 2024),
    ("month", "2025-11", 2024),
    ("fytd", "2026-02", 2025),
]


@pytest.mark.parametrize(("period_type", "end", "baseline_year"), PERIODS)
def test_figures_for_london_every_bcu_and_borough_equal_an_independent_count(
    warehouse: Settings,
    expected: tuple[Counts, Counts],
    tmp_path: Path,
    period_type: str,
    end: str,
    baseline_year: int,
) -> None:
    areas, _ = expected
    found = figures(
        warehouse,
        tmp_path / "out",
        period_type=period_type,
        period_end=dt.date.fromisoformat(f"{end}-01"),
        baseline_year=baseline_year,
    )
    assert len(found) == 3 * (1 + 12 + 32)
    for figure in found:
        measure, code = figure["measure"], figure["area_code"]
        count = total(areas, measure, code, figure["period_start"], figure["period_end"])
        baseline = total(areas, measure, code, figure["baseline_start"], figure["baseline_end"])
        assert (figure["count"], figure["baseline_count"]) == (count, baseline), figure
        if baseline >= 10:
            assert figure["change_pct"] == percent(count - baseline, baseline), figure


def test_london_knife_crime_was_1412_in_november_2024_and_1113_in_november_2025(
    warehouse: Settings, tmp_path: Path
) -> None:
    found = figures(
        warehouse,
        tmp_path / "out",
        period_type="month",
        period_end=dt.date(2025, 11, 1),
        baseline_year=2024,
    )
    [london] = [f for f in found if f["measure"] == "knife_crime" and f["area_code"] == "MPS"]
    assert (london["count"], london["baseline_count"], london["change_pct"]) == (1113, 1412, -21)
    assert london["sentence"] == "Knife crime decreased by 21 per cent"


def test_london_knife_crime_january_to_november_2025_against_2024(
    warehouse: Settings, expected: tuple[Counts, Counts], tmp_path: Path
) -> None:
    areas, _ = expected
    found = figures(
        warehouse, tmp_path / "out", period_end=dt.date(2025, 11, 1), baseline_year=2024
    )
    [london] = [f for f in found if f["measure"] == "knife_crime" and f["area_code"] == "MPS"]
    assert (london["period_start"], london["baseline_start"]) == ("2025-01", "2024-01")
    assert london["count"] == total(areas, "knife_crime", "MPS", "2025-01", "2025-11")
    assert london["baseline_count"] == total(areas, "knife_crime", "MPS", "2024-01", "2024-11")


def test_ward_figures_equal_an_independent_count_of_the_ward_rows(
    warehouse: Settings, expected: tuple[Counts, Counts], tmp_path: Path
) -> None:
    _, wards = expected
    found = figures(
        warehouse,
        tmp_path / "out",
        period_end=dt.date(2025, 11, 1),
        baseline_year=2024,
        area_types=("london", "ward"),
    )
    ward_figures = {
        f["area_code"]: f
        for f in found
        if f["area_type"] == "ward" and f["measure"] == "knife_crime"
    }
    in_range = set(months("2024-01", "2025-11"))
    assert set(ward_figures) == {code for (_, code, month) in wards if month in in_range}
    for code, figure in ward_figures.items():
        count = total(wards, "knife_crime", code, "2025-01", "2025-11")
        baseline = total(wards, "knife_crime", code, "2024-01", "2024-11")
        assert (figure["count"], figure["baseline_count"]) == (count, baseline), figure
        assert figure["suppressed"] == (baseline < 10)
    assert ward_figures["E05014053"]["area_name"] == "Abbey"  # borough_snt "Barking and ..."


def test_a_csv_with_the_datastore_headers_gives_the_same_figures_as_the_parquet(
    warehouse: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A slice of the real file (2024-01 to 2025-11) written as the London Datastore CSV."""
    path = tmp_path / "MPS_MonthlyCrimeDashboard_slice.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        for row in real_rows():
            month = row["month_year"].date()
            if not dt.date(2024, 1, 1) <= month <= dt.date(2025, 11, 1):
                continue
            writer.writerow(
                [
                    month.strftime("%d/%m/%Y"),
                    row["area_type"],
                    row["borough_snt"],
                    row["area_name"],
                    row["area_code"],
                    row["crime_type"],
                    row["crime_subtype"],
                    row["measure"],
                    row["financial_year"],
                    row["fy_fyindex"],
                    row["count"],
                    row["refresh_date"].strftime("%d/%m/%Y"),
                ]
            )
    from_csv = Settings(warehouse=tmp_path / "csv-warehouse")
    assert main(["--warehouse", str(from_csv.warehouse), "-q", "ingest", str(path)]) == 0
    out, _ = capsys.readouterr()
    assert out.startswith(f"dashboard {path.name} (refresh 2026-03-18): loaded ")
    spec: dict[str, Any] = {"period_end": dt.date(2025, 11, 1), "baseline_year": 2024}
    assert figures(from_csv, tmp_path / "csv", path.name, **spec) == figures(
        warehouse, tmp_path / "parquet", **spec
    )


def odd_row(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """A row like base (a real row) with some fields changed."""
    return {**base, **changes}


def vintage_like_august_2025(path: Path) -> tuple[Path, int]:
    """The real file with what the file of August 2025 has besides: another crime type, Borough
    rows of no Met borough (one coded SO18), a second refresh date and a repeated row.
    Returns the file and the row number of the repeated row's first."""
    rows = real_rows()
    table = pq.read_table(REAL)
    [first] = [
        i
        for i, r in enumerate(rows)
        if r["area_type"] == "Borough"
        and r["area_code"] == "E09000033"
        and r["crime_subtype"] == "Knife Crime"
        and r["measure"] == "Offences"
        and r["month_year"] == dt.datetime(2024, 11, 1)
    ]
    knife = odd_row(rows[first], borough_snt="Other / NK", area_code=None)
    added = [
        odd_row(rows[first], crime_type="Violence Against the Person", crime_subtype="Homicide"),
        odd_row(knife, crime_type="Sexual Offences", crime_subtype="Rape", count=40),
        odd_row(
            knife,
            borough_snt="Aviation Security",
            area_name="Aviation Security",
            area_code="SO18",
            count=5,
        ),
        # The real file has a Non MET police force row under Other / NK for 2024-11; this one
        # is under its own name, so it is another area, not a repeat.
        odd_row(
            knife, borough_snt="Non MET police force", area_name="Non MET police force", count=3
        ),
        odd_row(knife, area_name="Unknown", count=2),
        odd_row(knife, area_name="N/K (Legacy Only)", count=4),
        odd_row(
            rows[first],
            month_year=dt.datetime(2021, 11, 1),
            refresh_date=dt.datetime(2025, 8, 14),
            count=30,
        ),
        rows[first],  # the same row twice
    ]
    pq.write_table(pa.Table.from_pylist(rows + added, schema=table.schema), path)
    return path, first + 1


def test_a_vintage_like_august_2025_ingests_counting_odd_rows_for_london_only_by_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, first = vintage_like_august_2025(
        tmp_path / "MPS_MonthlyCrimeDashboard_August2025.parquet"
    )
    settings = Settings(warehouse=tmp_path / "warehouse")
    assert main(["--warehouse", str(settings.warehouse), "-q", "ingest", str(path)]) == 0
    out, _ = capsys.readouterr()
    assert out.splitlines()[:5] == [
        f"dashboard {path.name} (refresh 2025-08-14, 2026-03-18): loaded 23,529 knife_crime, "
        "11,240 knife_crime_with_injury, 5,168 knife_injury_victims_u25",
        "  skipped 19,501 rows: 8,657 crime subtype not in the measure registry; 10,630 measure "
        "is not Offences; 214 ward row without a ward (E05) code",
        "  counted for London only: Aviation Security (SO18): 1 row; "
        "Aviation Security (SO18) (Legacy Only): 9 rows; N/K (Legacy Only): 73 rows; "
        "Non MET police force: 41 rows; Other / NK: 53 rows; Unknown: 1 row",
        "  set aside 1 row, not loaded:",
        f"    {path.name}: row 59439: repeats row {first} (same refresh, subtype, measure, area "
        "and month)",
    ]
    found = figures(
        settings,
        tmp_path / "out",
        path.name,
        period_type="month",
        period_end=dt.date(2024, 11, 1),
        baseline_year=2023,
    )
    by_area = {f["area_code"]: f["count"] for f in found if f["measure"] == "knife_crime"}
    assert by_area["MPS"] == 1412 + 5 + 3 + 2 + 4
    assert not {"SO18", None} & set(by_area)
    westminster = by_area["E09000033"]
    expected, _ = independent_counts()
    assert westminster == expected[("knife_crime", "E09000033", "2024-11")]
    assert westminster_2021(settings) == 30


def westminster_2021(settings: Settings) -> int:
    with db.connect(settings) as con:
        rows = dashboard_counts(con, dt.date(2026, 3, 18)).to_pylist()
    [count] = [
        r["count"]
        for r in rows
        if r["measure"] == "knife_crime"
        and r["borough_code"] == "E09000033"
        and r["month"] == dt.date(2021, 11, 1)
    ]
    return int(count)
