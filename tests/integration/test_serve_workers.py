"""`dailypapers serve --workers N`: N real web processes on one port, one database."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.conftest import FIXED_NOW
from tests.databases import demo_at, sqlite_copy
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


def test_two_workers_on_sqlite_build_one_vector_graph_between_them(tmp_path: Path) -> None:
    """Past `vector_index_exact_limit`, the first worker to search builds the HNSW graph and
    writes it; the other reads it (search/graph_files.py), and every answer is the same.
    Searches come from 8 clients at once on new connections, so both processes get some.

    Each process logs the graph it builds or reads (JSON lines, INFO): one build and one
    read between the two workers, never two builds."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DAILYPAPERS_")}
    env.update(
        {
            "DAILYPAPERS_DATA_DIR": str(tmp_path),
            "DAILYPAPERS_SERVE_RUNS_SCHEDULER": "0",
            "DAILYPAPERS_VECTOR_INDEX_EXACT_LIMIT": "200",  # the demo has 1,219 vectors
            "DAILYPAPERS_LOG_FORMAT": "json",  # every process's INFO lines, the graph's too
        }
    )
    url = sqlite_copy(tmp_path / "site.db", demo_at(FIXED_NOW))  # --demo finds it loaded
    command = [sys.executable, "-m", "dailypapers", "--database-url", url, "serve", "--demo"]
    command += ["--port", str(port), "--workers", "2"]
    proc = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    lines: list[str] = []
    reader = threading.Thread(target=_collect, args=(proc, lines), daemon=True)
    reader.start()
    base = f"http://127.0.0.1:{port}"
    query = {"q": "robots that learn from videos of people"}
    graphs = tmp_path / "vector-graphs"
    try:
        deadline = time.monotonic() + 120

        def search(_: int) -> list[str]:
            with httpx.Client(base_url=base, timeout=30) as fresh:  # a new connection each
                answer = fresh.get("/api/search", params=query)
            assert answer.status_code == 200, answer.text
            return [hit["id"] for hit in answer.json()["hits"]]

        # Until both workers hold a graph (one built it, one read it, or both built one).
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with ThreadPoolExecutor(8) as pool:  # both processes get some of them
                    list(pool.map(search, range(16)))
            except httpx.TransportError:
                time.sleep(0.2)  # not listening yet
                continue
            if len(_graph_events(lines)) >= 2:
                break
            time.sleep(0.1)
        (written,) = graphs.glob("*.hnsw")
        first_write = written.stat().st_ino
        with ThreadPoolExecutor(8) as pool:
            settled = list(pool.map(search, range(64)))
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            pytest.fail("serve did not stop on SIGTERM")
        reader.join(timeout=10)
    output = "".join(lines)
    events = _graph_events(lines)
    # One build between the two workers: the other read the file.
    assert sorted(events) == ["built", "read"], f"graphs {events} by the two workers\n{output}"
    # One file, written once (a second build would have replaced it: a new inode).
    assert [p.stat().st_ino for p in graphs.glob("*.hnsw")] == [first_write], output
    assert all(ids == settled[0] for ids in settled) and settled[0], settled


def _collect(proc: subprocess.Popen, lines: list[str]) -> None:
    """Keep a running process's output lines as they come."""
    assert proc.stdout is not None
    for line in proc.stdout:
        lines.append(line)


def _graph_events(lines: list[str]) -> list[str]:
    """ "built" or "read" for each HNSW graph a process logged (search/graph_files.py)."""
    events = []
    for line in list(lines):
        try:
            message = json.loads(line).get("message", "")
        except (json.JSONDecodeError, AttributeError):
            continue
        for event in ("built", "read"):
            if message.startswith(f"{event} the HNSW graph"):
                events.append(event)
    return events
