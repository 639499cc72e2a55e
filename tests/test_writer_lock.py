"""One writer at a time: real processes contend for warehouse/writer.lock."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flows.settings import Settings
from tests.conftest import ingest
from tests.extracts import crime, write_extract

HOLD = """
import sys
from pathlib import Path
from flows.lock import writer_lock
with writer_lock(Path(sys.argv[1]), "test holder"):
    print("held", flush=True)
    sys.stdin.read()
"""


def figures_process(warehouse: Path, *args: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    return subprocess.Popen(
        [sys.executable, "-m", "flows.cli", "--warehouse", str(warehouse), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


@contextmanager
def lock_held(lock_file: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process holds the lock until the block ends (it is killed then at the latest)."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(lock_file)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline() == "held\n"
        yield holder
    finally:
        holder.kill()
        holder.wait()


def wait_for_line(process: subprocess.Popen[str], text: str) -> str:
    """Read the process's stderr up to the first line containing text."""
    assert process.stderr is not None
    for line in process.stderr:
        if text in line:
            return line
    raise AssertionError(f"the process ended without printing {text!r}")


def test_a_writer_waits_for_the_holder_and_says_whom_it_waits_for(
    settings: Settings, tmp_path: Path
) -> None:
    ingest(settings, write_extract(tmp_path / "in", "2021-12-06", [crime("C1")]))
    with lock_held(settings.lock_file) as holder:
        publisher = figures_process(settings.warehouse, "publish")
        line = wait_for_line(publisher, "waiting for the warehouse writer lock")
        assert f"held by pid {holder.pid} (test holder, since " in line
        assert line.split(" ", 1)[1].startswith("figures publish: waiting")
        time.sleep(0.5)
        assert publisher.poll() is None, "the publisher went on while the lock was held"
        assert holder.stdin is not None
        holder.stdin.close()  # the holder lets go
        out, err = publisher.communicate(timeout=120)
    assert publisher.returncode == 0, err
    assert "got the warehouse writer lock" in err
    assert out.strip().splitlines()[-1].endswith("figures.json")


def test_a_killed_holder_leaves_no_stale_lock(settings: Settings, tmp_path: Path) -> None:
    ingest(settings, write_extract(tmp_path / "in", "2021-12-06", [crime("C1")]))
    with lock_held(settings.lock_file) as holder:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait()
        publisher = figures_process(settings.warehouse, "publish")
        out, err = publisher.communicate(timeout=120)
    assert publisher.returncode == 0, err
    assert "waiting" not in err
    assert out.strip().endswith("figures.json")
