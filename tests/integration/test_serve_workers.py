"""`dailypapers serve --workers N`: N real web processes on one port, one database."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.live_server import free_port


def test_serve_with_two_workers_answers_from_two_processes_that_each_built_their_services(
    tmp_path: Path, database_url: str
) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DAILYPAPERS_")}
    env.update({"DAILYPAPERS_DATA_DIR": str(tmp_path), "DAILYPAPERS_SERVE_RUNS_SCHEDULER": "0"})
    command = [
        sys.executable,
        "-m",
        "dailypapers",
        "--database-url",
        database_url,
        "serve",
        "--port",
        str(port),
        "--workers",
        "2",
    ]
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        ready = None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                ready = httpx.get(f"{base}/readyz", timeout=5)
                if ready.status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        assert ready is not None and ready.status_code == 200, proc.stdout
        with httpx.Client(base_url=base, timeout=10) as client:
            answers = [client.get("/api/daily_papers") for _ in range(20)]
        assert {a.status_code for a in answers} == {200}
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            output = proc.communicate(timeout=30)[0].decode()
        except subprocess.TimeoutExpired:
            proc.kill()
            pytest.fail("serve did not stop on SIGTERM")
    assert proc.returncode == 0, output
    # Two app processes started (each ran the factory: services of its own) and stopped.
    pids = set(re.findall(r"Started server process \[(\d+)\]", output))
    assert len(pids) == 2 and str(proc.pid) not in pids, output
    assert output.count("Application startup complete") == 2, output
