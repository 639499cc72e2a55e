"""The commands that run flows (`run`, `backfill`, `serve`) do their work in a child process,
watched by the process the caller started: the supervisor.

Why: Prefect starts a temporary server as a subprocess and, during a flow run, turns SIGTERM
into an exception that its engine may swallow. Neither can leave a run behind if the work
happens in processes the supervisor can kill as a whole:

- a guard process leads a new process group and waits for the supervisor to end;
- the worker (the same command line again, with FIGURES_WORKER=1) joins that group, and so do
  its children (Prefect's server never leaves its parent's group); it holds the writer lock;
- on SIGTERM or SIGINT the supervisor sends SIGTERM to the group, waits GRACE_SECONDS, then
  SIGKILLs it, prints one line and exits 128 + the signal (143, 130);
- however the supervisor ends, SIGKILL included, the kernel closes its end of the guard's
  stdin: the guard then SIGKILLs the whole group, itself included. The worker also dies with the
  supervisor by PR_SET_PDEATHSIG, and the supervisor is a child subreaper, so a descendant
  that left the group is reparented to it and killed before it exits.

The warehouse is crash-safe against SIGKILL at any moment, so killing the worker is safe.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

WORKER_VARIABLE = "FIGURES_WORKER"
GRACE_SECONDS = 10.0  # after SIGTERM, how long the worker may take before it is killed
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)

_PR_SET_PDEATHSIG = 1
_PR_SET_CHILD_SUBREAPER = 36

# The guard: immune to the stop signals, it waits for EOF on stdin (the supervisor's end closes
# when the supervisor ends, however it ends), then kills its process group, itself included.
_GUARD = (
    "import os, signal, sys\n"
    "for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP): signal.signal(s, signal.SIG_IGN)\n"
    "while sys.stdin.buffer.read(4096): pass\n"
    "os.killpg(0, signal.SIGKILL)\n"
)


def is_worker() -> bool:
    """Whether this process is a supervisor's worker (it then does the work itself)."""
    return os.environ.get(WORKER_VARIABLE) == "1"


def _prctl(option: int, value: int) -> None:
    """Linux prctl(2); elsewhere nothing (the guard still ends the group)."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(option, value, 0, 0, 0)


def _die_with_parent() -> None:  # runs in the worker between fork and exec
    _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def _start_guard() -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-I", "-S", "-c", _GUARD],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        process_group=0,
    )


def _start_worker(argv: Sequence[str], group: int) -> subprocess.Popen[bytes]:
    """The same command line again, as the worker, in the guard's group; stdout and stderr are
    the caller's, so output streams as it comes."""
    return subprocess.Popen(
        [sys.executable, "-m", "statement_figures", *argv],
        env=os.environ | {WORKER_VARIABLE: "1"},
        process_group=group,
        preexec_fn=_die_with_parent,
    )


class _Signalled(Exception):
    """Raised by the stop handler to end the wait for the worker early."""


class _Stop:
    """The first stop signal. Graceful: SIGTERM to the worker now (its children stay up for it to
    stop them), SIGKILL to the group after GRACE_SECONDS. Otherwise SIGKILL to the group now."""

    def __init__(self, group: int, worker: int, graceful: bool) -> None:
        self.group, self.worker, self.graceful = group, worker, graceful
        self.signal: signal.Signals | None = None
        self.deadline: float | None = None

    def handle(self, signum: int, frame: FrameType | None) -> None:
        if self.signal is None:
            self.signal = signal.Signals(signum)
            if self.graceful:
                self.deadline = time.monotonic() + GRACE_SECONDS
                _kill(self.worker, signal.SIGTERM)
            else:
                _kill_group(self.group, signal.SIGKILL)
        raise _Signalled

    def wait(self, worker: subprocess.Popen[bytes]) -> int:
        """The worker's exit status, once it has ended or been killed."""
        while True:
            try:
                left = None if self.deadline is None else self.deadline - time.monotonic()
                return worker.wait(timeout=None if left is None else max(left, 0))
            except _Signalled:
                continue
            except subprocess.TimeoutExpired:
                _kill_group(self.group, signal.SIGKILL)
                self.deadline = None


def _kill(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)


def _kill_group(group: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(group, sig)


def _children() -> list[int]:
    """This process's children, including descendants reparented to it as subreaper."""
    found: list[int] = []
    for task in Path("/proc/self/task").glob("*/children"):
        found += [int(pid) for pid in task.read_text().split()]
    return found


def _end_all(guard: subprocess.Popen[bytes]) -> None:
    """The guard kills the group; then every child left (one that left the group) is killed
    and every child reaped, so nothing outlives the supervisor."""
    if guard.stdin is not None:
        guard.stdin.close()
    guard.wait()
    for pid in _children():
        _kill(pid, signal.SIGKILL)
    while True:
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            return


def _ending(status: int, stop: _Stop, stopped: str) -> tuple[int, str | None]:
    """Our exit status, and the one line to print for a stop or a killed worker."""
    if stop.signal is not None:
        kind = "interrupted" if stop.signal == signal.SIGINT else "terminated"
        return 128 + stop.signal, f"figures: {kind} ({stop.signal.name}): {stopped}"
    if status < 0:
        name = signal.Signals(-status).name
        return 128 - status, f"figures: error: the worker process was killed by {name}; {stopped}"
    return status, None


def supervise(argv: Sequence[str], stopped: str, graceful: bool) -> int:
    """Run the command line `argv` in a worker and wait for it; `stopped` says what a stop
    leaves (after "figures: terminated (SIGTERM): "), `graceful` whether the worker is given
    GRACE_SECONDS to stop on SIGTERM before it is killed."""
    _prctl(_PR_SET_CHILD_SUBREAPER, 1)
    guard = _start_guard()
    previous = {sig: signal.getsignal(sig) for sig in STOP_SIGNALS}
    try:
        worker = _start_worker(argv, guard.pid)
        stop = _Stop(guard.pid, worker.pid, graceful)
        for sig in STOP_SIGNALS:  # before this, a stop signal ends us and the guard the rest
            signal.signal(sig, stop.handle)
        status = stop.wait(worker)
    finally:
        for sig in STOP_SIGNALS:  # a second signal while the group is ended changes nothing
            signal.signal(sig, signal.SIG_IGN)
        _end_all(guard)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    code, line = _ending(status, stop, stopped)
    if line:
        print(line, file=sys.stderr, flush=True)
    return code
