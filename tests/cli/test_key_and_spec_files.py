"""Key and spec files the operator names: bounded, regular files; a secret key given as a
link (as deployments that mount secrets do) is followed, to a private regular file only."""

from __future__ import annotations

from pathlib import Path

import pytest

from statement_figures.cli.base import EXIT_ERROR
from statement_figures.config import SPEC_FILE_LIMIT, Settings
from statement_figures.publication.signing import generate_keypair
from tests.support.cli import run
from tests.support.keys import whole_key
from tests.support.snapshots import snapshot

pytestmark = pytest.mark.fault  # the fault suite: `pytest -m fault`


def test_a_secret_key_named_through_a_link_signs_and_show_calls_it_this_warehouses(
    settings: Settings,
    published: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    secret, public = generate_keypair(tmp_path / "real")
    mounted = tmp_path / "mounted"
    mounted.mkdir()
    (mounted / "figures.key").symlink_to(secret)
    (mounted / "figures.pub").write_bytes(public.read_bytes())
    monkeypatch.setenv("FIGURES_SIGNING_KEY", str(mounted / "figures.key"))
    code, _, _ = run(settings.warehouse, capsys, "publish", "--out", str(tmp_path / "signed"))
    assert code == 0
    code, out, _ = run(settings.warehouse, capsys, "show", str(tmp_path / "signed"))
    assert code == 0
    assert f"signature: genuine: signed by {whole_key(public)}, this warehouse's signing key" in (
        out.splitlines()
    )


def test_a_secret_key_linked_to_dev_zero_is_refused_in_one_line(
    settings: Settings,
    published: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    key = tmp_path / "figures.key"
    key.symlink_to("/dev/zero")
    monkeypatch.setenv("FIGURES_SIGNING_KEY", str(key))
    before = snapshot(settings.published)
    code, out, err = run(settings.warehouse, capsys, "publish")
    assert (code, out) == (EXIT_ERROR, "")
    assert err.splitlines()[-1] == f"figures: error: signing key {key}: is not a regular file"
    assert snapshot(settings.published) == before


def test_a_secret_key_over_its_bound_is_refused_without_showing_it(
    settings: Settings,
    published: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    secret, _ = generate_keypair(tmp_path / "keys")
    content = secret.read_bytes()
    secret.write_bytes(content.ljust(4097, b"\n"))
    monkeypatch.setenv("FIGURES_SIGNING_KEY", str(secret))
    code, out, err = run(settings.warehouse, capsys, "publish")
    assert (code, out) == (EXIT_ERROR, "")
    assert err.splitlines()[-1] == (
        f"figures: error: signing key {secret}: is larger than 4096 bytes"
    )
    assert content.splitlines()[1].decode() not in err


def test_a_spec_over_its_bound_is_refused(
    settings: Settings, published: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "huge.toml"
    spec.write_bytes(b"#" * (SPEC_FILE_LIMIT + 1))
    before = snapshot(settings.published)
    code, out, err = run(settings.warehouse, capsys, "publish", "--spec", str(spec))
    assert (code, out) == (EXIT_ERROR, "")
    assert err.splitlines() == [f"figures: error: {spec}: is larger than 1048576 bytes"]
    assert snapshot(settings.published) == before


def test_a_spec_that_is_a_link_is_not_followed(
    settings: Settings, published: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "spec.toml"
    spec.symlink_to(Path(__file__).parents[2] / "specs" / "december-2021.toml")
    code, out, err = run(settings.warehouse, capsys, "publish", "--spec", str(spec))
    assert (code, out) == (EXIT_ERROR, "")
    assert err.splitlines() == [f"figures: error: {spec}: is a symbolic link: not followed"]
