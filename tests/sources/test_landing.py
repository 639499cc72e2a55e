"""The landing folder as a boundary: every entry is taken by its source or not taken with the
rule it breaks, links are never followed, and only regular files with clean names are opened."""

from __future__ import annotations

import os
import socket
import threading
from pathlib import Path

import pytest

from statement_figures.domain.sources import DASHBOARD, INCIDENTS
from statement_figures.sources.detect import source_of
from statement_figures.sources.landing import Landing, landed_files
from tests.support.dashboards import borough_row, write_dashboard
from tests.support.extracts import crime, write_extract

pytestmark = pytest.mark.fault  # the fault suite: `pytest -m fault`

NEITHER = (
    "not a Monthly Crime Dashboard file (its columns) nor an incident extract "
    "(crimes_YYYY-MM-DD.csv or victims_YYYY-MM-DD.csv, .csv.gz or .parquet)"
)


def lines(found: Landing) -> list[str]:
    return [entry.line() for entry in found.refused]


def dashboard_file(path: Path) -> Path:
    return write_dashboard(path, [borough_row("2025-05", "Westminster", 3, "2025-06-10")])


def test_extract_files_and_a_dashboard_file_of_any_name_are_taken_by_source(
    tmp_path: Path,
) -> None:
    crimes_csv, victims_csv = write_extract(tmp_path, "2021-12-06", [crime("C1")])
    dashboard = dashboard_file(tmp_path / "MPS_MonthlyCrimeDashboard.csv")
    found = landed_files(tmp_path)
    assert found.files == {DASHBOARD: [dashboard], INCIDENTS: [crimes_csv, victims_csv]}
    assert found.refused == []


def test_a_symbolic_link_is_not_taken_and_its_target_never_read(tmp_path: Path) -> None:
    landing, elsewhere = tmp_path / "landing", tmp_path / "elsewhere"
    landing.mkdir()
    elsewhere.mkdir()
    secret = dashboard_file(elsewhere / "secret.csv")
    secret.chmod(0o600)
    (landing / "crimes_2021-12-06.csv").symlink_to(secret)
    (landing / "MPS.csv").symlink_to(secret)
    (landing / "gone.csv").symlink_to(elsewhere / "nothing-here.csv")
    found = landed_files(landing)
    assert found.files == {DASHBOARD: [], INCIDENTS: []}
    link = "a symbolic link: links are never followed out of landing"
    assert lines(found) == [
        f"landing: MPS.csv: not taken: {link}",
        f"landing: crimes_2021-12-06.csv: not taken: {link}",
        f"landing: gone.csv: not taken: {link}",
    ]


def test_a_folder_a_fifo_and_a_socket_are_not_taken_and_never_opened(tmp_path: Path) -> None:
    (tmp_path / "crimes_2021-12-06.csv").mkdir()
    os.mkfifo(tmp_path / "fifo.csv")  # opening it for reading would block: it must not be
    (tmp_path / "to-fifo.csv").symlink_to(tmp_path / "fifo.csv")
    with socket.socket(socket.AF_UNIX) as listening:
        listening.bind(str(tmp_path / "socket.csv"))
        found: list[Landing] = []
        looking = threading.Thread(target=lambda: found.append(landed_files(tmp_path)))
        looking.start()
        looking.join(timeout=10)
    assert not looking.is_alive(), "landed_files blocked on the FIFO"
    assert lines(found[0]) == [
        "landing: crimes_2021-12-06.csv: not taken: "
        "not a regular file (a folder): only regular files are taken",
        "landing: fifo.csv: not taken: not a regular file (a FIFO): only regular files are taken",
        "landing: socket.csv: not taken: "
        "not a regular file (a socket): only regular files are taken",
        "landing: to-fifo.csv: not taken: a symbolic link: links are never followed out of landing",
    ]


def test_names_with_control_characters_or_whitespace_are_not_taken_and_printed_escaped(
    tmp_path: Path,
) -> None:
    names = [
        "crimes_2021-12-06.csv\n",
        "crimes_2021-12-07.csv ",
        "victims\t2021-12-06.csv",
        "\x1b[2Jcrimes_2021-12-08.csv",
        "crimes_2021-12-09.csv\u00a0",
    ]
    for name in names:
        (tmp_path / name).write_text("crime_ref\n")
    dashboard_file(tmp_path / "MPS dashboard.csv")  # refused by its name, whatever it holds
    found = landed_files(tmp_path)
    assert found.files == {DASHBOARD: [], INCIDENTS: []}
    refused = "not taken: names with control characters or whitespace are refused"
    assert lines(found) == [
        f"landing: \\x1b[2Jcrimes_2021-12-08.csv: {refused}",
        f"landing: MPS dashboard.csv: {refused}",
        f"landing: crimes_2021-12-06.csv\\n: {refused}",
        f"landing: crimes_2021-12-07.csv : {refused}",
        f"landing: crimes_2021-12-09.csv\u00a0: {refused}",
        f"landing: victims\\t2021-12-06.csv: {refused}",
    ]


def test_a_name_with_look_alike_non_ascii_letters_is_not_taken(tmp_path: Path) -> None:
    crimes_csv = write_extract(tmp_path, "2021-12-06", [crime("C1")])[0]
    crimes_csv.rename(tmp_path / "\u0441rimes_2021-12-06.csv")  # a Cyrillic es
    dashboard_file(tmp_path / "Dashb\u043eard.csv")  # a Cyrillic o, dashboard columns
    found = landed_files(tmp_path)
    assert found.files[INCIDENTS] == [tmp_path / "victims_2021-12-06.csv"]
    assert found.files[DASHBOARD] == []
    refused = (
        "not taken: names with non-ASCII characters are refused (letters that only look alike)"
    )
    assert lines(found) == [
        f"landing: Dashb\u043eard.csv: {refused}",
        f"landing: \u0441rimes_2021-12-06.csv: {refused}",
    ]


def test_names_like_an_extract_in_another_letter_case_are_not_taken(tmp_path: Path) -> None:
    crimes_csv, victims_csv = write_extract(tmp_path, "2021-12-06", [crime("C1")])
    crimes_csv.rename(tmp_path / "CRIMES_2021-12-06.CSV")
    victims_csv.rename(tmp_path / "victims_2021-12-06.CSV")
    found = landed_files(tmp_path)
    assert found.files == {DASHBOARD: [], INCIDENTS: []}
    refused = (
        "not taken: looks like an incident extract but is not named exactly "
        "crimes_YYYY-MM-DD.csv or victims_YYYY-MM-DD.csv, .csv.gz or .parquet"
    )
    assert lines(found) == [
        f"landing: CRIMES_2021-12-06.CSV: {refused}",
        f"landing: victims_2021-12-06.CSV: {refused}",
    ]


def test_an_extract_name_whose_date_is_not_a_date_is_not_taken(tmp_path: Path) -> None:
    write_extract(tmp_path, "2021-02-30", [crime("C1")])
    found = landed_files(tmp_path)
    assert found.files[INCIDENTS] == []
    refused = "not taken: the date in an incident extract's name is not a date of the calendar"
    assert lines(found) == [
        f"landing: crimes_2021-02-30.csv: {refused}",
        f"landing: victims_2021-02-30.csv: {refused}",
    ]


def test_a_file_of_neither_source_is_not_taken(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("area,count\nLondon,3\n")
    (tmp_path / "crimes_2021-12-6.csv").write_text("crime_ref\n")
    (tmp_path / "empty.csv").write_bytes(b"")
    found = landed_files(tmp_path)
    assert found.files == {DASHBOARD: [], INCIDENTS: []}
    assert lines(found) == [
        f"landing: crimes_2021-12-6.csv: not taken: {NEITHER}",
        f"landing: empty.csv: not taken: {NEITHER}",
        f"landing: notes.txt: not taken: {NEITHER}",
    ]


def test_hidden_entries_are_left_alone_and_not_reported(tmp_path: Path) -> None:
    crimes_csv, victims_csv = write_extract(tmp_path, "2021-12-06", [crime("C1")])
    (tmp_path / ".crimes_2021-12-07.csv.partial").write_text("crime_ref\n")  # rsync, in progress
    (tmp_path / ".hidden-link").symlink_to(crimes_csv)
    (tmp_path / ".git").mkdir()
    found = landed_files(tmp_path)
    assert found.files == {DASHBOARD: [], INCIDENTS: [crimes_csv, victims_csv]}
    assert found.refused == []


def test_looking_at_landing_changes_nothing_in_it(tmp_path: Path) -> None:
    write_extract(tmp_path, "2021-12-06", [crime("C1")])
    (tmp_path / "notes.txt").write_text("x\n")
    (tmp_path / "link.csv").symlink_to(tmp_path / "notes.txt")
    before = {p.name: (p.lstat().st_mode, p.lstat().st_mtime_ns) for p in tmp_path.iterdir()}
    landed_files(tmp_path)
    after = {p.name: (p.lstat().st_mode, p.lstat().st_mtime_ns) for p in tmp_path.iterdir()}
    assert after == before


def test_a_dashboard_file_named_like_an_extract_is_taken_as_the_dashboard_it_is(
    tmp_path: Path,
) -> None:
    """One dispatcher, by content: what `figures ingest` takes as a dashboard file, landing
    takes as one too, whatever its name."""
    landing = tmp_path / "landing"
    named = write_dashboard(
        landing / "crimes_2025-07-10.csv", [borough_row("2025-05", "Camden", 3)]
    )
    found = landed_files(landing)
    assert (found.files[DASHBOARD], found.files[INCIDENTS], found.refused) == ([named], [], [])
    assert source_of(named) == DASHBOARD
