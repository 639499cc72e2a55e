"""The code version names the commit, and any uncommitted change to the code by its content."""

from __future__ import annotations

import subprocess
from pathlib import Path

from statement_figures.version import checkout_version


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(root), *args], capture_output=True, text=True, check=True
    ).stdout.strip()


def test_edited_code_is_never_stamped_as_its_clean_commit(tmp_path: Path) -> None:
    assert checkout_version(tmp_path) is None  # not a checkout
    git(tmp_path, "init", "-q")
    code = tmp_path / "statement_figures" / "figures.py"
    code.parent.mkdir()
    code.write_text("PERCENT = 100\n")
    (tmp_path / "notes.md").write_text("notes\n")
    git(tmp_path, "add", "-A")
    git(tmp_path, "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-q", "-m", "one")
    commit = git(tmp_path, "rev-parse", "--short=12", "HEAD")
    assert checkout_version(tmp_path) == f"g{commit}"

    (tmp_path / "notes.md").write_text("other notes\n")  # not code: still the clean commit
    assert checkout_version(tmp_path) == f"g{commit}"

    code.write_text("PERCENT = 1000\n")
    edited = checkout_version(tmp_path)
    assert edited is not None and edited.startswith(f"g{commit}.dirty.")
    assert len(edited) == len(f"g{commit}.dirty.") + 12
    assert checkout_version(tmp_path) == edited  # the same change, the same version
    code.write_text("PERCENT = 10\n")
    assert checkout_version(tmp_path) not in (edited, f"g{commit}")
