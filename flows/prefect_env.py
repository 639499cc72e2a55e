"""Prefect's environment, set before Prefect is imported: quiet, local, under the warehouse."""

from __future__ import annotations

import logging
import os

from flows.errors import FiguresError
from flows.settings import Settings


def configure_prefect(settings: Settings) -> None:
    """A local temporary server in the warehouse unless PREFECT_API_URL names a real one."""
    os.environ.setdefault("PREFECT_HOME", str(settings.prefect_home))
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    settings.prefect_home.mkdir(parents=True, exist_ok=True)


class OneLineErrors(logging.Filter):
    """Our own errors are one readable line: keep Prefect from logging their tracebacks."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], FiguresError):
            record.msg = f"{record.getMessage().rstrip(':')}: {record.exc_info[1]}"
            record.args = None
            record.exc_info = None
            record.exc_text = None
        return True


def quiet_prefect_tracebacks() -> None:
    """Call after Prefect has set up its logging (after importing prefect)."""
    for name in ("prefect", "prefect.task_runs", "prefect.flow_runs"):
        for handler in logging.getLogger(name).handlers:
            if not any(isinstance(f, OneLineErrors) for f in handler.filters):
                handler.addFilter(OneLineErrors())
