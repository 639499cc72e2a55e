"""`figures show`: a publication's sentences and table from its published files alone."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from statement_figures.cli.base import EXIT_ERROR
from statement_figures.config import Settings
from statement_figures.publication.publish import publish
from statement_figures.publication.show import WITHIN_NOTE
from statement_figures.publication.signing import generate_keypair, public_key_id
from tests.support.cli import run
from tests.support.keys import whole_key

SENTENCE = "  Knife crime decreased by 25 per cent."


def show(warehouse: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    return run(warehouse, capsys, "show", *args)


def test_show_prints_the_latest_publication_without_the_database(
    settings: Settings, published: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings.database.unlink()  # show reads published files only
    code, out, err = show(settings.warehouse, capsys)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[:2] == ["as of 2021-12-06", SENTENCE]
    assert "2021-01 to 2021-11 against 2019-01 to 2019-11, as of 2021-12-06" in lines
    # 15 against 20 is within natural variation (95% interval -64.27 to 54.11 per cent)
    assert "  London                          15        20      -5       -25%*" in lines
    assert WITHIN_NOTE in lines
    assert lines[-3:] == [
        f"signature: intact, but signed by {whole_key(published / 'figures.pub')}, this "
        "warehouse's DEMO key: for testing only, not for a public statement",
        f"report: {published / 'report.html'}",
        str(published / "figures.json"),
    ]
    assert not settings.database.exists()


@pytest.mark.parametrize("given", ["folder", "figures.json"])
def test_show_takes_a_publication_folder_or_its_figures_file(
    settings: Settings, published: Path, capsys: pytest.CaptureFixture[str], given: str
) -> None:
    path = published if given == "folder" else published / "figures.json"
    code, out, _ = show(settings.warehouse, capsys, str(path))
    assert code == 0
    assert SENTENCE in out.splitlines()
    assert out.splitlines()[-1] == str(published / "figures.json")


def test_show_json_has_the_sentences_figures_and_signature(
    settings: Settings, published: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = show(settings.warehouse, capsys, "--json")
    assert code == 0
    shown = json.loads(out)
    assert shown["headline_sentences"] == ["Knife crime decreased by 25 per cent"]
    assert shown["as_of"] == "2021-12-06"
    assert len(shown["figures"]) == 3 * (1 + 12 + 32)
    assert shown["report"] == str(published / "report.html")
    signature = shown["signature"]
    assert (signature["verified"], signature["signer"]) == (True, "demo")
    assert signature["key_id"] == public_key_id(published / "figures.pub")
    key_line = (published / "figures.pub").read_text().splitlines()[1]
    assert signature["public_key_base64"] == key_line
    assert shown["report_line"] == str(published / "report.html")
    assert signature["trusted_comment"].startswith("as_of=2021-12-06 sha256=")


def test_a_copy_elsewhere_is_intact_but_its_signer_unknown(
    published: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = shutil.copytree(published, tmp_path / "received")
    code, out, _ = show(tmp_path / "other-warehouse", capsys, str(copy))
    assert code == 0
    assert (
        "signature: intact: figures.json is unchanged since it was signed by "
        f"{whole_key(copy / 'figures.pub')}; the figures.pub beside it cannot prove who that "
        "was, so compare this whole public key with the publisher's, never just the key ID "
        "(anyone can give their own key that ID), or pass theirs with --public-key"
    ) in out.splitlines()


def test_the_publishers_public_key_proves_who_signed(
    published: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    theirs = shutil.copyfile(published / "figures.pub", tmp_path / "publisher.pub")
    args = (str(published), "--public-key", str(theirs))
    code, out, _ = show(tmp_path / "other-warehouse", capsys, *args)
    assert code == 0
    assert f"signature: genuine: signed by {whole_key(theirs)}, the one in {theirs}" in out


def test_a_publication_signed_with_the_warehouse_key_is_genuine(
    settings: Settings,
    published: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    secret, public = generate_keypair(tmp_path / "keys")
    monkeypatch.setenv("FIGURES_SIGNING_KEY", str(secret))
    signed = publish(Settings.load(settings.warehouse), out=tmp_path / "signed").folder
    code, out, _ = show(settings.warehouse, capsys, str(signed))
    assert code == 0
    assert f"signature: genuine: signed by {whole_key(public)}, this warehouse's signing key" in out


def test_a_changed_figures_file_is_refused_and_not_shown(
    settings: Settings, published: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    figures_json = published / "figures.json"
    figures_json.write_bytes(figures_json.read_bytes().replace(b"-25", b"-35", 1))
    code, out, err = show(settings.warehouse, capsys)
    assert (code, out) == (EXIT_ERROR, "")
    assert err.splitlines() == [
        f"figures: error: {figures_json} does not match its signature {figures_json}.minisig "
        f"with the public key {published / 'figures.pub'}: it was changed after it was signed, "
        "or signed with another key"
    ]


def test_show_before_anything_is_published_says_what_to_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    warehouse = tmp_path / "new"
    code, out, err = show(warehouse, capsys)
    assert (code, out) == (EXIT_ERROR, "")
    assert err.splitlines() == [
        f"figures: error: nothing published yet in {warehouse / 'published'}: run `figures run`"
    ]
    assert not warehouse.exists()


def test_show_a_path_that_does_not_exist_names_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "published" / "2021-12-06" / "nope"
    code, _, err = show(tmp_path / "wh", capsys, str(missing))
    assert code == EXIT_ERROR
    assert err.splitlines() == [
        f"figures: error: {missing}: no such publication (give a publication folder or its "
        "figures.json)"
    ]


def test_show_a_folder_without_figures_names_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = show(tmp_path / "wh", capsys, str(tmp_path))
    assert code == EXIT_ERROR
    assert err.splitlines() == [f"figures: error: {tmp_path}: no figures.json in this folder"]


def test_a_publication_without_its_signature_is_refused(
    settings: Settings, published: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    signature = published / "figures.json.minisig"
    signature.unlink()
    code, out, err = show(settings.warehouse, capsys, str(published))
    assert (code, out) == (EXIT_ERROR, "")
    assert err.splitlines() == [f"figures: error: signature file {signature} is missing"]
