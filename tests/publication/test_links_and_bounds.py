"""Every file read from a publication or a key path: never through a link, never a FIFO or a
device, never more than its bound; each refused in one line that shows no content."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from statement_figures.bounded import read_bounded
from statement_figures.cli import main
from statement_figures.cli.base import EXIT_ERROR
from statement_figures.config import Settings
from statement_figures.domain.errors import FiguresError
from statement_figures.publication.signing import KEY_FILE_LIMIT
from tests.support.cli import run
from tests.support.processes import command, environment
from tests.support.snapshots import snapshot

pytestmark = pytest.mark.fault  # the fault suite: `pytest -m fault`


def refusal(
    warehouse: Path, folder: Path, capsys: pytest.CaptureFixture[str], *args: str
) -> list[str]:
    """The error lines of a command that must fail (exit 2, nothing on stdout) and leave the
    publication folder exactly as it was."""
    before = snapshot(folder)
    code, out, err = run(warehouse, capsys, *args)
    assert (code, out) == (EXIT_ERROR, "")
    assert snapshot(folder) == before
    return err.splitlines()


def replace_with_link(path: Path, target: Path) -> None:
    path.unlink()
    path.symlink_to(target)


@pytest.mark.parametrize("command_name", ["show", "verify"])
def test_a_figures_pub_linked_to_dev_zero_is_refused_in_one_line(
    settings: Settings, published: Path, capsys: pytest.CaptureFixture[str], command_name: str
) -> None:
    public_key = published / "figures.pub"
    replace_with_link(public_key, Path("/dev/zero"))
    args = [command_name, str(published / "figures.json"), "--public-key", str(public_key)]
    assert refusal(settings.warehouse, published, capsys, *args) == [
        f"figures: error: public key {public_key}: is a symbolic link: not followed"
    ]


def test_a_minisig_linked_elsewhere_is_not_followed(
    settings: Settings, published: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    signature = published / "figures.json.minisig"
    elsewhere = shutil.copyfile(signature, tmp_path / "elsewhere.minisig")
    replace_with_link(signature, elsewhere)
    assert refusal(settings.warehouse, published, capsys, "show", str(published)) == [
        f"figures: error: signature {signature}: is a symbolic link: not followed"
    ]


@pytest.mark.parametrize("command_name", ["show", "verify"])
def test_a_figures_json_that_is_a_link_is_not_followed(
    settings: Settings,
    published: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    command_name: str,
) -> None:
    figures_json = published / "figures.json"
    elsewhere = shutil.copyfile(figures_json, tmp_path / "elsewhere.json")
    replace_with_link(figures_json, elsewhere)
    assert refusal(settings.warehouse, published, capsys, command_name, str(figures_json)) == [
        f"figures: error: {figures_json}: is a symbolic link: not followed"
    ]


@pytest.mark.parametrize("command_name", ["show", "verify"])
def test_a_fifo_in_place_of_figures_json_is_refused_without_waiting_for_a_writer(
    settings: Settings, published: Path, command_name: str
) -> None:
    figures_json = published / "figures.json"
    figures_json.unlink()
    os.mkfifo(figures_json)
    before = snapshot(published)
    args = command(settings.warehouse, "-q", command_name, str(figures_json))
    done = subprocess.run(
        args, capture_output=True, text=True, env=environment(), timeout=60, check=False
    )
    assert (done.returncode, done.stdout) == (EXIT_ERROR, "")
    assert done.stderr.splitlines() == [f"figures: error: {figures_json}: is not a regular file"]
    assert snapshot(published) == before


def test_a_figures_pub_one_byte_over_its_bound_is_refused(
    settings: Settings, published: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    public_key = published / "figures.pub"
    public_key.write_bytes(public_key.read_bytes().ljust(KEY_FILE_LIMIT + 1, b"\n"))
    assert refusal(settings.warehouse, published, capsys, "show", str(published)) == [
        f"figures: error: public key {public_key}: is larger than 4096 bytes"
    ]


def test_a_file_of_exactly_its_bound_is_read_and_one_byte_more_is_not(tmp_path: Path) -> None:
    path = tmp_path / "file"
    path.write_bytes(b"x" * KEY_FILE_LIMIT)
    assert read_bounded(path, KEY_FILE_LIMIT) == b"x" * KEY_FILE_LIMIT
    path.write_bytes(b"x" * (KEY_FILE_LIMIT + 1))
    with pytest.raises(FiguresError) as error:
        read_bounded(path, KEY_FILE_LIMIT)
    assert str(error.value) == f"{path}: is larger than 4096 bytes"


def test_a_report_that_is_a_link_is_not_shown(
    settings: Settings, published: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = published / "report.html"
    elsewhere = shutil.copyfile(report, tmp_path / "elsewhere.html")
    replace_with_link(report, elsewhere)
    code, out, err = run(settings.warehouse, capsys, "show", str(published))
    assert (code, err) == (0, "")
    assert out.splitlines()[-2] == f"report: {report}: is a symbolic link: not followed: not shown"
    code, out, err = run(settings.warehouse, capsys, "verify", str(report))
    assert (code, out) == (EXIT_ERROR, "")
    assert err.splitlines() == [f"figures: error: {report}: is a symbolic link: not followed"]


def test_verify_of_a_report_refuses_a_figures_json_beside_it_that_is_a_link(
    settings: Settings, published: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    figures_json = published / "figures.json"
    elsewhere = shutil.copyfile(figures_json, tmp_path / "elsewhere.json")
    replace_with_link(figures_json, elsewhere)
    code, out, err = run(settings.warehouse, capsys, "verify", str(published / "report.html"))
    assert (code, out) == (EXIT_ERROR, "")
    assert err.splitlines() == [f"figures: error: {figures_json}: is a symbolic link: not followed"]


def test_a_latest_pointer_that_is_a_link_or_names_a_folder_outside_is_one_line(
    settings: Settings, published: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    latest = settings.published / "LATEST"
    latest.unlink()
    latest.symlink_to("/dev/zero")
    assert main(["--warehouse", str(settings.warehouse), "show"]) == 2
    assert capsys.readouterr().err.strip() == (
        f"figures: error: {latest}: is a symbolic link: not followed"
    )
    latest.unlink()
    latest.write_text("../../elsewhere\n")
    assert main(["--warehouse", str(settings.warehouse), "show"]) == 2
    assert capsys.readouterr().err.strip() == (
        f"figures: error: {latest}: is not one line naming a publication folder"
    )
