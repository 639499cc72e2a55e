"""The statement spec: the example files, what each field changes, and every way it can be wrong."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from statement_figures.cli import main
from statement_figures.cli.base import EXIT_ERROR
from statement_figures.config import Settings, load_spec
from statement_figures.domain.errors import FiguresError
from statement_figures.domain.spec import DEFAULT_SPEC, Spec
from statement_figures.publication.publish import publish
from tests.support.extracts import crime, write_extract
from tests.support.warehouse import figures_by_key, ingest

SPECS = Path(__file__).resolve().parents[2] / "specs"
CAMDEN, WESTMINSTER = "E09000007", "E09000033"


def crimes_in(month: str, n: int, borough: str = CAMDEN) -> list[dict[str, Any]]:
    return [
        crime(f"{borough}-{month}-{i}", recorded_date=f"{month}-10", borough_code=borough)
        for i in range(n)
    ]


@pytest.fixture
def loaded(settings: Settings, tmp_path: Path) -> Settings:
    """Knife crimes by month (Camden unless named), as of 2021-12-06:

    2018-12: 4 | 2019-03: 20 | 2019-11: 6 Westminster | 2019-12: 3
    2020-12: 5 | 2021-03: 12 | 2021-06: 2 Westminster | 2021-11: 4 Westminster
    """
    crimes = [
        *crimes_in("2018-12", 4),
        *crimes_in("2019-03", 20),
        *crimes_in("2019-11", 6, WESTMINSTER),
        *crimes_in("2019-12", 3),
        *crimes_in("2020-12", 5),
        *crimes_in("2021-03", 12),
        *crimes_in("2021-06", 2, WESTMINSTER),
        *crimes_in("2021-11", 4, WESTMINSTER),
    ]
    ingest(settings, write_extract(tmp_path / "in", "2021-12-06", crimes))
    return settings


def knife_crime(settings: Settings, spec: Spec, area: str = "MPS") -> dict[str, Any]:
    return figures_by_key(publish(settings, spec=spec).document)[("knife_crime", area)]


def counts(figure: dict[str, Any]) -> tuple[Any, ...]:
    keys = ("period_start", "period_end", "count", "baseline_count", "change", "change_pct")
    return tuple(figure[k] for k in keys)


def write_spec(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "spec.toml"
    path.write_text(text, encoding="utf-8")
    return path


# --- the example files ------------------------------------------------------------------------


def test_the_december_2021_example_is_exactly_the_default_spec() -> None:
    assert load_spec(SPECS / "december-2021.toml") == DEFAULT_SPEC


def test_the_rolling_12_month_example_loads_as_written() -> None:
    spec = load_spec(SPECS / "rolling-12m-boroughs.toml")
    assert spec == Spec(
        name="knife-crime-12m",
        measures=("knife_crime", "knife_crime_with_injury"),
        area_types=("london", "borough"),
        period_type="rolling_12m",
        baseline_year=2019,
        min_base=20,
        headline_measures=("knife_crime",),
    )


# --- what each field changes --------------------------------------------------------------------


def test_the_default_spec_counts_january_to_november(loaded: Settings) -> None:
    figure = knife_crime(loaded, DEFAULT_SPEC)
    assert counts(figure) == ("2021-01", "2021-11", 18, 26, -8, -31)
    assert figure["sentence"] == "Knife crime decreased by 31 per cent"


def test_rolling_12m_counts_the_12_months_to_the_period_end(loaded: Settings) -> None:
    spec = Spec(period_type="rolling_12m")
    assert counts(knife_crime(loaded, spec)) == ("2020-12", "2021-11", 23, 30, -7, -23)
    assert counts(knife_crime(loaded, spec, CAMDEN)) == ("2020-12", "2021-11", 17, 24, -7, -29)


def test_a_fixed_period_end_counts_to_that_month(loaded: Settings) -> None:
    spec = load_spec(write_spec(loaded.warehouse.parent, 'period_end = "2021-06"\n'))
    assert counts(knife_crime(loaded, spec)) == ("2021-01", "2021-06", 14, 20, -6, -30)


def test_min_base_decides_which_percentages_are_suppressed(loaded: Settings) -> None:
    # Westminster: 6 in Jan-Nov 2021 against 6 in Jan-Nov 2019.
    at_six = knife_crime(loaded, Spec(min_base=6), WESTMINSTER)
    assert (at_six["suppressed"], at_six["change_pct"]) == (False, 0)
    assert at_six["sentence"] == "Knife crime in Westminster did not change"
    at_seven = knife_crime(loaded, Spec(min_base=7), WESTMINSTER)
    assert (at_seven["suppressed"], at_seven["change_pct"], at_seven["sentence"]) == (
        True,
        None,
        None,
    )


def test_a_subset_of_measures_and_area_types_publishes_only_those(loaded: Settings) -> None:
    spec = Spec(measures=("knife_crime",), area_types=("borough",), headline_measures=())
    doc = publish(loaded, spec=spec).document
    assert len(doc["figures"]) == 32
    assert {(f["measure"], f["area_type"]) for f in doc["figures"]} == {("knife_crime", "borough")}
    assert list(doc["definitions"]) == ["knife_crime"]
    camden = figures_by_key(doc)[("knife_crime", CAMDEN)]
    assert counts(camden) == ("2021-01", "2021-11", 12, 20, -8, -40)


def test_publish_with_spec_runs_end_to_end_from_the_command_line(
    loaded: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = SPECS / "rolling-12m-boroughs.toml"
    code = main(["--warehouse", str(loaded.warehouse), "-q", "publish", "--spec", str(spec)])
    out, _ = capsys.readouterr()
    assert code == 0
    figures_json = Path(out.strip().splitlines()[-1])
    assert figures_json.parent.name == "knife-crime-12m-rolling_12m-2021-11-vs-2019"
    doc = json.loads(figures_json.read_bytes())
    assert doc["spec"]["name"] == "knife-crime-12m"
    assert len(doc["figures"]) == 2 * (1 + 32)
    # min_base 20: London's baseline of 30 keeps its percentage, Camden's 24 does too,
    # Westminster's 6 is suppressed.
    figures = figures_by_key(doc)
    assert counts(figures[("knife_crime", "MPS")]) == ("2020-12", "2021-11", 23, 30, -7, -23)
    assert figures[("knife_crime", WESTMINSTER)]["suppressed"] is True
    assert "  Knife crime decreased by 23 per cent." in out


def test_command_line_options_override_the_spec_file(
    loaded: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = SPECS / "rolling-12m-boroughs.toml"
    args = ["--spec", str(spec), "--period-type", "ytd", "--period-end", "2021-06"]
    assert main(["--warehouse", str(loaded.warehouse), "-q", "publish", *args]) == 0
    doc = json.loads(Path(capsys.readouterr().out.strip().splitlines()[-1]).read_bytes())
    figure = figures_by_key(doc)[("knife_crime", "MPS")]
    assert counts(figure) == ("2021-01", "2021-06", 14, 20, -6, -30)


# --- every way a spec can be wrong: one line naming the file --------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "periode_type = 'ytd'\n",
            "unknown field(s) periode_type (known: name, measures, area_types, period_type, "
            "period_end, baseline_year, min_base, headline_measures)",
        ),
        (
            "period_type = 'weekly'\n",
            "period_type 'weekly' is not one of ytd, rolling_12m, month, fytd",
        ),
        (
            "measures = ['knife_crime', 'gun_crime']\n",
            "unknown measure 'gun_crime' (known: knife_crime, knife_crime_with_injury, "
            "knife_injury_victims_u25)",
        ),
        (
            "area_types = ['london', 'county']\n",
            "area type 'county' is not one of london, bcu, borough, ward",
        ),
        ("min_base = -1\n", "min_base must not be negative (got -1)"),
        (
            "min_base = 100000000000000000000\n",
            "min_base must be at most 9007199254740991 (got 100000000000000000000)",
        ),
        ("baseline_year = 1\n", "baseline_year must be a year from 2000 to 9999 (got 1)"),
        (
            "baseline_year = 99999999999\n",
            "baseline_year must be a year from 2000 to 9999 (got 99999999999)",
        ),
        ("min_base = '10'\n", "min_base must be a whole number (got '10')"),
        ("baseline_year = 2019.0\n", "baseline_year must be a whole number (got 2019.0)"),
        ("measures = 'knife_crime'\n", 'measures must be a list of names, like ["knife_crime"]'),
        ("area_types = []\n", "area_types must name at least one"),
        (
            "measures = ['knife_crime', 'knife_crime']\nheadline_measures = ['knife_crime']\n",
            "measures names the same one twice: ['knife_crime', 'knife_crime']",
        ),
        ("period_end = '2021-13'\n", "'2021-13' is not a month written YYYY-MM"),
        (
            "period_end = 2021-11-01\n",
            'period_end must be a month written "YYYY-MM" (got datetime.date(2021, 11, 1))',
        ),
        (
            "measures = ['knife_crime']\n",
            "headline measure(s) knife_injury_victims_u25 are not among the measures knife_crime",
        ),
        (
            "area_types = ['borough']\n",
            'the headline sentences are London\'s: add "london" to area_types, '
            "or set headline_measures = []",
        ),
        (
            "name = '../../etc'\n",
            "name '../../etc' must be 1 to 64 lower-case letters, digits and hyphens "
            "(it names the publication's folder)",
        ),
    ],
)
def test_a_wrong_field_is_one_line_naming_the_file(tmp_path: Path, text: str, message: str) -> None:
    path = write_spec(tmp_path, text)
    with pytest.raises(FiguresError) as error:
        load_spec(path)
    assert str(error.value) == f"{path}: {message}"


def test_bad_toml_is_one_line_naming_the_file_and_the_line(tmp_path: Path) -> None:
    path = write_spec(tmp_path, "period_type = 'ytd'\nmin_base = \n")
    with pytest.raises(FiguresError) as error:
        load_spec(path)
    assert str(error.value) == f"{path}: TOML: Invalid value (at line 2, column 12)"


@pytest.mark.parametrize(
    ("text", "line"),
    [
        (None, "no such file"),
        ("min_base = -5\n", "min_base must not be negative (got -5)"),
        ("period_type = [\n", "TOML: Invalid value (at end of document)"),
    ],
)
def test_the_command_line_prints_one_line_naming_the_spec_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str | None, line: str
) -> None:
    path = tmp_path / "spec.toml" if text is None else write_spec(tmp_path, text)
    code = main(["--warehouse", str(tmp_path / "wh"), "publish", "--spec", str(path)])
    out, err = capsys.readouterr()
    assert code == EXIT_ERROR
    assert out == ""
    assert err.splitlines() == [f"figures: error: {path}: {line}"]


def test_a_spec_period_end_after_the_data_is_refused(loaded: Settings) -> None:
    spec = Spec(period_end=dt.date(2021, 12, 1))
    with pytest.raises(
        FiguresError, match="2021-12 is not a complete month in the data as of 2021-12-06"
    ):
        publish(loaded, spec=spec)
