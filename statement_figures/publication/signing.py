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
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import minisign
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from statement_figures.domain.errors import FiguresError

logger = logging.getLogger(__name__)

SECRET_KEY_NAME = "figures.key"
PUBLIC_KEY_NAME = "figures.pub"
SIGNATURE_SUFFIX = ".minisig"
SIGNING_KEY_ENV = "FIGURES_SIGNING_KEY"
DEMO_KEY_DIR = Path("keys") / "demo"
UNTRUSTED_COMMENT = "signature from statement-figures"
TRUSTED_COMMENT_KEYS = ("as_of", "sha256", "code_version", "run")

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
    _check_secret_key_file(key.path)
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


def _check_secret_key_file(path: Path) -> None:
    if not path.is_file():
        raise SigningKeyError(
            f"signing key {path} does not exist or is not a file; "
            f"set {SIGNING_KEY_ENV} to a secret key made with `figures keygen`"
        )
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise SigningKeyError(
            f"signing key {path} is readable or writable by group or others "
            f"(mode {mode:04o}); restrict it with `chmod 600 {path}`"
        )


def _check_key_pair(key: SigningKey) -> None:
    """The secret key can sign unattended and belongs to the public key beside it."""
    if not key.public_key.is_file():
        raise SigningKeyError(
            f"public key {key.public_key} not found beside signing key {key.path}; "
            f"recreate it with `minisign -R -s {key.path} -p {key.public_key}`"
        )
    with _open_secret_key(key.path) as secret_key:
        derived = secret_key.get_public_key()
    try:
        expected = _read_public_key(key.public_key)
    except SignatureError as err:
        raise SigningKeyError(str(err)) from err
    if derived != expected:
        raise SigningKeyError(
            f"public key {key.public_key} (key ID {_public_key_id(expected)}) does not belong "
            f"to signing key {key.path} (key ID {_public_key_id(derived)}); "
            f"recreate it with `minisign -R -s {key.path} -p {key.public_key}`"
        )


@contextmanager
def _open_secret_key(path: Path) -> Iterator[minisign.SecretKey]:
    """A usable secret key, wiped from memory on exit."""
    try:
        secret_key = minisign.SecretKey.from_file(path)
    except minisign.ParseError as err:
        raise SigningKeyError(f"signing key {path} is not a minisign secret key ({err})") from None
    except OSError as err:
        raise SigningKeyError(f"cannot read signing key {path}: {err.strerror}") from None
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
    """The trusted comment of `path`'s signature if the file is genuine, else SignatureError."""
    signature_path = signature if signature is not None else _signature_path(path)
    if not path.is_file():
        raise SignatureError(f"{path} does not exist or is not a file")
    key = _read_public_key(public_key)
    parsed = _read_signature(signature_path)
    signer_id, key_id = _signature_key_id(parsed), _public_key_id(key)
    if signer_id != key_id:
        raise SignatureError(
            f"{signature_path} was signed by key ID {signer_id}, "
            f"not by the given key {key_id} ({public_key})"
        )
    comment: str = parsed.trusted_comment
    with path.open("rb") as data:
        try:
            key.verify(data, parsed)
        except minisign.VerifyError:
            raise SignatureError(_mismatch_reason(path, signature_path, key, parsed)) from None
    claimed, actual = _claimed_sha256(comment), _sha256_of(path)
    if claimed is not None and claimed != actual:
        raise SignatureError(
            f"{path} has sha256 {actual} but its signed trusted comment says sha256={claimed}"
        )
    logger.info("verified %s: signed by key ID %s", path, key_id)
    return comment


def _mismatch_reason(
    path: Path, signature_path: Path, key: minisign.PublicKey, signature: minisign.Signature
) -> str:
    """Say which part failed; py-minisign has already decided that the file is not genuine."""
    if _contents_signature_valid(path, key, signature):
        return (
            f"{signature_path} was altered: its trusted comment does not match its global signature"
        )
    return (
        f"{path} was changed after it was signed: "
        f"the signature {signature_path} does not match its contents"
    )


def _contents_signature_valid(
    path: Path, key: minisign.PublicKey, signature: minisign.Signature
) -> bool:
    """Whether the signature's first part (over the file's contents) alone verifies."""
    raw_key = base64.b64decode(key.to_base64())[_ALG_LEN + _KEY_ID_LEN :]
    line = bytes(signature).splitlines()[1]
    contents_signature = base64.b64decode(line)[_ALG_LEN + _KEY_ID_LEN :]
    message = _blake2b_of(path) if signature.is_prehashed() else path.read_bytes()
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


def same_public_key(one: Path, other: Path) -> bool:
    """Whether two public key files hold the same key (the whole key, not just its ID: a key
    ID is a label anyone can copy into a key of their own)."""
    try:
        return bool(_read_public_key(one).to_base64() == _read_public_key(other).to_base64())
    except SigningError:
        return False


def _read_public_key(path: Path) -> minisign.PublicKey:
    try:
        return minisign.PublicKey.from_file(path)
    except FileNotFoundError:
        raise SignatureError(f"public key {path} does not exist") from None
    except minisign.ParseError as err:
        raise SignatureError(
            f"public key {path} is malformed ({err}); expected a minisign public key file"
        ) from None
    except OSError as err:
        raise SignatureError(f"cannot read public key {path}: {err.strerror}") from None


def _read_signature(path: Path) -> minisign.Signature:
    try:
        return minisign.Signature.from_file(path)
    except FileNotFoundError:
        raise SignatureError(f"signature file {path} is missing") from None
    except minisign.ParseError as err:
        raise SignatureError(
            f"signature {path} is malformed ({err}); expected a minisign signature file"
        ) from None
    except OSError as err:
        raise SignatureError(f"cannot read signature {path}: {err.strerror}") from None


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


def _sha256_of(path: Path) -> str:
    return _digest_of(path, "sha256").hex()


def _blake2b_of(path: Path) -> bytes:
    """The prehash of minisign's "ED" signatures: BLAKE2b-512 of the contents."""
    return _digest_of(path, "blake2b")


def _digest_of(path: Path, algorithm: str) -> bytes:
    digest = hashlib.new(algorithm)
    with path.open("rb") as data:
        while chunk := data.read(1 << 16):
            digest.update(chunk)
    return digest.digest()


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
