"""The Prefect flows (nightly, backfill) and their deployments: thin modules that wire the
functions of statement_figures.

Prefect is set up in one place, `use_warehouse`, which the command line calls once before any
flow runs: Prefect then keeps its home (and, with no PREFECT_API_URL, the database of the
temporary local server it starts) under the warehouse, sends no telemetry, and logs every
error as one line, never as a traceback (unless FIGURES_DEBUG is set).
"""

from __future__ import annotations

import logging
import os

import prefect.context

from statement_figures.config import Settings
from statement_figures.domain.errors import FiguresError

PREFECT_LOGGERS = ("prefect", "prefect.task_runs", "prefect.flow_runs")


class OneLineErrors(logging.Filter):
    """Every error Prefect logs is one line: our own errors as the readable line they are, any
    other without its traceback, unless FIGURES_DEBUG is set to see where it came from."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if error is None:
            return True
        if isinstance(error, FiguresError):
            record.msg = f"{record.getMessage().rstrip(':')}: {error}"
        elif os.environ.get("FIGURES_DEBUG"):
            return True
        else:
            record.msg = record.getMessage()
        record.args = None
        record.exc_info = None
        record.exc_text = None
        return True


def use_warehouse(settings: Settings) -> None:
    """Point Prefect at the warehouse: a temporary local server there unless PREFECT_API_URL
    names a real one. Settings Prefect read when it was imported are read again."""
    os.environ.setdefault("PREFECT_HOME", str(settings.prefect_home))
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    settings.prefect_home.mkdir(parents=True, exist_ok=True)
    prefect.context.refresh_global_settings_context()
    for name in PREFECT_LOGGERS:
        for handler in logging.getLogger(name).handlers:
            if not any(isinstance(f, OneLineErrors) for f in handler.filters):
                handler.addFilter(OneLineErrors())
