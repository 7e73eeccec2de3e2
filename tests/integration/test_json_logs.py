"""`log_format = "json"`: a real `dailypapers serve` writes one JSON object per stderr line,
with an access line (request id, method, path, status, duration) for each request."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from dailypapers.cli.logs import JsonFormatter
from tests.live_server import free_port


def _serve(tmp_path: Path, port: int, log_format: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DAILYPAPERS_")}
    env.update(
        {
            "DAILYPAPERS_DATA_DIR": str(tmp_path),
            "DAILYPAPERS_SERVE_RUNS_SCHEDULER": "0",
            "DAILYPAPERS_LOG_FORMAT": log_format,
        }
    )
    command = [sys.executable, "-m", "dailypapers", "serve", "--port", str(port)]
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _requests(port: int, *, json_logs: bool) -> None:
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            if httpx.get(f"{base}/healthz", timeout=5).status_code == 200:
                break
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, "serve did not come up"
        time.sleep(0.2)
    with httpx.Client(base_url=base, timeout=10) as client:
        given = client.get("/api/daily_papers?limit=2", headers={"X-Request-ID": "proxy-7f3a"})
        assert given.status_code == 200
        missing = client.get("/papers/2401.99999")
        assert missing.status_code == 404
    if json_logs:
        assert given.headers["x-request-id"] == "proxy-7f3a"
        assert len(missing.headers["x-request-id"]) == 32  # a new one when none was given


def _stop(proc: subprocess.Popen) -> str:
    proc.send_signal(signal.SIGTERM)
    try:
        stderr = proc.communicate(timeout=30)[1].decode()
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail("serve did not stop on SIGTERM")
    assert proc.returncode in (0, -signal.SIGTERM), stderr  # uvicorn re-raises the signal
    return stderr


def test_serve_writes_every_stderr_line_as_json_with_access_lines(tmp_path: Path) -> None:
    port = free_port()
    proc = _serve(tmp_path, port, "json")
    try:
        _requests(port, json_logs=True)
    finally:
        stderr = _stop(proc)
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert lines, "serve wrote nothing to stderr"
    records = []
    for line in lines:
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            pytest.fail(f"not a JSON line: {line!r}\n{stderr}")
    for record in records:
        assert {"timestamp", "level", "logger", "message"} <= set(record), record
    # uvicorn's own lifecycle lines and the command's banner come through the same formatter.
    assert any(r["logger"].startswith("uvicorn") for r in records), stderr
    assert any(r["message"].startswith("Serving ") for r in records), stderr
    access = [r for r in records if r["logger"] == "dailypapers.access"]
    by_path = {r["path"]: r for r in access}
    api = by_path["/api/daily_papers?limit=2"]
    assert api["request_id"] == "proxy-7f3a"
    assert api["method"] == "GET" and api["status"] == 200
    assert isinstance(api["duration_ms"], float) and api["duration_ms"] >= 0
    assert api["client"] == "127.0.0.1"
    assert by_path["/papers/2401.99999"]["status"] == 404
    assert len(by_path["/papers/2401.99999"]["request_id"]) == 32


def test_text_format_stays_the_terminal_lines(tmp_path: Path) -> None:
    port = free_port()
    proc = _serve(tmp_path, port, "text")
    try:
        _requests(port, json_logs=False)
    finally:
        stderr = _stop(proc)
    assert "Application startup complete" in stderr
    assert not any(line.startswith("{") for line in stderr.splitlines()), stderr


def test_an_exception_is_one_line_with_its_traceback() -> None:
    try:
        {}["missing"]
    except KeyError:
        record = logging.getLogger("dailypapers.test").makeRecord(
            "dailypapers.test", logging.ERROR, __file__, 1, "failed: %s", ("x",), sys.exc_info()
        )
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "failed: x" and entry["level"] == "ERROR"
    assert entry["exception"].startswith("Traceback")
    assert "KeyError: 'missing'" in entry["exception"]
