"""`figures serve` against a real `prefect server start`: both deployments, the cron in London
time, a schedule that stays active when the serving process stops and starts again, and a
backfill run from its deployment with parameters."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from statement_figures.config import Settings
from tests.support.extracts import crime, write_extract
from tests.support.processes import command, environment, figures
from tests.support.warehouse import ingest

T = TypeVar("T")
PREFECT = str(Path(sys.executable).parent / "prefect")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def post(url: str, body: dict[str, Any]) -> Any:
    request = urllib.request.Request(
        url, json.dumps(body).encode(), {"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


def finished(flow_run: dict[str, Any]) -> dict[str, Any] | None:
    state = flow_run.get("state") or {}
    return flow_run if state.get("type") in ("COMPLETED", "FAILED", "CRASHED") else None


def wait_until(check: Callable[[], T | None], what: str, seconds: float = 180) -> T:
    """Poll check() until it gives a value; fail naming what never happened."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            value = check()
        except (OSError, urllib.error.URLError):
            value = None
        if value is not None:
            return value
        time.sleep(0.5)
    raise AssertionError(f"gave up waiting for {what}")


@contextmanager
def processes() -> Iterator[Callable[[list[str], Path, dict[str, str]], subprocess.Popen[bytes]]]:
    """Start processes in their own sessions; every one is killed at the end, whatever happens."""
    started: list[subprocess.Popen[bytes]] = []

    def start(args: list[str], log: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
        with log.open("ab") as out:
            process = subprocess.Popen(
                args, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True
            )
        started.append(process)
        return process

    try:
        yield start
    finally:
        for process in started:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def test_serve_refuses_to_run_without_a_prefect_server(tmp_path: Path) -> None:
    result = figures("serve", warehouse=tmp_path / "warehouse")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1] == (
        "figures: error: figures serve needs a persistent Prefect server to keep the schedule: "
        "start one with `prefect server start` and export "
        "PREFECT_API_URL=http://127.0.0.1:4200/api"
    )


def test_serve_keeps_the_nightly_schedule_across_a_restart_and_runs_a_backfill(
    tmp_path: Path,
) -> None:
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = environment() | {
        "PREFECT_HOME": str(tmp_path / "prefect-home"),
        "PREFECT_API_URL": api,
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
    }
    warehouse = tmp_path / "warehouse"
    serve_log = tmp_path / "serve.log"

    def deployments() -> dict[str, Any] | None:
        found = {d["name"]: d for d in post(f"{api}/deployments/filter", {})}
        return found if set(found) == {"nightly", "backfill"} else None

    def polled(since: str | None) -> dict[str, Any] | None:
        """The deployments, once a runner has polled for nightly runs after `since`: it then
        runs (and handles SIGTERM), not merely registered the deployments."""
        found = deployments()
        last = found["nightly"]["last_polled"] if found else None
        return found if last is not None and last != since else None

    with processes() as start:
        server = [PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port)]
        start(server, tmp_path / "server.log", env)
        wait_until(lambda: post(f"{api}/deployments/count", {}) == 0 or None, "the server")

        first = start(command(warehouse, "serve"), serve_log, env)
        found = wait_until(lambda: polled(None), "figures serve to poll for runs")
        nightly, backfill = found["nightly"], found["backfill"]
        assert [
            (s["schedule"]["cron"], s["schedule"]["timezone"]) for s in nightly["schedules"]
        ] == [("30 2 * * *", "Europe/London")]
        assert nightly["schedules"][0]["active"] is True
        assert nightly["paused"] is False
        assert nightly["parameters"] == {"warehouse": str(warehouse.resolve())}
        assert backfill["schedules"] == []
        assert set(backfill["parameter_openapi_schema"]["required"]) >= {
            "warehouse",
            "from_month",
            "to_month",
        }

        first.send_signal(signal.SIGTERM)  # a graceful stop, as a service manager does it
        assert first.wait(timeout=120) == 143, serve_log.read_text()
        assert serve_log.read_text().strip().splitlines()[-1] == (
            "figures: terminated (SIGTERM): stopped serving; "
            "the schedule stays active on the Prefect server"
        )
        stopped = wait_until(deployments, "the deployments after the stop")["nightly"]
        assert stopped["paused"] is False
        assert [s["active"] for s in stopped["schedules"]] == [True]

        start(command(warehouse, "serve"), serve_log, env)
        since = stopped["last_polled"]
        again = wait_until(lambda: polled(since), "figures serve to poll again")["nightly"]
        assert again["id"] == nightly["id"]
        assert again["paused"] is False
        assert [(s["schedule"]["cron"], s["active"]) for s in again["schedules"]] == [
            ("30 2 * * *", True)
        ]

        # The served backfill deployment runs with parameters, as `prefect deployment run` does.
        ingest(
            Settings(warehouse=warehouse),
            write_extract(tmp_path / "in", "2021-12-06", [crime("C1")]),
        )
        run = post(
            f"{api}/deployments/{backfill['id']}/create_flow_run",
            {"parameters": {"from_month": "2021-10", "to_month": "2021-11"}},
        )
        final = wait_until(
            lambda: finished(get(f"{api}/flow_runs/{run['id']}")), "the backfill run to finish"
        )
        assert final["state"]["type"] == "COMPLETED", serve_log.read_text()
        published = warehouse / "published/2021-12-06"
        assert sorted(p.name for p in published.iterdir()) == [
            "statement-ytd-2021-10-vs-2019",
            "statement-ytd-2021-11-vs-2019",
        ]
