"""A forged key or a report from another publication is never taken for the publisher's."""

from __future__ import annotations

import base64
import json
import shutil
from pathlib import Path

import pytest

from statement_figures.cli.base import EXIT_ERROR
from statement_figures.config import Settings
from statement_figures.domain.spec import DEFAULT_SPEC
from statement_figures.publication.publish import publish
from statement_figures.publication.signing import generate_keypair, public_key_id, sign_file
from tests.support.cli import run
from tests.support.keys import forge_public_key, whole_key, with_key_id
from tests.support.snapshots import snapshot

pytestmark = pytest.mark.fault  # the fault suite: `pytest -m fault`


def forged_copy(published: Path, tmp_path: Path) -> Path:
    """The publication with a changed figure, signed by a forger whose key carries the
    publisher's key ID, with the forger's key as its figures.pub."""
    forged = Path(shutil.copytree(published, tmp_path / "forged"))
    figures_json = forged / "figures.json"
    figures_json.write_bytes(figures_json.read_bytes().replace(b"by 25 per", b"by 90 per"))
    secret, public = generate_keypair(tmp_path / "forger")
    sign_file(figures_json, secret, "as_of=2021-12-06")
    real_id = base64.b64decode((published / "figures.pub").read_text().splitlines()[1])[2:10]
    shutil.copyfile(public, forged / "figures.pub")
    with_key_id(forged / "figures.pub", real_id)
    with_key_id(forged / "figures.json.minisig", real_id)
    return forged


def test_a_key_forged_with_the_publishers_key_id_does_not_verify_the_publishers_file(
    settings: Settings, published: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    forged = forge_public_key(published / "figures.pub", tmp_path / "forged.pub")
    assert public_key_id(forged) == public_key_id(published / "figures.pub")
    before = snapshot(published)
    figures_json = published / "figures.json"
    code, out, err = run(
        settings.warehouse, capsys, "verify", str(figures_json), "--public-key", str(forged)
    )
    assert (code, out) == (EXIT_ERROR, "")
    assert err.splitlines() == [
        f"figures: error: {figures_json} does not match its signature {figures_json}.minisig "
        f"with the public key {forged}: it was changed after it was signed, or signed with "
        "another key"
    ]
    assert snapshot(published) == before


def test_show_names_a_forgers_key_whole_and_does_not_call_it_the_publishers(
    settings: Settings, published: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    forged = forged_copy(published, tmp_path)
    assert public_key_id(forged / "figures.pub") == public_key_id(published / "figures.pub")
    before = snapshot(forged)
    code, out, _ = run(settings.warehouse, capsys, "show", str(forged))
    assert code == 0
    [signature] = [line for line in out.splitlines() if line.startswith("signature:")]
    assert signature == (
        "signature: intact: figures.json is unchanged since it was signed by "
        f"{whole_key(forged / 'figures.pub')}; the figures.pub beside it cannot prove who that "
        "was, so compare this whole public key with the publisher's, never just the key ID "
        "(anyone can give their own key that ID), or pass theirs with --public-key"
    )
    assert whole_key(forged / "figures.pub") != whole_key(published / "figures.pub")
    assert snapshot(forged) == before


def test_show_with_the_publishers_key_refuses_the_forged_copy(
    settings: Settings, published: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    forged = forged_copy(published, tmp_path)
    theirs = published / "figures.pub"
    code, out, err = run(
        settings.warehouse, capsys, "show", str(forged), "--public-key", str(theirs)
    )
    figures_json = forged / "figures.json"
    assert (code, out) == (EXIT_ERROR, "")
    assert err.splitlines() == [
        f"figures: error: {figures_json} does not match its signature {figures_json}.minisig "
        f"with the public key {theirs}: it was changed after it was signed, or signed with "
        "another key"
    ]


def test_show_json_and_verify_give_the_whole_public_key(
    settings: Settings, published: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key_line = (published / "figures.pub").read_text().splitlines()[1]
    code, out, _ = run(settings.warehouse, capsys, "show", "--json")
    assert code == 0
    assert json.loads(out)["signature"]["public_key_base64"] == key_line
    code, out, _ = run(settings.warehouse, capsys, "verify", str(published / "figures.json"))
    assert code == 0
    assert out.splitlines()[1] == (
        f"signed by public key {key_line} (key ID {public_key_id(published / 'figures.pub')}): "
        "compare this whole key with the publisher's, never just the ID"
    )


def test_the_report_gives_the_whole_public_key(published: Path) -> None:
    key_line = (published / "figures.pub").read_text().splitlines()[1]
    page = (published / "report.html").read_text()
    assert f'<code id="public-key">{key_line}</code> (DEMO key: for testing only)' in page


@pytest.fixture
def other_report(settings: Settings, published: Path, tmp_path: Path) -> Path:
    """Another publication's report (and its signature, same key) put beside figures.json."""
    other = publish(settings, spec=DEFAULT_SPEC.with_overrides(min_base=1), out=tmp_path / "o")
    for name in ("report.html", "report.html.minisig"):
        shutil.copyfile(other.folder / name, published / name)
    return published / "report.html"


def test_another_publications_report_beside_a_figures_file_is_not_shown(
    settings: Settings, published: Path, other_report: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot(published)
    code, out, _ = run(settings.warehouse, capsys, "show")
    assert code == 0
    assert out.splitlines()[-2] == (
        "report: report.html beside it is not this publication's report (its figures sha256 "
        "differs): not shown"
    )
    code, out, _ = run(settings.warehouse, capsys, "show", "--json")
    shown = json.loads(out)
    assert shown["report"] is None
    assert shown["report_line"].startswith("report.html beside it is not this publication's")
    assert snapshot(published) == before


def test_verify_refuses_another_publications_report_beside_a_figures_file(
    settings: Settings, published: Path, other_report: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot(published)
    code, out, err = run(settings.warehouse, capsys, "verify", str(other_report))
    assert (code, out) == (EXIT_ERROR, "")
    assert err.splitlines() == [
        f"figures: error: {other_report}: is not the report of the figures.json beside it "
        "(its figures sha256 differs)"
    ]
    assert snapshot(published) == before


def test_a_report_that_names_no_figures_sha256_is_not_shown(
    settings: Settings, published: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = published / "report.html"
    report.write_text(report.read_text().replace('id="sha256"', 'id="nothing"'))
    code, out, _ = run(settings.warehouse, capsys, "show")
    assert code == 0
    assert out.splitlines()[-2] == (
        "report: report.html beside it is not this publication's report (it names no figures "
        "sha256): not shown"
    )
