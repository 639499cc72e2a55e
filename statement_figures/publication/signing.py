"""Minisign signatures for published files: key pairs, signing, verification.

The format is that of the standard ``minisign`` tool (Ed25519, prehashed "ED" signatures), so
anyone can check a publication with ``minisign -V -p figures.pub -m figures.json``. Keys are
written by py-minisign without a password (``KDF_NONE``, like ``minisign -G -W``) because the
nightly job signs unattended; the secret key file's permissions are its only protection.

Nothing here prints, logs or returns the contents of a secret key.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import minisign
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from statement_figures.bounded import KIB, MIB, read_bounded, read_regular_file
from statement_figures.domain.errors import FiguresError

logger = logging.getLogger(__name__)
T = TypeVar("T")

SECRET_KEY_NAME = "figures.key"
PUBLIC_KEY_NAME = "figures.pub"
SIGNATURE_SUFFIX = ".minisig"
SIGNING_KEY_ENV = "FIGURES_SIGNING_KEY"
DEMO_KEY_DIR = Path("keys") / "demo"
UNTRUSTED_COMMENT = "signature from statement-figures"
TRUSTED_COMMENT_KEYS = ("as_of", "sha256", "code_version", "run")
KEY_FILE_LIMIT = 4 * KIB  # a minisign key file is about 100 (public) or 400 (secret) bytes
SIGNATURE_FILE_LIMIT = 4 * KIB  # a signature is about 300 bytes and a comment line
SIGNED_FILE_LIMIT = 64 * MIB  # a figures.json or report.html checked by verify_file

_SECRET_KEY_MODE = 0o600
_PUBLIC_FILE_MODE = 0o644
_ALG_LEN = 2
_KEY_ID_LEN = 8
_SHA256_HEX = re.compile(r"[0-9a-f]{64}")
_COMMENT_VALUE = re.compile(r"[!-~]+")  # printable ASCII without spaces


class SigningError(FiguresError):
    """A key or signature problem; the message is one line saying what and how to fix it."""


class SignatureError(SigningError):
    """A file is not genuine, or its signature or public key cannot be read."""


class SigningKeyError(SigningError):
    """A key file cannot be created or used for signing."""


@dataclass(frozen=True)
class Verified:
    """A file found genuine: its signature's trusted comment, and the one key that checked it
    (read once, so what is shown is the key that was used)."""

    trusted_comment: str
    public_key_base64: str
    key_id: str


@dataclass(frozen=True)
class SigningKey:
    """Where the secret key and its public key are; never the key material itself."""

    path: Path
    public_key: Path
    is_demo: bool


# --- trusted comments -----------------------------------------------------------------------


def trusted_comment(as_of: str, sha256: str, code_version: str, run_id: str) -> str:
    """The one-line trusted comment of a publication's signature."""
    if not _SHA256_HEX.fullmatch(sha256):
        raise ValueError(f"sha256 must be 64 lowercase hex digits, got {sha256!r}")
    values = (as_of, sha256, code_version, run_id)
    for key, value in zip(TRUSTED_COMMENT_KEYS, values, strict=True):
        if not _COMMENT_VALUE.fullmatch(value):
            raise ValueError(
                f"trusted comment value {key}={value!r} must be printable ASCII without spaces"
            )
    return " ".join(
        f"{key}={value}" for key, value in zip(TRUSTED_COMMENT_KEYS, values, strict=True)
    )


def parse_trusted_comment(text: str) -> dict[str, str]:
    """The fields of a trusted comment made by `trusted_comment`, keyed as in the text."""
    fields: dict[str, str] = {}
    for token in text.split(" "):
        key, sep, value = token.partition("=")
        if not sep or not key or not value:
            raise ValueError(f"trusted comment token {token!r} is not key=value")
        if key in fields:
            raise ValueError(f"trusted comment repeats {key!r}")
        fields[key] = value
    return fields


def trusted_fields(text: str) -> dict[str, str] | None:
    """The fields of one of our trusted comments; None for a comment of another shape (the
    `minisign` tool's own `timestamp:... file:... hashed`, or any other signer's)."""
    try:
        fields = parse_trusted_comment(text)
    except ValueError:
        return None
    return fields if set(TRUSTED_COMMENT_KEYS) <= set(fields) else None


# --- key pairs ------------------------------------------------------------------------------


def generate_keypair(out_dir: Path) -> tuple[Path, Path]:
    """Write a new unencrypted key pair `figures.key` (mode 0600) and `figures.pub`."""
    secret_path = out_dir / SECRET_KEY_NAME
    public_path = out_dir / PUBLIC_KEY_NAME
    for existing in (secret_path, public_path):
        if existing.exists() or existing.is_symlink():
            raise _refuse_to_overwrite(existing)
    out_dir.mkdir(parents=True, exist_ok=True)
    key_pair = minisign.KeyPair.generate()
    public_key = key_pair.public_key
    public_key.untrusted_comment = f"minisign public key {_public_key_id(public_key)}"
    with key_pair.secret_key as secret_key:
        _write_new_file(secret_path, bytes(secret_key) + b"\n", _SECRET_KEY_MODE)
    try:
        _write_new_file(public_path, bytes(public_key) + b"\n", _PUBLIC_FILE_MODE)
    except BaseException:
        secret_path.unlink(missing_ok=True)
        raise
    logger.info("wrote key pair %s and %s", secret_path, public_path)
    return secret_path, public_path


def _refuse_to_overwrite(path: Path) -> SigningKeyError:
    return SigningKeyError(
        f"refusing to overwrite existing key file {path}; move it away or choose another folder"
    )


def public_key_id(public_key: Path) -> str:
    """The key ID of a public key file as minisign shows it (upper-case hex, up to 16 digits)."""
    return _public_key_id(_read_public_key(public_key))


def load_secret_key(env_value: str | None, warehouse: Path) -> SigningKey:
    """The key named by FIGURES_SIGNING_KEY, else the warehouse's demo key (made on first use)."""
    if env_value:
        path = Path(env_value).expanduser()
        key = SigningKey(path=path, public_key=_public_key_beside(path), is_demo=False)
    else:
        key = _demo_key(warehouse)
        logger.warning(
            "SIGNING WITH THE DEMO KEY %s: signatures made with it are for testing only. "
            "Set %s to the path of a real secret key (create one with `figures keygen`).",
            key.path,
            SIGNING_KEY_ENV,
        )
    _check_key_pair(key)
    return key


def default_public_key(env_value: str | None, warehouse: Path) -> Path:
    """The public key of this warehouse's signer: beside FIGURES_SIGNING_KEY, else the demo's."""
    if env_value:
        return _public_key_beside(Path(env_value).expanduser())
    return warehouse / DEMO_KEY_DIR / PUBLIC_KEY_NAME


def _public_key_beside(secret_key: Path) -> Path:
    if secret_key.suffix == ".key":
        return secret_key.with_suffix(".pub")
    return secret_key.with_name(secret_key.name + ".pub")


def _demo_key(warehouse: Path) -> SigningKey:
    key_dir = warehouse / DEMO_KEY_DIR
    if not (key_dir / SECRET_KEY_NAME).exists():
        _create_demo_key_dir(key_dir)
    return SigningKey(
        path=key_dir / SECRET_KEY_NAME, public_key=key_dir / PUBLIC_KEY_NAME, is_demo=True
    )


def _create_demo_key_dir(key_dir: Path) -> None:
    """Make the demo key pair in a private temporary folder and move it into place whole.

    If another run got there first, its key pair wins and ours is discarded.
    """
    key_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".demo-", dir=key_dir.parent))  # mode 0700
    try:
        generate_keypair(staging)
        try:
            staging.rename(key_dir)
        except OSError:
            if (key_dir / SECRET_KEY_NAME).exists():
                return  # another run made it first: use theirs
            raise SigningKeyError(
                f"demo key folder {key_dir} exists without {SECRET_KEY_NAME}; "
                "remove the folder to have a new demo key created"
            ) from None
        logger.info("created a demo key pair in %s", key_dir)
    finally:
        if staging.exists():
            shutil.rmtree(staging)


def _read_secret_key_file(path: Path) -> bytes:
    """The secret key file's bytes, once it is known to be private.

    The operator's key path may be a symbolic link (deployments that mount secrets as links
    do so), so it is followed; what it leads to must be a regular file of at most
    KEY_FILE_LIMIT bytes, and its mode is checked on the opened file itself.
    """
    try:
        data, status = read_regular_file(path, KEY_FILE_LIMIT, follow_links=True)
    except FileNotFoundError:
        raise _no_secret_key(path) from None
    except FiguresError as error:
        raise SigningKeyError(f"signing key {error}") from None
    except OSError as error:
        raise SigningKeyError(f"cannot read signing key {path}: {error.strerror}") from None
    mode = stat.S_IMODE(status.st_mode)
    if mode & 0o077:
        raise SigningKeyError(
            f"signing key {path} is readable or writable by group or others "
            f"(mode {mode:04o}); restrict it with `chmod 600 {path}`"
        )
    return data


def _no_secret_key(path: Path) -> SigningKeyError:
    return SigningKeyError(
        f"signing key {path} does not exist or is not a file; "
        f"set {SIGNING_KEY_ENV} to a secret key made with `figures keygen`"
    )


def _check_key_pair(key: SigningKey) -> None:
    """The secret key can sign unattended and belongs to the public key beside it."""
    with _open_secret_key(key.path) as secret_key:
        derived = secret_key.get_public_key()
    if not key.public_key.exists() and not key.public_key.is_symlink():
        raise SigningKeyError(
            f"public key {key.public_key} not found beside signing key {key.path}; "
            f"recreate it with `minisign -R -s {key.path} -p {key.public_key}`"
        )
    try:
        expected = _read_public_key(key.public_key)
    except SignatureError as err:
        raise SigningKeyError(str(err)) from err
    if derived != expected:
        raise SigningKeyError(
            f"{key.public_key} holds {_whole_key(expected)}, which does not belong to "
            f"signing key {key.path} (its own is {_whole_key(derived)}); "
            f"recreate it with `minisign -R -s {key.path} -p {key.public_key}`"
        )


@contextmanager
def _open_secret_key(path: Path) -> Iterator[minisign.SecretKey]:
    """A usable secret key, wiped from memory on exit."""
    try:
        secret_key = minisign.SecretKey.from_bytes(_read_secret_key_file(path))
    except minisign.ParseError as err:
        raise SigningKeyError(f"signing key {path} is not a minisign secret key ({err})") from None
    with secret_key:
        if secret_key.is_encrypted():
            raise SigningKeyError(
                f"signing key {path} is protected by a password, but signing runs "
                f"unattended; remove the password with `minisign -C -W -s {path}`"
            )
        yield secret_key


# --- signing --------------------------------------------------------------------------------


def sign_file(path: Path, secret_key: Path, trusted_comment: str) -> Path:
    """Write `<path>.minisig` (prehashed Ed25519, minisign format) atomically; return its path."""
    signature_path = _signature_path(path)
    if not path.is_file():
        raise SigningError(f"cannot sign {path}: it does not exist or is not a file")
    with _open_secret_key(secret_key) as key, path.open("rb") as data:
        try:
            signature = key.sign(
                data,
                prehash=True,
                untrusted_comment=UNTRUSTED_COMMENT,
                trusted_comment=trusted_comment,
            )
        except minisign.ParseError as err:
            raise ValueError(
                f"trusted comment {trusted_comment!r} cannot be signed: {err}"
            ) from None
    _write_atomically(signature_path, bytes(signature) + b"\n", _PUBLIC_FILE_MODE)
    logger.info("signed %s with key ID %s", path, _signature_key_id(signature))
    return signature_path


# --- verification ---------------------------------------------------------------------------


def verify_file(path: Path, public_key: Path, signature: Path | None = None) -> str:
    """The trusted comment of `path`'s signature if the file is genuine, else SignatureError.

    The file is read once, without following a link and up to SIGNED_FILE_LIMIT bytes."""
    return verify_contents(path, read_signed_file(path), public_key, signature).trusted_comment


def read_signed_file(path: Path) -> bytes:
    """A figures.json or report.html to check: a regular file, never through a link, bounded."""
    try:
        return read_bounded(path, SIGNED_FILE_LIMIT)
    except FiguresError as error:
        raise SignatureError(str(error)) from None
    except OSError:
        raise SignatureError(f"{path} does not exist or is not a file") from None


def verify_contents(
    path: Path, data: bytes, public_key: Path, signature: Path | None = None
) -> Verified:
    """What checked out, if `data` (read from `path`) is what was signed; else SignatureError.

    Whoever signed is named only by the whole public key: a signature carries a key ID, and
    a key ID is a label anyone can copy into a key of their own."""
    signature_path = signature if signature is not None else _signature_path(path)
    key = _read_public_key(public_key)
    parsed = _read_signature(signature_path)
    if _signature_key_id(parsed) != _public_key_id(key):
        raise SignatureError(
            f"{signature_path} was not made with the key in {public_key}, {_whole_key(key)}: "
            f"the signature names key ID {_signature_key_id(parsed)}"
        )
    comment: str = parsed.trusted_comment
    try:
        key.verify(data, parsed)
    except minisign.VerifyError:
        valid_contents = _contents_signature_valid(data, key, parsed)
        raise SignatureError(
            _mismatch_reason(path, signature_path, public_key, valid_contents)
        ) from None
    claimed, actual = _claimed_sha256(comment), hashlib.sha256(data).hexdigest()
    if claimed is not None and claimed != actual:
        raise SignatureError(
            f"{path} has sha256 {actual} but its signed trusted comment says sha256={claimed}"
        )
    verified = Verified(comment, public_key_base64(key), _public_key_id(key))
    logger.info("verified %s: signed by public key %s", path, verified.public_key_base64)
    return verified


def _mismatch_reason(
    path: Path, signature_path: Path, public_key: Path, valid_contents: bool
) -> str:
    """Say which part failed; py-minisign has already decided that the file is not genuine.

    With a key of the right ID that fails on the contents, either the file changed or another
    key with the same ID signed it: nothing tells the two apart, so both are named."""
    if valid_contents:
        return (
            f"{signature_path} was altered: its trusted comment does not match its global signature"
        )
    return (
        f"{path} does not match its signature {signature_path} with the public key "
        f"{public_key}: it was changed after it was signed, or signed with another key"
    )


def _contents_signature_valid(
    data: bytes, key: minisign.PublicKey, signature: minisign.Signature
) -> bool:
    """Whether the signature's first part (over the file's contents) alone verifies."""
    raw_key = base64.b64decode(key.to_base64())[_ALG_LEN + _KEY_ID_LEN :]
    line = bytes(signature).splitlines()[1]
    contents_signature = base64.b64decode(line)[_ALG_LEN + _KEY_ID_LEN :]
    message = hashlib.blake2b(data).digest() if signature.is_prehashed() else data
    try:
        Ed25519PublicKey.from_public_bytes(raw_key).verify(contents_signature, message)
    except InvalidSignature:
        return False
    return True


def _claimed_sha256(comment: str) -> str | None:
    try:
        value = parse_trusted_comment(comment).get("sha256")
    except ValueError:
        return None
    return value.lower() if value is not None else None


def is_public_key(key_base64: str, path: Path) -> bool:
    """Whether the public key file at `path` holds this very key (the whole key, not just its
    ID: a key ID is a label anyone can copy into a key of their own)."""
    try:
        return public_key_line(path) == key_base64
    except SigningError:
        return False


def public_key_base64(key: minisign.PublicKey) -> str:
    """The whole public key as the key line of a minisign public key file shows it."""
    return bytes(key.to_base64()).decode("ascii")


def public_key_line(public_key: Path) -> str:
    """The key line of a public key file (algorithm, key ID and key, base64): what a reader
    compares, whole, with the publisher's."""
    return public_key_base64(_read_public_key(public_key))


def key_words(key_base64: str, key_id: str) -> str:
    """A signer named by the whole key, with the ID only as a label beside it."""
    return f"public key {key_base64} (key ID {key_id})"


def _whole_key(key: minisign.PublicKey) -> str:
    return key_words(public_key_base64(key), _public_key_id(key))


def _read_public_key(path: Path) -> minisign.PublicKey:
    return _read_minisign_file(
        path, KEY_FILE_LIMIT, minisign.PublicKey.from_bytes, "public key", "does not exist"
    )


def _read_signature(path: Path) -> minisign.Signature:
    return _read_minisign_file(
        path,
        SIGNATURE_FILE_LIMIT,
        minisign.Signature.from_bytes,
        "signature",
        "is missing",
        missing_name="signature file",
    )


def _read_minisign_file(
    path: Path,
    limit: int,
    parse: Callable[[bytes], T],
    what: str,
    missing: str,
    *,
    missing_name: str | None = None,
) -> T:
    """A minisign key or signature file, read bounded and never through a link; every failure
    one line naming `what` and the path."""
    try:
        return parse(read_bounded(path, limit))
    except FileNotFoundError:
        raise SignatureError(f"{missing_name or what} {path} {missing}") from None
    except FiguresError as error:
        raise SignatureError(f"{what} {error}") from None
    except minisign.ParseError as err:
        raise SignatureError(
            f"{what} {path} is malformed ({err}); expected a minisign {what} file"
        ) from None
    except OSError as err:
        raise SignatureError(f"cannot read {what} {path}: {err.strerror}") from None


def _public_key_id(public_key: minisign.PublicKey) -> str:
    """Key ID from the documented encoding: algorithm (2 bytes), key ID (8), key (32)."""
    raw = base64.b64decode(public_key.to_base64())
    return _format_key_id(raw[_ALG_LEN : _ALG_LEN + _KEY_ID_LEN])


def _signature_key_id(signature: minisign.Signature) -> str:
    """Key ID from the signature's second line: algorithm (2 bytes), key ID (8), signature."""
    raw = base64.b64decode(bytes(signature).splitlines()[1])
    return _format_key_id(raw[_ALG_LEN : _ALG_LEN + _KEY_ID_LEN])


def _format_key_id(raw: bytes) -> str:
    """As minisign shows it: the little-endian 64-bit number in upper-case hex, unpadded."""
    return f"{int.from_bytes(raw, 'little'):X}"


# --- files ----------------------------------------------------------------------------------


def _signature_path(path: Path) -> Path:
    return path.with_name(path.name + SIGNATURE_SUFFIX)


def _write_new_file(path: Path, content: bytes, mode: int) -> None:
    """Create `path` with `mode` from the start (never wider, whatever the umask)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    except FileExistsError:
        raise _refuse_to_overwrite(path) from None
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def _write_atomically(path: Path, content: bytes, mode: int) -> None:
    """Write a temporary file beside `path` and move it into place."""
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    temp = Path(temp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(content)
            out.flush()
            os.fchmod(out.fileno(), mode)
            os.fsync(out.fileno())
        temp.replace(path)  # os.replace: atomic within one folder
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
