"""A publication is signed; the real minisign tool and `figures verify` both check it."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from statement_figures.cli import main
from statement_figures.cli.base import EXIT_ERROR
from statement_figures.config import Settings

needs_minisign = pytest.mark.skipif(
    shutil.which("minisign") is None and not os.environ.get("CI"),
    reason="the minisign tool is not installed (apt-get install minisign)",
)


@needs_minisign
def test_the_real_minisign_tool_verifies_a_publication(published: Path) -> None:
    result = subprocess.run(
        ["minisign", "-V", "-p", "figures.pub", "-m", "figures.json"],
        cwd=published,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "as_of=2021-12-06 sha256=" in result.stdout


@needs_minisign
def test_the_real_minisign_tool_rejects_a_tampered_copy(published: Path) -> None:
    figures_json = published / "figures.json"
    figures_json.write_bytes(figures_json.read_bytes().replace(b"-25", b"-35", 1))
    result = subprocess.run(
        ["minisign", "-V", "-p", "figures.pub", "-m", "figures.json"],
        cwd=published,
        capture_output=True,
        check=False,
    )
    assert result.returncode != 0


def test_figures_verify_prints_the_sentences_of_a_genuine_file(
    settings: Settings, published: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["--warehouse", str(settings.warehouse), "verify", str(published / "figures.json")])
    out, _ = capsys.readouterr()
    assert code == 0
    assert "as of 2021-12-06" in out
    assert "Knife crime decreased by 25 per cent." in out


def test_figures_verify_refuses_a_file_changed_by_one_byte(
    settings: Settings, published: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    figures_json = published / "figures.json"
    figures_json.write_bytes(figures_json.read_bytes().replace(b"-25", b"-35", 1))
    code = main(["--warehouse", str(settings.warehouse), "verify", str(figures_json)])
    _, err = capsys.readouterr()
    assert code == EXIT_ERROR
    assert err.strip().splitlines()[-1] == (
        f"figures: error: {figures_json} does not match its signature {figures_json}.minisig "
        f"with the public key {settings.warehouse / 'keys' / 'demo' / 'figures.pub'}: it was "
        "changed after it was signed, or signed with another key"
    )


def test_a_demo_signed_publication_is_replaced_once_a_real_key_signs_the_same_figures(
    settings: Settings, published: Path, tmp_path: Path
) -> None:
    from dataclasses import replace

    from statement_figures.publication.publish import publish
    from statement_figures.publication.signing import generate_keypair, verify_file

    demo_public_key = (published / "figures.pub").read_bytes()
    secret, public = generate_keypair(tmp_path / "keys")
    again = publish(replace(settings, signing_key=str(secret)))
    assert again.folder == published
    assert not again.unchanged
    assert (published / "figures.pub").read_bytes() == public.read_bytes() != demo_public_key
    verify_file(published / "figures.json", public)
    assert publish(replace(settings, signing_key=str(secret))).unchanged
