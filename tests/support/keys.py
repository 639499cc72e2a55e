"""Public keys as the messages name them, and keys forged to look like another's."""

from __future__ import annotations

import base64
import os
from pathlib import Path

from statement_figures.publication.signing import public_key_id, public_key_line

_ALG_AND_ID = 2 + 8  # a public key is algorithm (2 bytes), key ID (8), then the key (32)


def whole_key(public_key: Path) -> str:
    """How show and verify name a signer: the whole key, its ID only beside it."""
    return f"public key {public_key_line(public_key)} (key ID {public_key_id(public_key)})"


def forge_public_key(real: Path, forged: Path) -> Path:
    """A public key file with `real`'s algorithm and key ID but another 32-byte key."""
    comment, line = real.read_text().splitlines()[:2]
    raw = base64.b64decode(line)
    fake = raw[:_ALG_AND_ID] + os.urandom(len(raw) - _ALG_AND_ID)
    forged.write_text(f"{comment}\n{base64.b64encode(fake).decode()}\n")
    return forged


def with_key_id(path: Path, key_id: bytes) -> None:
    """Put `key_id` into the second line of a minisign public key or signature file."""
    lines = path.read_text().splitlines()
    raw = base64.b64decode(lines[1])
    lines[1] = base64.b64encode(raw[:2] + key_id + raw[_ALG_AND_ID:]).decode()
    path.write_text("\n".join(lines) + "\n")
