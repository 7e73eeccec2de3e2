"""A real HTTP server for tests that act like users: uvicorn on 127.0.0.1, in a thread.

Browser tests (Playwright + Debian's chromium), `huggingface_hub` client tests, feed readers
and load or abuse scripts all talk to the site over a real socket, with real headers, as a
user's program would. The in-process `TestClient` stays for fast unit-level web tests.

The server runs with the options `dailypapers serve` uses (app.server_options: forwarded
headers only from `trusted_proxies`).

Usage:
    port = free_port()
    services = bootstrap(Settings(data_dir=..., base_url=f"http://127.0.0.1:{port}"))
    with LiveServer(create_app(services), port) as base_url:
        httpx.get(f"{base_url}/healthz")

The site's `base_url` setting must name the live port, so links in mail and Secure-cookie
rules match what the client sees; hence the port is chosen before the services are built.
"""

from __future__ import annotations

import socket
import threading
import time
from types import TracebackType

import uvicorn

from dailypapers.app import server_options


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LiveServer:
    """Serves an ASGI app on 127.0.0.1:`port` until the `with` block ends."""

    def __init__(self, app: object, port: int, *, startup_timeout_s: float = 20.0) -> None:
        services = getattr(getattr(app, "state", None), "services", None)
        options = server_options(services.settings) if services is not None else {}
        config = uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="warning", lifespan="on", **options
        )
        self.server = uvicorn.Server(config)
        self.port = port
        self.base_url = f"http://127.0.0.1:{port}"
        self._thread = threading.Thread(target=self.server.run, name=f"live-{port}", daemon=True)
        self._startup_timeout_s = startup_timeout_s

    def __enter__(self) -> str:
        self._thread.start()
        deadline = time.monotonic() + self._startup_timeout_s
        while not self.server.started:
            if not self._thread.is_alive():
                raise RuntimeError(f"the live server on port {self.port} failed to start")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the live server on port {self.port} did not start in time")
            time.sleep(0.02)
        return self.base_url

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.server.should_exit = True
        self._thread.join(timeout=10)
