"""`dailypapers serve` as a person runs it: a real process on a real port (issue 10 item 9).

A busy port must fail at once with a message that says so and how to pick another, before
anything claims to be "Serving on" it; a free port serves the site.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.live_server import free_port

_MAIN = "import sys; from dailypapers.cli import main; sys.argv[0] = 'dailypapers'; main()"


def _env(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DAILYPAPERS_DATA_DIR": str(tmp_path),
        "DAILYPAPERS_SERVE_RUNS_SCHEDULER": "false",
        "DAILYPAPERS_MAIL_BACKEND": "console",
    }


def _serve(tmp_path: Path, port: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", _MAIN, "serve", "--port", str(port)],
        env=_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_a_busy_port_fails_at_once_without_claiming_to_serve(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process = _serve(tmp_path, port)
        output, _ = process.communicate(timeout=60)
    assert process.returncode != 0
    assert f"cannot listen on 127.0.0.1:{port}" in output
    assert "--port" in output
    assert "Serving" not in output


def test_a_free_port_serves_the_site(tmp_path: Path) -> None:
    port = free_port()
    process = _serve(tmp_path, port)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except httpx.TransportError:
                assert process.poll() is None, process.communicate()[0]
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.1)
        assert health.json() == {"status": "ok"}
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=30)
    assert f"on http://127.0.0.1:{port}" in output


def test_served_connections_send_without_waiting_for_acks() -> None:
    # Sockets made with socket.socket(family) have proto 0, so asyncio left Nagle on for the
    # connections they accept: each keep-alive response waited ~40 ms for a delayed ACK.
    import uvicorn

    from dailypapers.cli.commands import _listen
    from dailypapers.cli.serving import FACTORY, listener_for

    one = _listen("127.0.0.1", free_port())
    config = uvicorn.Config(FACTORY, factory=True, host="127.0.0.1", port=free_port(), workers=2)
    many = listener_for(config)
    try:
        for listener in (one, many):
            assert listener.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
            listener.listen()
            with socket.create_connection(listener.getsockname()[:2]) as client:
                accepted, _ = listener.accept()
                with accepted:  # what the served connection inherits
                    assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
                del client
    finally:
        one.close()
        many.close()
