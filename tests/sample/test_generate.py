"""The built-in sample generator: contract, calibration, excluded rows, nightly deltas, scale.

Figures are checked with DuckDB SQL written here, independently of the project's own SQL.
"""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import duckdb
import pytest

from sample.generate import generate_nightly, generate_sample, generate_scaled
from statement_figures.domain.areas import BOROUGH_CODES
from statement_figures.domain.sources import SYNTHETIC_REF_PREFIX

AS_OF = date(2021, 12, 6)
NIGHTS = 3
CRIME_HEADER = (
    "crime_ref,recorded_date,offence_group,knife_flag,domestic_abuse,borough_code,status\n"
)
VICTIM_HEADER = "crime_ref,victim_ref,age,injured\n"

KNIFE_CRIME = """
    status = 'recorded' and knife_flag = 'true'
    and offence_group in (
        'homicide', 'violence_with_injury', 'violence_without_injury', 'robbery',
        'sexual_offences'
    )
"""
U25_VICTIM = """
    c.domestic_abuse = 'false' and v.injured = 'true' and cast(v.age as integer) between 1 and 24
"""


def load(con: duckdb.DuckDBPyConnection, folder: Path) -> None:
    """Tables crimes and victims over every extract in folder, each row with its extract date."""
    for name in ("crimes", "victims"):
        con.execute(
            f"""
            create or replace table {name} as
            select
                * exclude (filename),
                cast(regexp_extract(filename, '(\\d{{4}}-\\d{{2}}-\\d{{2}})\\.csv$', 1) as date)
                    as extract_date
            from read_csv(?, header = true, all_varchar = true, filename = true)
            """,
            [str(folder / f"{name}_*.csv")],
        )


def connect(folder: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    load(con, folder)
    return con


def scalar(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = con.execute(sql).fetchone()
    assert row is not None
    return int(row[0])


def sha256s(paths: list[Path]) -> list[str]:
    return [hashlib.sha256(p.read_bytes()).hexdigest() for p in paths]


def contract_violations(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rows breaking each rule of brief 3.1, per extract, as counts (all should be zero)."""
    boroughs = ", ".join(f"'{code}'" for code in sorted(BOROUGH_CODES))
    rules = {
        "crime_ref empty or too long": """
            select count(*) from crimes
            where crime_ref is null or length(crime_ref) > 32""",
        "crime_ref repeated in an extract": """
            select count(*) - count(distinct (extract_date, crime_ref)) from crimes""",
        "recorded_date not a date in range": """
            select count(*) from crimes
            where try_strptime(recorded_date, '%Y-%m-%d') is null
                or length(recorded_date) != 10
                or cast(recorded_date as date) not between date '2000-01-01' and extract_date""",
        "offence_group unknown": """
            select count(*) from crimes where offence_group is null or offence_group not in (
                'homicide', 'violence_with_injury', 'violence_without_injury', 'robbery',
                'sexual_offences', 'possession_of_weapons', 'other')""",
        "knife_flag not a boolean": """
            select count(*) from crimes
            where knife_flag is null or knife_flag not in ('true', 'false')""",
        "domestic_abuse not a boolean": """
            select count(*) from crimes
            where domestic_abuse is null or domestic_abuse not in ('true', 'false')""",
        "borough_code unknown": f"""
            select count(*) from crimes where borough_code not in ({boroughs})""",
        "status unknown": """
            select count(*) from crimes
            where status is null or status not in ('recorded', 'cancelled')""",
        "victim names no crime in its extract": """
            select count(*) from victims v anti join crimes c using (extract_date, crime_ref)""",
        "victim_ref empty or repeated for a crime": """
            select count(*) filter (where victim_ref is null)
                + count(*) - count(distinct (extract_date, crime_ref, victim_ref))
            from victims""",
        "age not an integer from 0 to 120": """
            select count(*) from victims
            where age is not null and not regexp_full_match(age, '0|[1-9][0-9]{0,2}')
                or try_cast(age as integer) > 120""",
        "injured not a boolean": """
            select count(*) from victims
            where injured is null or injured not in ('true', 'false')""",
    }
    return {rule: scalar(con, sql) for rule, sql in rules.items()}


def london_change(con: duckdb.DuckDBPyConnection) -> tuple[int, int]:
    """Per cent change, Jan-Nov 2021 on Jan-Nov 2019, of knife crime and of u25 injury victims."""
    row = con.execute(
        f"""
        with knife_crimes as (
            select crime_ref, domestic_abuse, year(cast(recorded_date as date)) as year
            from crimes
            where {KNIFE_CRIME} and month(cast(recorded_date as date)) <= 11
        ),
        counts as (
            select
                (select count(*) from knife_crimes where year = 2019) as knife_2019,
                (select count(*) from knife_crimes where year = 2021) as knife_2021,
                (select count(*) from victims as v join knife_crimes as c using (crime_ref)
                    where c.year = 2019 and {U25_VICTIM}) as victims_2019,
                (select count(*) from victims as v join knife_crimes as c using (crime_ref)
                    where c.year = 2021 and {U25_VICTIM}) as victims_2021
        )
        select
            round(100 * (knife_2021 - knife_2019) / knife_2019),
            round(100 * (victims_2021 - victims_2019) / victims_2019)
        from counts
        """
    ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("sample")
    generate_sample(folder)
    return folder


@pytest.fixture(scope="module")
def sample_con(sample: Path) -> duckdb.DuckDBPyConnection:
    return connect(sample)


@pytest.fixture(scope="module")
def nightly(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default sample and three nights after it, in one landing folder."""
    folder = tmp_path_factory.mktemp("nightly")
    generate_sample(folder)
    generate_nightly(folder, nights=NIGHTS)
    return folder


@pytest.fixture(scope="module")
def nightly_con(nightly: Path) -> duckdb.DuckDBPyConnection:
    con = connect(nightly)
    con.execute(
        """
        create table versions as
        select
            *,
            lag(status) over w as previous_status,
            lag(offence_group) over w as previous_offence_group,
            lag(knife_flag) over w as previous_knife_flag,
            lag(extract_date) over w as previous_extract_date
        from crimes
        window w as (partition by crime_ref order by extract_date)
        """
    )
    return con


# --- The sample -------------------------------------------------------------------------------


def test_the_sample_is_written_as_one_extract_dated_by_its_as_of_date(tmp_path: Path) -> None:
    paths = generate_sample(tmp_path)

    assert paths == [tmp_path / "crimes_2021-12-06.csv", tmp_path / "victims_2021-12-06.csv"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [p.name for p in paths]


def test_the_same_seed_writes_byte_identical_files(tmp_path: Path) -> None:
    first = generate_sample(tmp_path / "a", seed=7)
    second = generate_sample(tmp_path / "b", seed=7)

    assert sha256s(first) == sha256s(second)


def test_a_different_seed_writes_different_files(tmp_path: Path) -> None:
    first = generate_sample(tmp_path / "a", seed=7)
    second = generate_sample(tmp_path / "b", seed=8)

    assert sha256s(first)[0] != sha256s(second)[0]
    assert sha256s(first)[1] != sha256s(second)[1]


def test_the_files_have_the_contract_headers_and_plain_fields(sample: Path) -> None:
    crimes = (sample / "crimes_2021-12-06.csv").read_text(encoding="utf-8")
    victims = (sample / "victims_2021-12-06.csv").read_text(encoding="utf-8")

    assert crimes.startswith(CRIME_HEADER)
    assert victims.startswith(VICTIM_HEADER)
    assert '"' not in crimes + victims
    assert "SAMPLE-000000001,2019-01-" in crimes


def test_every_row_of_the_sample_meets_the_contract(
    sample_con: duckdb.DuckDBPyConnection,
) -> None:
    violations = contract_violations(sample_con)
    assert violations == dict.fromkeys(violations, 0)


def test_the_sample_covers_2019_01_to_2021_11(sample_con: duckdb.DuckDBPyConnection) -> None:
    first, last = sample_con.execute(
        "select min(recorded_date), max(recorded_date) from crimes"
    ).fetchall()[0]

    assert first.startswith("2019-01-")
    assert last.startswith("2021-11-")


def test_the_sample_stays_small_enough_to_ingest_in_seconds(
    sample_con: duckdb.DuckDBPyConnection,
) -> None:
    assert 50_000 < scalar(sample_con, "select count(*) from crimes") < 150_000


@pytest.mark.parametrize("seed", [2021, 7, 123_456])
def test_the_sample_reproduces_the_december_2021_statement_for_any_seed(
    tmp_path: Path, seed: int
) -> None:
    generate_sample(tmp_path, seed=seed)

    assert london_change(connect(tmp_path)) == (-32, -29)


def test_london_magnitudes_in_2019_are_close_to_the_real_ones(
    sample_con: duckdb.DuckDBPyConnection,
) -> None:
    monthly = sample_con.execute(
        f"""
        with knife_crimes as (
            select crime_ref, domestic_abuse, left(recorded_date, 7) as month
            from crimes where {KNIFE_CRIME} and recorded_date like '2019-%'
        )
        select
            month,
            count(distinct crime_ref),
            count(*) filter (where v.crime_ref is not null and {U25_VICTIM})
        from knife_crimes as c left join victims as v using (crime_ref)
        group by month order by month
        """
    ).fetchall()

    assert len(monthly) == 12
    assert all(1_300 <= knife <= 1_500 for _, knife, _ in monthly)
    assert all(120 <= victims <= 160 for _, _, victims in monthly)


def test_2020_dips_most_in_the_first_lockdown(sample_con: duckdb.DuckDBPyConnection) -> None:
    monthly = dict(
        sample_con.execute(
            f"""
            select left(recorded_date, 7), count(*) from crimes where {KNIFE_CRIME}
            group by all
            """
        ).fetchall()
    )

    lowest = sorted(monthly, key=monthly.__getitem__)[:2]
    assert sorted(lowest) == ["2020-04", "2020-05"]


def test_every_borough_has_knife_crime_in_realistic_shares(
    sample_con: duckdb.DuckDBPyConnection,
) -> None:
    shares = dict(
        sample_con.execute(
            f"""
            select borough_code, count(*) / sum(count(*)) over ()
            from crimes where {KNIFE_CRIME} and borough_code is not null group by all
            """
        ).fetchall()
    )

    assert set(shares) == BOROUGH_CODES
    assert max(shares, key=shares.__getitem__) == "E09000033"  # Westminster
    assert min(shares.values()) > 0.005
    assert max(shares.values()) < 0.08


def test_recorded_dates_spread_over_the_days_of_each_month(
    sample_con: duckdb.DuckDBPyConnection,
) -> None:
    days = scalar(sample_con, "select count(distinct recorded_date) from crimes")

    assert days == (date(2021, 11, 30) - date(2019, 1, 1)).days + 1


EXCLUDED_KINDS = {
    "possession of weapons with a knife flag": """
        select count(*) from crimes
        where offence_group = 'possession_of_weapons' and knife_flag = 'true'""",
    "cancelled knife crime": f"""
        select count(*) from crimes
        where {KNIFE_CRIME.replace("'recorded'", "'cancelled'")}""",
    "knife crime with no borough": f"""
        select count(*) from crimes where {KNIFE_CRIME} and borough_code is null""",
    "crime without a knife in a knife crime group": """
        select count(*) from crimes where knife_flag = 'false' and offence_group in (
            'homicide', 'violence_with_injury', 'violence_without_injury', 'robbery',
            'sexual_offences')""",
    "other offence with a knife flag": """
        select count(*) from crimes where offence_group = 'other' and knife_flag = 'true'""",
    "domestic abuse knife crime with an injured victim aged 1 to 24": f"""
        select count(*) from crimes as c join victims as v using (crime_ref)
        where {KNIFE_CRIME} and c.domestic_abuse = 'true' and v.injured = 'true'
            and cast(v.age as integer) between 1 and 24""",
    "injured knife crime victim aged 0": f"""
        select count(*) from crimes as c join victims as v using (crime_ref)
        where {KNIFE_CRIME} and v.injured = 'true' and v.age = '0'""",
    "injured knife crime victim aged 25 or over": f"""
        select count(*) from crimes as c join victims as v using (crime_ref)
        where {KNIFE_CRIME} and v.injured = 'true' and cast(v.age as integer) >= 25""",
    "uninjured knife crime victim aged 1 to 24": f"""
        select count(*) from crimes as c join victims as v using (crime_ref)
        where {KNIFE_CRIME} and v.injured = 'false' and cast(v.age as integer) between 1 and 24""",
    "injured knife crime victim of unknown age": f"""
        select count(*) from crimes as c join victims as v using (crime_ref)
        where {KNIFE_CRIME} and v.injured = 'true' and v.age is null""",
    "knife crime with no victims": f"""
        select count(*) from crimes as c anti join victims as v using (crime_ref)
        where {KNIFE_CRIME}""",
    "crime with several victims": """
        select count(*) from (select crime_ref from victims group by all having count(*) > 1)""",
}


@pytest.mark.parametrize("kind", EXCLUDED_KINDS)
def test_the_sample_holds_every_kind_of_row_the_measures_leave_out(
    sample_con: duckdb.DuckDBPyConnection, kind: str
) -> None:
    assert scalar(sample_con, EXCLUDED_KINDS[kind]) > 0


def test_excluded_crimes_appear_in_every_year_of_the_sample(
    sample_con: duckdb.DuckDBPyConnection,
) -> None:
    years = sample_con.execute(
        """
        select offence_group, knife_flag, status, count(distinct left(recorded_date, 4))
        from crimes
        where not (knife_flag = 'true' and status = 'recorded'
            and offence_group not in ('possession_of_weapons', 'other'))
        group by all
        having count(*) > 20
        """
    ).fetchall()

    assert len(years) >= 10
    assert all(n == 3 for *_, n in years)


def test_the_sample_refuses_months_after_its_as_of_date(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="starts after the as-of date"):
        generate_sample(tmp_path, as_of=date(2021, 10, 31))


def test_the_sample_reports_progress_month_by_month(tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []

    generate_sample(tmp_path, first_month="2021-01", progress=lambda d, t: calls.append((d, t)))

    assert calls == [(month, 11) for month in range(1, 12)]


# --- Nightly deltas ---------------------------------------------------------------------------


def test_nightly_deltas_are_one_extract_per_night(tmp_path: Path) -> None:
    paths = generate_nightly(tmp_path, nights=2)

    assert [p.name for p in paths] == [
        "crimes_2021-12-07.csv",
        "victims_2021-12-07.csv",
        "crimes_2021-12-08.csv",
        "victims_2021-12-08.csv",
    ]


def test_nightly_deltas_are_deterministic_for_a_seed(tmp_path: Path) -> None:
    first = generate_nightly(tmp_path / "a", nights=2)
    second = generate_nightly(tmp_path / "b", nights=2)
    other = generate_nightly(tmp_path / "c", nights=2, seed=1)

    assert sha256s(first) == sha256s(second)
    assert sha256s(first) != sha256s(other)


def test_every_row_of_the_nightly_deltas_meets_the_contract(
    nightly_con: duckdb.DuckDBPyConnection,
) -> None:
    violations = contract_violations(nightly_con)
    assert violations == dict.fromkeys(violations, 0)


NIGHTLY_KINDS = {
    "new crime recorded in the days before": """
        previous_extract_date is null and cast(recorded_date as date) >= extract_date - 3""",
    "late-recorded crime from an earlier month": """
        previous_extract_date is null
        and cast(recorded_date as date) < date_trunc('month', extract_date)""",
    "reclassified offence group": "offence_group != previous_offence_group",
    "knife flag removed": "knife_flag = 'false' and previous_knife_flag = 'true'",
    "knife flag added": "knife_flag = 'true' and previous_knife_flag = 'false'",
    "cancelled": "status = 'cancelled' and previous_status = 'recorded'",
    "victim added": """
        (select count(*) from victims as v
            where v.crime_ref = versions.crime_ref and v.extract_date = versions.extract_date)
        > (select count(*) from victims as v
            where v.crime_ref = versions.crime_ref
                and v.extract_date = versions.previous_extract_date)""",
}


@pytest.mark.parametrize("kind", NIGHTLY_KINDS)
def test_every_night_holds_new_crimes_and_every_kind_of_revision(
    nightly_con: duckdb.DuckDBPyConnection, kind: str
) -> None:
    per_night = dict(
        nightly_con.execute(
            f"""
            select extract_date, count(*) filter (where {NIGHTLY_KINDS[kind]})
            from versions where extract_date > date '2021-12-06' group by all
            """
        ).fetchall()
    )

    assert len(per_night) == NIGHTS
    assert all(n > 0 for n in per_night.values())


def test_a_revised_crime_comes_back_with_all_its_victims(
    nightly_con: duckdb.DuckDBPyConnection,
) -> None:
    lost = scalar(
        nightly_con,
        """
        select count(*) from versions as c
        join victims as before
            on before.crime_ref = c.crime_ref and before.extract_date = c.previous_extract_date
        anti join victims as after
            on after.crime_ref = c.crime_ref and after.extract_date = c.extract_date
            and after.victim_ref = before.victim_ref
        """,
    )

    assert lost == 0


def test_the_state_after_the_nights_no_longer_counts_cancelled_crimes(
    nightly_con: duckdb.DuckDBPyConnection,
) -> None:
    counts = nightly_con.execute(
        f"""
        with latest as (
            select * from crimes
            qualify extract_date = max(extract_date) over (partition by crime_ref)
        ),
        cancelled as (
            select crime_ref from versions
            where status = 'cancelled' and previous_status = 'recorded'
        ),
        late as (
            select crime_ref from versions
            where previous_extract_date is null and extract_date > date '2021-12-06'
                and cast(recorded_date as date) < date '2021-12-01'
        )
        select
            (select count(*) from cancelled),
            (select count(*) from latest semi join cancelled using (crime_ref)
                where {KNIFE_CRIME}),
            (select count(*) from late),
            (select count(*) from latest where recorded_date < '2021-12-01')
                - (select count(*) from crimes where extract_date = date '2021-12-06')
        """
    ).fetchone()

    assert counts is not None
    cancelled, cancelled_still_counted, late, added_before_december = counts
    assert cancelled > 0
    assert cancelled_still_counted == 0
    assert late > 0
    assert added_before_december == late


def test_the_nights_change_the_figures_only_after_the_sample(
    nightly_con: duckdb.DuckDBPyConnection,
) -> None:
    before, after = nightly_con.execute(
        f"""
        with latest as (
            select * from crimes
            qualify extract_date = max(extract_date) over (partition by crime_ref)
        )
        select
            (select count(*) from crimes
                where extract_date = date '2021-12-06' and {KNIFE_CRIME}
                and recorded_date like '2021-%'),
            (select count(*) from latest where {KNIFE_CRIME} and recorded_date between
                '2021-01-01' and '2021-11-30')
        """
    ).fetchall()[0]

    assert before == 10_472
    assert after != before


def test_the_first_night_must_follow_the_sample(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="must be after"):
        generate_nightly(tmp_path, start=AS_OF)


# --- Scaled -----------------------------------------------------------------------------------


def test_a_scaled_extract_has_exactly_the_crimes_asked_for_in_chunks(tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []

    generate_scaled(
        tmp_path, crimes=50_000, chunk_rows=900, progress=lambda d, t: calls.append((d, t))
    )
    con = connect(tmp_path)

    assert scalar(con, "select count(*) from crimes") == 50_000
    assert scalar(con, "select count(distinct crime_ref) from crimes") == 50_000
    assert len(calls) > 35
    assert calls[-1] == (len(calls), len(calls))
    violations = contract_violations(con)
    assert violations == dict.fromkeys(violations, 0)


def test_a_scaled_extract_has_a_realistic_number_of_victims(tmp_path: Path) -> None:
    generate_scaled(tmp_path, crimes=20_000)
    con = connect(tmp_path)

    victims = scalar(con, "select count(*) from victims")
    assert 0.3 * 20_000 < victims < 1.2 * 20_000
    assert scalar(con, "select count(distinct borough_code) from crimes") == 32


def test_a_scaled_extract_is_deterministic_for_a_seed(tmp_path: Path) -> None:
    first = generate_scaled(tmp_path / "a", crimes=5_000, chunk_rows=1_000)
    second = generate_scaled(tmp_path / "b", crimes=5_000, chunk_rows=1_000)

    assert sha256s(first) == sha256s(second)


def test_a_scaled_extract_can_be_empty(tmp_path: Path) -> None:
    crimes, victims = generate_scaled(tmp_path, crimes=0)

    assert crimes.read_text() == CRIME_HEADER
    assert victims.read_text() == VICTIM_HEADER


def test_a_scaled_delta_revises_the_latest_base_crimes_and_adds_new_ones(
    tmp_path: Path,
) -> None:
    from sample.generate import generate_scaled_delta
    from statement_figures.config import Settings
    from statement_figures.sources.incidents.ingest import ingest_paths

    settings = Settings(warehouse=tmp_path / "warehouse")
    base = generate_scaled(tmp_path / "base", crimes=1_000)
    delta = generate_scaled_delta(tmp_path / "delta", base_crimes=1_000, crimes=300)
    assert [p.name for p in delta] == ["crimes_2021-12-07.csv", "victims_2021-12-07.csv"]
    results = ingest_paths(settings, [*base, *delta])
    assert [r.rejected for r in results] == [0, 0]
    refs = duckdb.read_csv(str(delta[0])).select("crime_ref").fetchall()
    numbers = sorted(int(ref.removeprefix(SYNTHETIC_REF_PREFIX)) for (ref,) in refs)
    assert numbers == list(range(971, 1_271))  # 30 revised (971 to 1,000), 270 new
