"""One writer at a time: an exclusive lock on warehouse/writer.lock around every writing command.

Every command or flow that writes the warehouse or publishes (ingest, publish, run, backfill,
the served deployments) holds the lock while it works. A second writer waits, saying every
few seconds who it waits for: the holder's pid, command and start time, which the holder
writes into the lock file once it has the lock. The lock is an `fcntl.flock` on an open file,
so the operating system releases it when its process ends, however it ends (even SIGKILL):
no stale lock is ever left behind. Readers of published files never take it.

The lock is re-entrant within a process: a flow that takes it inside a command that already
holds it goes straight on.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

log = logging.getLogger(__name__)

RETRY_SECONDS = 0.2
REPORT_EVERY_SECONDS = 10.0

_held: dict[Path, int] = {}  # lock file -> how deeply this process holds it


def holder(lock_file: Path) -> str:
    """Who holds the lock, as the holder wrote it into the file once it had it:
    'pid 123 (figures run, since 2021-12-07T02:30:01+00:00)'."""
    try:
        info = json.loads(lock_file.read_text(encoding="utf-8"))
        return f"pid {info['pid']} ({info['command']}, since {info['started']})"
    except (OSError, ValueError, KeyError, TypeError):
        return "another writer"


def _describe_self(command: str, lock_file: Path, fd: int) -> None:
    info = {
        "pid": os.getpid(),
        "command": command,
        "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    os.ftruncate(fd, 0)
    os.pwrite(fd, (json.dumps(info) + "\n").encode(), 0)


def _acquire(fd: int, lock_file: Path, command: str) -> None:
    """Block until the lock is ours, logging who holds it now and every ~10 s."""
    waited_since: float | None = None
    last_report: float | None = None
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            now = time.monotonic()
            if waited_since is None:
                waited_since = now
            if last_report is None or now - last_report >= REPORT_EVERY_SECONDS:
                log.warning(
                    "%s: waiting for the warehouse writer lock %s, held by %s (waited %.0f s)",
                    command,
                    lock_file,
                    holder(lock_file),
                    now - waited_since,
                )
                last_report = now
            time.sleep(RETRY_SECONDS)
    if waited_since is not None:
        log.info("%s: got the warehouse writer lock", command)


def holds_writer_lock(lock_file: Path) -> bool:
    """Whether this process holds the lock (so nobody else is writing)."""
    return bool(_held.get(lock_file.resolve()))


@contextmanager
def writer_lock(lock_file: Path, command: str) -> Iterator[None]:
    """Hold the warehouse's writer lock for the block; `command` says who holds it."""
    lock_file = lock_file.resolve()
    if _held.get(lock_file):
        _held[lock_file] += 1
        try:
            yield
        finally:
            _held[lock_file] -= 1
        return
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_file, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        _acquire(fd, lock_file, command)
        _held[lock_file] = 1
        try:
            _describe_self(command, lock_file, fd)
            yield
        finally:
            _held.pop(lock_file, None)
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
