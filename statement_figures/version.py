"""The code version stamped into every figures file: the package version, the git commit when
running from a checkout, and a fingerprint of any uncommitted change to the code, so that
figures from edited code are never stamped as if they came from a clean commit."""

from __future__ import annotations

import functools
import hashlib
import subprocess
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# What decides the figures: the code, its SQL, its specs and its pinned dependencies.
CODE_PATHS = (
    "statement_figures",
    "flows",
    "schemas",
    "sql",
    "specs",
    "pyproject.toml",
    "requirements.lock",
)


def _git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(root), *args], capture_output=True, text=True, check=True, timeout=10
    ).stdout


def checkout_version(root: Path) -> str | None:
    """'g<commit>', or 'g<commit>.dirty.<sha256 of the change, 12 digits>' when tracked code
    has uncommitted changes; None outside a git checkout."""
    try:
        commit = _git(root, "rev-parse", "--short=12", "HEAD").strip()
        change = _git(root, "diff", "HEAD", "--binary", "--", *CODE_PATHS)
    except (OSError, subprocess.SubprocessError):
        return None
    if not commit:
        return None
    if not change:
        return f"g{commit}"
    return f"g{commit}.dirty.{hashlib.sha256(change.encode()).hexdigest()[:12]}"


@functools.cache
def code_version() -> str:
    """The package version, plus the checkout's commit (and change) when there is one."""
    base = version("statement-figures")
    checkout = checkout_version(ROOT)
    return f"{base}+{checkout}" if checkout else base
