"""The real Prefect flow, end to end, in a real process with no Prefect server configured."""

from __future__ import annotations

import json
import os
from pathlib import Path

from tests.support.extracts import crime, victim, write_extract
from tests.support.processes import figures


def test_the_nightly_run_publishes_the_statement_then_ingests_what_lands(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse"
    first = figures("run", "--sample", warehouse=warehouse)
    assert first.returncode == 0, first.stderr
    assert "Knife crime decreased by 32 per cent." in first.stdout
    assert "Knife injury victims aged under 25 decreased by 29 per cent." in first.stdout
    for noise in ("Traceback", "database is locked", "telemetry", "Error"):
        assert noise not in first.stderr
    figures_json = Path(first.stdout.strip().splitlines()[-1])
    assert figures_json == (
        warehouse / "published/2021-12-06/statement-ytd-2021-11-vs-2019/figures.json"
    )
    doc = json.loads(figures_json.read_text())
    london = {f["measure"]: f for f in doc["figures"] if f["area_code"] == "MPS"}
    assert london["knife_crime"]["change_pct"] == -32
    assert london["knife_injury_victims_u25"]["change_pct"] == -29
    assert doc["synthetic"] is True  # the sample is never taken for data
    assert doc["caveats"][0].startswith("SYNTHETIC DATA: these figures come from the built-in")
    assert "  SYNTHETIC DATA: these figures come from the built-in synthetic sample" in first.stdout
    assert len(doc["figures"]) == 3 * (1 + 12 + 32)

    landing = warehouse / "landing"
    write_extract(landing, "2021-12-07", [crime("N1", recorded_date="2021-11-20")], [victim("N1")])
    second = figures("run", warehouse=warehouse)
    assert second.returncode == 0, second.stderr
    assert "published/2021-12-07/statement-ytd-2021-11-vs-2019" in second.stdout
    assert "synthetic sample" not in second.stderr  # data is there: --sample is not needed
    assert sorted(p.name for p in landing.iterdir()) == []
    new_doc = json.loads(Path(second.stdout.strip().splitlines()[-1]).read_text())
    new_london = {f["measure"]: f for f in new_doc["figures"] if f["area_code"] == "MPS"}
    assert new_london["knife_crime"]["count"] == london["knife_crime"]["count"] + 1


def test_a_refused_file_ends_the_run_with_one_line_and_a_non_zero_exit(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    crimes_csv, _ = write_extract(landing, "2021-12-06", [crime("C1")])
    crimes_csv.write_text(crimes_csv.read_text().replace("knife_flag", "knife"))
    result = figures("run", "--landing", str(landing), warehouse=tmp_path / "warehouse")
    assert result.returncode == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("figures: error:")]
    assert len(errors) == 1
    assert errors[0].startswith("figures: error: crimes_2021-12-06.csv: columns: missing column(s)")
    assert "Traceback" not in result.stderr


def test_a_night_with_rejected_rows_is_skipped_and_the_next_night_published(
    tmp_path: Path,
) -> None:
    landing = tmp_path / "landing"
    write_extract(landing, "2021-12-06", [crime("C1")])
    write_extract(landing, "2021-12-07", [crime("C2", status="open")])  # rejected
    write_extract(landing, "2021-12-08", [crime("C2")])  # the correction
    done = figures("run", "--landing", str(landing), warehouse=tmp_path / "wh")
    assert done.returncode == 0, done.stderr
    assert "night 2/3 2021-12-07: " in done.stderr
    assert "rejected rows" in done.stderr
    assert (
        done.stdout.strip()
        .splitlines()[-1]
        .startswith(str(tmp_path / "wh" / "published" / "2021-12-08"))
    )


def test_a_dashboard_file_in_landing_is_ingested_and_published_by_the_nightly_run(
    tmp_path: Path,
) -> None:
    from tests.support.dashboards import borough_row, write_dashboard

    landing = tmp_path / "landing"
    landing.mkdir()
    months = {"2024-05": 20, "2025-05": 15}
    rows = [borough_row(m, "Westminster", n, "2025-06-10") for m, n in months.items()]
    dashboard = write_dashboard(landing / "MPS_MonthlyCrimeDashboard.csv", rows)
    done = figures("run", "--landing", str(landing), warehouse=tmp_path / "wh")
    assert done.returncode == 0, done.stderr
    assert not dashboard.exists()  # ingested, kept in the archive
    folder = Path(done.stdout.strip().splitlines()[-1]).parent
    assert folder.parent.name == "2025-06-10"
    assert folder.name.startswith("mps-dashboard-statement-ytd-2025-05")
    doc = json.loads((folder / "figures.json").read_bytes())
    assert doc["source"] == "mps-dashboard"


def test_a_new_warehouse_gets_the_sample_only_when_asked(tmp_path: Path) -> None:
    done = figures("run", warehouse=tmp_path / "warehouse")
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-2:-1] == [
        "figures: error: no incidents data loaded: run `figures ingest FILE...` or "
        "`figures run` first"
    ]
    assert not list((tmp_path / "warehouse" / "landing").iterdir())
    assert not (tmp_path / "warehouse" / "archive").exists()


def test_the_sample_is_never_landed_on_a_warehouse_with_a_real_signing_key(
    tmp_path: Path,
) -> None:
    key = tmp_path / "keys" / "figures.key"
    assert figures("keygen", "--out", str(key.parent), warehouse=tmp_path / "w").returncode == 0
    done = figures(
        "run", "--sample", warehouse=tmp_path / "warehouse", env={"FIGURES_SIGNING_KEY": str(key)}
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1] == (
        "figures: error: no synthetic data under a real key: --sample lands synthetic data, and "
        "FIGURES_SIGNING_KEY names a real signing key: synthetic figures are never signed with "
        "a real key (unset it to try the sample)"
    )
    assert not (tmp_path / "warehouse" / "landing").exists()


def test_entries_of_landing_not_taken_are_named_left_in_place_and_the_run_exits_4(
    tmp_path: Path,
) -> None:
    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse"
    write_extract(landing, "2021-12-06", [crime("C1")], [victim("C1")])
    secret = tmp_path / "elsewhere" / "private.csv"
    secret.parent.mkdir()
    secret.write_text("Month_Year,Area Type,do-not-disclose-4f1c\nprivate,line,7\n")
    secret.chmod(0o600)
    before = secret.stat()
    (landing / "crimes_2021-12-07.csv").symlink_to(secret)
    (landing / "folder").mkdir()
    os.mkfifo(landing / "pipe.csv")
    (landing / "victims_2021-12-08.csv\n").write_text("crime_ref\n")
    (landing / "\u0441rimes_2021-12-09.csv").write_text("crime_ref\n")
    (landing / "CRIMES_2021-12-10.CSV").write_text("crime_ref\n")
    (landing / "notes.txt").write_text("not data\n")
    refused = sorted(p.name for p in landing.iterdir() if "2021-12-06" not in p.name)

    done = figures("run", "--landing", str(landing), warehouse=warehouse)

    assert done.returncode == 4, done.stderr
    stdout_lines = done.stdout.strip().splitlines()
    assert stdout_lines[-1] == str(
        warehouse / "published/2021-12-06/statement-ytd-2021-11-vs-2019/figures.json"
    )
    regular = "only regular files are taken"
    printed = [line for line in done.stderr.splitlines() if line.startswith("landing: ")]
    assert printed == [
        "landing: CRIMES_2021-12-10.CSV: not taken: looks like an incident extract but is not "
        "named exactly crimes_YYYY-MM-DD.csv or victims_YYYY-MM-DD.csv, .csv.gz or .parquet",
        "landing: crimes_2021-12-07.csv: not taken: "
        "a symbolic link: links are never followed out of landing",
        f"landing: folder: not taken: not a regular file (a folder): {regular}",
        "landing: notes.txt: not taken: not a Monthly Crime Dashboard file (its columns) nor "
        "an incident extract (crimes_YYYY-MM-DD.csv or victims_YYYY-MM-DD.csv, .csv.gz or "
        ".parquet)",
        f"landing: pipe.csv: not taken: not a regular file (a FIFO): {regular}",
        "landing: victims_2021-12-08.csv\\n: not taken: "
        "names with control characters or whitespace are refused",
        "landing: \u0441rimes_2021-12-09.csv: not taken: "
        "names with non-ASCII characters are refused (letters that only look alike)",
        f"landing: 7 entries not taken, left in {landing}",
    ]
    assert "WARNING" in done.stderr and "landing: pipe.csv: not taken" in done.stderr  # logged
    assert "Traceback" not in done.stderr
    assert sorted(p.name for p in landing.iterdir()) == refused  # only the extract was taken
    for output in (done.stdout, done.stderr):
        assert "do-not-disclose" not in output and "private" not in output
    after = secret.stat()
    assert (after.st_mode, after.st_mtime_ns, after.st_ino) == (
        before.st_mode,
        before.st_mtime_ns,
        before.st_ino,
    )
    archived = list((warehouse / "archive").rglob("*"))
    assert archived and all(
        b"do-not-disclose" not in p.read_bytes() for p in archived if p.is_file()
    )
    assert all(p.stat().st_ino != before.st_ino for p in archived)
    assert not any("2021-12-07" in p.name for p in archived)


def test_a_night_whose_headline_moves_too_far_is_published_flagged_and_exits_5(
    tmp_path: Path,
) -> None:
    warehouse, landing = tmp_path / "warehouse", tmp_path / "landing"
    baseline = [crime(f"B{i}", recorded_date="2019-03-01") for i in range(20)]
    write_extract(landing, "2021-12-06", baseline + [crime(f"C{i}") for i in range(15)])
    assert figures("run", "--landing", str(landing), warehouse=warehouse).returncode == 0
    cancelled = [crime(f"C{i}", status="cancelled") for i in range(5)]  # -25 to -50 per cent
    write_extract(landing, "2021-12-07", cancelled)
    done = figures("run", "--landing", str(landing), warehouse=warehouse)
    assert done.returncode == 5, done.stderr
    assert (
        "flagged: Knife crime: -25.00 per cent in the previous publication, now -50.00: a move "
        "of 25.00 points"
    ) in done.stdout.splitlines()
    assert (
        done.stdout.strip()
        .splitlines()[-1]
        .endswith("2021-12-07/statement-ytd-2021-11-vs-2019/figures.json")
    )


def test_an_unexpected_error_inside_the_flow_is_one_line_without_a_traceback(
    tmp_path: Path,
) -> None:
    warehouse = tmp_path / "warehouse"
    warehouse.mkdir()
    (warehouse / "published").write_text("a file where the published folder goes\n")
    result = figures("run", "--sample", warehouse=warehouse)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("figures:")]
    assert errors == [
        f"figures: internal error: NotADirectoryError: [Errno 20] Not a directory: "
        f"'{warehouse / 'published' / '2021-12-06'}' (set FIGURES_DEBUG=1 to see where)"
    ]
    debug = figures("run", warehouse=warehouse, env={"FIGURES_DEBUG": "1"})
    assert "Traceback" in debug.stderr
