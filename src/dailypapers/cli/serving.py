"""Serving with one or many processes: `dailypapers serve --workers N`.

With one worker the app runs in the `serve` process itself. With N > 1, uvicorn's supervisor
starts N worker processes that each call `app_from_environment()`: each builds its own
services (settings from the DAILYPAPERS_* environment, which `serve` completes with its
`--database-url` / `--data-dir`), its own connection pool and page cache, and closes them when
it stops. Nothing a request needs lives only in one process's memory, so the processes are
interchangeable behind the shared socket. The scheduler (when `serve_runs_scheduler` is on)
runs once, in the supervising process, not in every worker.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import uvicorn
from fastapi import FastAPI

from dailypapers.app import create_app, server_options
from dailypapers.cli.logs import uvicorn_logging
from dailypapers.config import Settings
from dailypapers.services.bootstrap import bootstrap

FACTORY = "dailypapers.cli.serving:app_from_environment"


def app_from_environment() -> FastAPI:
    """uvicorn's app factory in each worker process: services of its own, closed on exit."""
    services = bootstrap(Settings())
    app = create_app(services)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            services.close()

    app.router.lifespan_context = lifespan
    return app


def serve_processes(settings: Settings, host: str, port: int, workers: int) -> None:
    """Run `workers` app processes on host:port until a signal stops them."""
    # The workers read their settings from the environment: hand them what the command
    # line set, so every process talks to the same database.
    os.environ["DAILYPAPERS_DATABASE_URL"] = settings.resolved_database_url
    os.environ["DAILYPAPERS_DATA_DIR"] = str(settings.data_dir)
    uvicorn.run(
        FACTORY,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        **server_options(settings),
        **uvicorn_logging(settings),
    )
