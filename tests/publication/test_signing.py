"""Signing publications: key pairs, minisign signatures, verification, the signing key."""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import re
import shutil
import stat
import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import minisign
import pytest

from statement_figures.cli import main
from statement_figures.domain.errors import FiguresError
from statement_figures.publication.signing import (
    SignatureError,
    SigningError,
    SigningKey,
    SigningKeyError,
    generate_keypair,
    load_secret_key,
    parse_trusted_comment,
    public_key_id,
    sign_file,
    trusted_comment,
    verify_file,
)
from tests.support.keys import whole_key

FIGURES = b'{"as_of":"2021-12-06","figures":[{"change_pct":-32,"measure":"knife_crime"}]}'


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _flip_one_byte(path: Path, offset: int = 10) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def _secret_key_line(secret_key: Path) -> str:
    """The base64 line that holds the key material."""
    return secret_key.read_text().splitlines()[1]


@pytest.fixture
def minisign_tool() -> str:
    """The real minisign binary (`make test` installs it)."""
    tool = shutil.which("minisign")
    if tool is None:
        pytest.fail("the minisign tool is not installed: `make test` installs it")
    return tool


@pytest.fixture
def keys(tmp_path: Path) -> tuple[Path, Path]:
    return generate_keypair(tmp_path / "keys")


@pytest.fixture
def figures(tmp_path: Path) -> Path:
    path = tmp_path / "published" / "figures.json"
    path.parent.mkdir()
    path.write_bytes(FIGURES)
    return path


@pytest.fixture
def comment(figures: Path) -> str:
    return trusted_comment("2021-12-06", _sha256(figures), "0.1.0", "run-42")


@pytest.fixture
def signed(figures: Path, keys: tuple[Path, Path], comment: str) -> Path:
    return sign_file(figures, keys[0], comment)


@pytest.fixture
def signing_log(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    caplog.set_level(logging.DEBUG, logger="statement_figures.publication.signing")
    yield caplog


# --- keygen ---------------------------------------------------------------------------------


def test_keygen_writes_a_secret_key_only_its_owner_can_read_and_a_public_key(
    tmp_path: Path,
) -> None:
    old_umask = os.umask(0)  # even a permissive umask must not widen the secret key
    try:
        secret, public = generate_keypair(tmp_path / "keys")
    finally:
        os.umask(old_umask)

    assert (secret.name, public.name) == ("figures.key", "figures.pub")
    assert _mode(secret) == 0o600
    assert public.read_text().startswith(
        f"untrusted comment: minisign public key {public_key_id(public)}\n"
    )


def test_keygen_writes_a_secret_key_without_a_password_for_unattended_signing(
    keys: tuple[Path, Path],
) -> None:
    with minisign.SecretKey.from_file(keys[0]) as secret_key:
        assert not secret_key.is_encrypted()


@pytest.mark.parametrize("existing", ["figures.key", "figures.pub"])
def test_keygen_refuses_to_overwrite_an_existing_key_file(tmp_path: Path, existing: str) -> None:
    (tmp_path / existing).write_text("keep me\n")

    with pytest.raises(SigningKeyError, match="refusing to overwrite existing key file") as err:
        generate_keypair(tmp_path)

    assert str(tmp_path / existing) in str(err.value)
    assert (tmp_path / existing).read_text() == "keep me\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [existing]


# --- the real minisign tool -----------------------------------------------------------------


def test_the_real_minisign_verifies_our_signature_and_prints_the_trusted_comment(
    minisign_tool: str, keys: tuple[Path, Path], figures: Path, signed: Path, comment: str
) -> None:
    result = subprocess.run(
        [minisign_tool, "-V", "-p", str(keys[1]), "-m", str(figures)],
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert f"Trusted comment: {comment}" in result.stdout


def test_our_signature_is_prehashed_so_minisign_accepts_it_when_it_requires_prehashing(
    minisign_tool: str, keys: tuple[Path, Path], figures: Path, signed: Path
) -> None:
    result = subprocess.run(
        [minisign_tool, "-V", "-H", "-p", str(keys[1]), "-m", str(figures)],
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stderr


def test_a_copy_with_one_byte_changed_is_rejected_by_minisign_and_by_verify_file(
    minisign_tool: str, tmp_path: Path, keys: tuple[Path, Path], figures: Path, signed: Path
) -> None:
    copy_dir = tmp_path / "copy"
    copy_dir.mkdir()
    copy = Path(shutil.copy(figures, copy_dir))
    shutil.copy(signed, copy_dir)
    _flip_one_byte(copy)

    result = subprocess.run(
        [minisign_tool, "-V", "-p", str(keys[1]), "-m", str(copy)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    with pytest.raises(SignatureError) as err:
        verify_file(copy, keys[1])
    assert str(err.value) == (
        f"{copy} does not match its signature {copy}.minisig with the public key {keys[1]}: "
        "it was changed after it was signed, or signed with another key"
    )


def test_the_real_minisign_signs_with_our_key_and_verify_file_accepts_it(
    minisign_tool: str, keys: tuple[Path, Path], figures: Path
) -> None:
    result = subprocess.run(
        [
            minisign_tool,
            "-S",
            "-W",
            "-s",
            str(keys[0]),
            "-t",
            "made by minisign",
            "-m",
            str(figures),
        ],
        capture_output=True,
        text=True,
        check=False,
        stdin=subprocess.DEVNULL,
    )

    assert result.returncode == 0, result.stderr
    assert verify_file(figures, keys[1]) == "made by minisign"


def test_a_file_the_minisign_tool_signed_with_its_own_trusted_comment_verifies(
    minisign_tool: str, keys: tuple[Path, Path], figures: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    signed = subprocess.run(
        [minisign_tool, "-S", "-s", str(keys[0]), "-m", str(figures)],
        capture_output=True,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    assert signed.returncode == 0, signed.stderr
    comment = verify_file(figures, keys[1])
    assert re.fullmatch(r"timestamp:\d+\tfile:figures\.json\thashed", comment)
    args = [
        "--warehouse",
        str(figures.parent),
        "verify",
        str(figures),
        "--public-key",
        str(keys[1]),
    ]
    assert main(args) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"genuine: {figures} was signed with the public key {keys[1]}",
        f"signed by {whole_key(keys[1])}: compare this whole key with the publisher's, never "
        "just the ID",
        "trusted comment: " + comment.replace("\t", "\\t"),
    ]


def test_key_ids_in_messages_are_the_ones_minisign_shows(
    minisign_tool: str, tmp_path: Path, figures: Path, signed: Path, keys: tuple[Path, Path]
) -> None:
    _, other_public = generate_keypair(tmp_path / "other")

    result = subprocess.run(
        [minisign_tool, "-V", "-p", str(other_public), "-m", str(figures)],
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode != 0
    shown = re.findall(r"key id .* is ([0-9A-F]{1,16})\n", result.stdout + result.stderr)
    assert shown == [public_key_id(keys[1]), public_key_id(other_public)]


def test_key_ids_are_shown_like_minisign_without_leading_zeros(
    minisign_tool: str, tmp_path: Path, keys: tuple[Path, Path], figures: Path, signed: Path
) -> None:
    key_id = bytes.fromhex("21436587a9cbed00")  # little-endian: 0x00EDCBA987654321
    public = tmp_path / "crafted.pub"
    encoded = base64.b64encode(b"Ed" + key_id + bytes(32)).decode()
    public.write_text(f"untrusted comment: crafted public key\n{encoded}\n")

    result = subprocess.run(
        [minisign_tool, "-V", "-p", str(public), "-m", str(figures)],
        capture_output=True,
        text=True,
        check=False,
    )

    assert "the key id in the public key is EDCBA987654321\n" in result.stdout + result.stderr
    assert public_key_id(public) == "EDCBA987654321"
    with pytest.raises(SignatureError, match=r"\(key ID EDCBA987654321\): the signature"):
        verify_file(figures, public)


def test_the_real_minisign_rejects_a_modified_trusted_comment(
    minisign_tool: str, keys: tuple[Path, Path], figures: Path, signed: Path
) -> None:
    signed.write_text(signed.read_text().replace("run=run-42", "run=run-43"))

    result = subprocess.run(
        [minisign_tool, "-V", "-p", str(keys[1]), "-m", str(figures)],
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode != 0


# --- verify_file ----------------------------------------------------------------------------


def test_verify_file_returns_the_trusted_comment_of_a_file_we_signed(
    keys: tuple[Path, Path], figures: Path, signed: Path, comment: str
) -> None:
    assert signed == figures.with_name("figures.json.minisig")
    assert verify_file(figures, keys[1]) == comment
    assert verify_file(figures, keys[1], signature=signed) == comment


def test_verify_file_rejects_a_file_changed_by_one_byte(
    keys: tuple[Path, Path], figures: Path, signed: Path
) -> None:
    _flip_one_byte(figures)

    with pytest.raises(SignatureError, match="was changed after it was signed"):
        verify_file(figures, keys[1])


def test_verify_file_rejects_a_missing_signature(keys: tuple[Path, Path], figures: Path) -> None:
    with pytest.raises(SignatureError) as err:
        verify_file(figures, keys[1])

    assert str(err.value) == f"signature file {figures}.minisig is missing"


def test_verify_file_rejects_a_malformed_signature(
    keys: tuple[Path, Path], figures: Path, signed: Path
) -> None:
    signed.write_bytes(b"this is not\x00a signature\n")

    with pytest.raises(SignatureError) as err:
        verify_file(figures, keys[1])

    assert str(err.value).startswith(f"signature {signed} is malformed (")
    assert str(err.value).endswith("); expected a minisign signature file")


def test_verify_file_rejects_a_malformed_public_key(
    tmp_path: Path, figures: Path, signed: Path
) -> None:
    public = tmp_path / "broken.pub"
    public.write_text("untrusted comment: minisign public key\nnot-base64!\n")

    with pytest.raises(SignatureError) as err:
        verify_file(figures, public)

    assert str(err.value) == (
        f"public key {public} is malformed (invalid base64 encoding); "
        "expected a minisign public key file"
    )


def test_verify_file_rejects_another_key_pairs_public_key_naming_both_key_ids(
    tmp_path: Path, keys: tuple[Path, Path], figures: Path, signed: Path
) -> None:
    _, other_public = generate_keypair(tmp_path / "other")

    with pytest.raises(SignatureError) as err:
        verify_file(figures, other_public)

    assert str(err.value) == (
        f"{signed} was not made with the key in {other_public}, {whole_key(other_public)}: "
        f"the signature names key ID {public_key_id(keys[1])}"
    )


@pytest.mark.parametrize(
    ("field", "forged"),
    [("run=run-42", "run=run-43"), ("as_of=2021-12-06", "as_of=2022-12-06")],
)
def test_verify_file_rejects_a_modified_trusted_comment(
    keys: tuple[Path, Path], figures: Path, signed: Path, field: str, forged: str
) -> None:
    signed.write_text(signed.read_text().replace(field, forged))

    with pytest.raises(SignatureError) as err:
        verify_file(figures, keys[1])

    assert str(err.value) == (
        f"{signed} was altered: its trusted comment does not match its global signature"
    )


def test_verify_file_rejects_a_signature_whose_trusted_comment_names_another_sha256(
    keys: tuple[Path, Path], figures: Path
) -> None:
    wrong = "0" * 64
    sign_file(figures, keys[0], trusted_comment("2021-12-06", wrong, "0.1.0", "run-42"))

    with pytest.raises(SignatureError) as err:
        verify_file(figures, keys[1])

    assert str(err.value) == (
        f"{figures} has sha256 {_sha256(figures)} "
        f"but its signed trusted comment says sha256={wrong}"
    )


def test_verify_file_errors_are_one_line_project_errors(
    tmp_path: Path, keys: tuple[Path, Path], figures: Path
) -> None:
    with pytest.raises(FiguresError) as err:
        verify_file(figures, tmp_path / "absent.pub")

    assert str(err.value) == f"public key {tmp_path / 'absent.pub'} does not exist"
    assert "\n" not in str(err.value)


# --- sign_file ------------------------------------------------------------------------------


def test_sign_file_replaces_an_old_signature_and_leaves_no_temporary_file(
    keys: tuple[Path, Path], figures: Path, signed: Path
) -> None:
    newer = trusted_comment("2021-12-07", _sha256(figures), "0.1.0", "run-43")

    sign_file(figures, keys[0], newer)

    assert sorted(p.name for p in figures.parent.iterdir()) == [
        "figures.json",
        "figures.json.minisig",
    ]
    assert signed.read_text().startswith("untrusted comment: signature from statement-figures\n")
    assert verify_file(figures, keys[1]) == newer


def test_sign_file_refuses_a_file_that_does_not_exist(
    tmp_path: Path, keys: tuple[Path, Path]
) -> None:
    missing = tmp_path / "figures.json"

    with pytest.raises(SigningError) as err:
        sign_file(missing, keys[0], "as_of=2021-12-06")

    assert str(err.value) == f"cannot sign {missing}: it does not exist or is not a file"


def test_sign_file_refuses_a_password_protected_key(tmp_path: Path, figures: Path) -> None:
    secret = tmp_path / "locked.key"
    with minisign.KeyPair.generate().secret_key as key:
        key.encrypt("password", opslimit=32768, memlimit=1 << 20)
        secret.write_bytes(bytes(key) + b"\n")
    secret.chmod(0o600)

    with pytest.raises(SigningKeyError) as err:
        sign_file(figures, secret, "as_of=2021-12-06")

    assert str(err.value) == (
        f"signing key {secret} is protected by a password, but signing runs unattended; "
        f"remove the password with `minisign -C -W -s {secret}`"
    )


# --- load_secret_key ------------------------------------------------------------------------


def test_load_secret_key_uses_the_key_named_by_the_environment(
    tmp_path: Path, keys: tuple[Path, Path], signing_log: pytest.LogCaptureFixture
) -> None:
    key = load_secret_key(str(keys[0]), tmp_path / "warehouse")

    assert key == SigningKey(path=keys[0], public_key=keys[1], is_demo=False)
    assert not [r for r in signing_log.records if r.levelno >= logging.WARNING]
    assert not (tmp_path / "warehouse").exists()


def test_load_secret_key_refuses_a_key_file_others_can_read(
    tmp_path: Path, keys: tuple[Path, Path]
) -> None:
    keys[0].chmod(0o644)

    with pytest.raises(SigningKeyError) as err:
        load_secret_key(str(keys[0]), tmp_path / "warehouse")

    assert str(err.value) == (
        f"signing key {keys[0]} is readable or writable by group or others (mode 0644); "
        f"restrict it with `chmod 600 {keys[0]}`"
    )


def test_load_secret_key_refuses_a_key_file_that_does_not_exist(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "figures.key"

    with pytest.raises(SigningKeyError, match=re.escape(f"signing key {missing} does not exist")):
        load_secret_key(str(missing), tmp_path / "warehouse")


def test_load_secret_key_expects_the_public_key_beside_the_secret_key(
    tmp_path: Path, keys: tuple[Path, Path]
) -> None:
    keys[1].unlink()

    with pytest.raises(SigningKeyError) as err:
        load_secret_key(str(keys[0]), tmp_path / "warehouse")

    assert str(err.value) == (
        f"public key {keys[1]} not found beside signing key {keys[0]}; "
        f"recreate it with `minisign -R -s {keys[0]} -p {keys[1]}`"
    )


def test_load_secret_key_refuses_a_public_key_of_another_pair(
    tmp_path: Path, keys: tuple[Path, Path]
) -> None:
    _, other_public = generate_keypair(tmp_path / "other")
    shutil.copy(other_public, keys[1])

    with pytest.raises(SigningKeyError, match="does not belong to signing key"):
        load_secret_key(str(keys[0]), tmp_path / "warehouse")


def test_without_a_key_a_demo_key_is_created_once_and_reused(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse"

    first = load_secret_key(None, warehouse)
    content = first.path.read_bytes()
    second = load_secret_key(None, warehouse)

    demo = warehouse / "keys" / "demo"
    assert (
        first
        == second
        == SigningKey(path=demo / "figures.key", public_key=demo / "figures.pub", is_demo=True)
    )
    assert second.path.read_bytes() == content
    assert _mode(first.path) == 0o600
    assert sorted(p.name for p in (warehouse / "keys").iterdir()) == ["demo"]


def test_runs_that_start_together_share_one_demo_key(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse"

    with ThreadPoolExecutor(max_workers=8) as pool:
        loaded = list(pool.map(lambda _: load_secret_key(None, warehouse), range(8)))

    assert len({key.path.read_bytes() for key in loaded}) == 1
    assert sorted(p.name for p in (warehouse / "keys").iterdir()) == ["demo"]
    assert sorted(p.name for p in (warehouse / "keys" / "demo").iterdir()) == [
        "figures.key",
        "figures.pub",
    ]


def test_a_demo_key_folder_without_its_key_is_reported_not_overwritten(tmp_path: Path) -> None:
    demo = tmp_path / "warehouse" / "keys" / "demo"
    demo.mkdir(parents=True)
    (demo / "notes.txt").write_text("someone else's file\n")

    with pytest.raises(SigningKeyError) as err:
        load_secret_key(None, tmp_path / "warehouse")

    assert str(err.value) == (
        f"demo key folder {demo} exists without figures.key; "
        "remove the folder to have a new demo key created"
    )
    assert sorted(p.name for p in demo.parent.iterdir()) == ["demo"]


def test_the_demo_key_comes_with_a_loud_warning_and_its_secret_is_never_logged(
    tmp_path: Path, figures: Path, signing_log: pytest.LogCaptureFixture
) -> None:
    key = load_secret_key(None, tmp_path / "warehouse")
    signature = sign_file(figures, key.path, "as_of=2021-12-06")
    verify_file(figures, key.public_key, signature)
    load_secret_key(None, tmp_path / "warehouse")

    warnings = [r.getMessage() for r in signing_log.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2
    assert "DEMO KEY" in warnings[0]
    assert "for testing only" in warnings[0]
    assert "FIGURES_SIGNING_KEY" in warnings[0]
    secret_line = _secret_key_line(key.path)
    assert secret_line not in signing_log.text
    assert secret_line[40:80] not in signing_log.text


def test_a_demo_key_signs_files_that_the_real_minisign_verifies(
    minisign_tool: str, tmp_path: Path, figures: Path, comment: str
) -> None:
    key = load_secret_key(None, tmp_path / "warehouse")
    sign_file(figures, key.path, comment)

    result = subprocess.run(
        [minisign_tool, "-V", "-p", str(key.public_key), "-m", str(figures)],
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stderr


# --- trusted comments -----------------------------------------------------------------------


def test_trusted_comment_is_one_line_naming_as_of_sha256_code_version_and_run() -> None:
    sha = "ab" * 32

    text = trusted_comment("2021-12-06", sha, "0.1.0+g1a2b3c", "nightly-2021-12-06")

    assert (
        text == f"as_of=2021-12-06 sha256={sha} code_version=0.1.0+g1a2b3c run=nightly-2021-12-06"
    )


def test_parse_trusted_comment_inverts_trusted_comment() -> None:
    sha = "cd" * 32

    fields = parse_trusted_comment(trusted_comment("2021-12-06", sha, "0.1.0", "run-42"))

    assert fields == {
        "as_of": "2021-12-06",
        "sha256": sha,
        "code_version": "0.1.0",
        "run": "run-42",
    }


@pytest.mark.parametrize(
    ("as_of", "sha256", "message"),
    [
        ("2021-12-06", "AB" * 32, "sha256 must be 64 lowercase hex digits"),
        ("6 Dec 2021", "ab" * 32, "trusted comment value as_of='6 Dec 2021' must be printable"),
    ],
)
def test_trusted_comment_refuses_values_that_would_not_parse_back(
    as_of: str, sha256: str, message: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        trusted_comment(as_of, sha256, "0.1.0", "run-42")


def test_parse_trusted_comment_refuses_text_that_is_not_key_value_pairs() -> None:
    with pytest.raises(ValueError, match="is not key=value"):
        parse_trusted_comment("timestamp:1639000000\tfile:figures.json")
