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
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import uvicorn
from fastapi import FastAPI
from uvicorn.supervisors import Multiprocess

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
    config = uvicorn.Config(
        FACTORY,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        **server_options(settings),
        **uvicorn_logging(settings),
    )
    Multiprocess(config, sockets=[listener_for(config)]).run()


def listener_for(config: uvicorn.Config) -> socket.socket:
    """The socket uvicorn.run binds for its worker processes, with Nagle turned off."""
    listener = config.bind_socket()
    no_delay(listener)
    return listener


def no_delay(listener: socket.socket) -> None:
    """Turn Nagle's algorithm off for the connections this listening socket accepts (Linux
    copies the option to them). asyncio does that itself only for sockets whose `proto` says
    TCP, and a socket made with `socket.socket(family)` (ours, and uvicorn's for `--workers`)
    says 0: every keep-alive response then waited ~40 ms for the client's delayed ACK, which
    held each connection to ~22 requests a second (measured: 44 ms per /healthz)."""
    if listener.family in (socket.AF_INET, socket.AF_INET6):
        listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
