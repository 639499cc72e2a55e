"""The deployments `figures serve` serves: the nightly run on a cron, the backfill on demand.

Deployment is kept apart from the logic: this module only names the two flows, their
schedule and their default parameters.
"""

from __future__ import annotations

import os

from prefect import serve
from prefect.deployments.runner import RunnerDeployment
from prefect.schedules import Cron
from prefect.types.entrypoint import EntrypointType

from flows.backfill import backfill
from flows.nightly import nightly
from statement_figures.config import Settings
from statement_figures.domain.errors import FiguresError


def deployments(settings: Settings, cron: str, timezone: str) -> list[RunnerDeployment]:
    """'nightly/nightly' on the cron in the timezone, and 'backfill/backfill' with parameters."""
    parameters = {"warehouse": str(settings.warehouse)}
    module = EntrypointType.MODULE_PATH  # runs wherever the package is installed
    built = [
        nightly.to_deployment(
            name="nightly",
            schedules=[Cron(cron, timezone=timezone)],
            parameters=parameters,
            entrypoint_type=module,
        ),
        backfill.to_deployment(name="backfill", parameters=parameters, entrypoint_type=module),
    ]
    return [d for d in built if isinstance(d, RunnerDeployment)]  # sync calls: never coroutines


def serve_deployments(settings: Settings, cron: str, timezone: str) -> None:
    """Serve both until interrupted; schedules stay active when this process stops."""
    if not os.environ.get("PREFECT_API_URL"):
        raise FiguresError(
            "figures serve needs a persistent Prefect server to keep the schedule: start one "
            "with `prefect server start` and export PREFECT_API_URL=http://127.0.0.1:4200/api"
        )
    serve(*deployments(settings, cron, timezone), pause_on_shutdown=False)
