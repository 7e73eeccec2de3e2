"""The site over a real socket: the base every browser, client and abuse test builds on."""

from __future__ import annotations

from pathlib import Path

import httpx

from dailypapers.app import create_app
from dailypapers.config import Settings
from dailypapers.services.bootstrap import bootstrap
from tests.databases import sqlite_copy
from tests.live_server import LiveServer, free_port


def test_live_server_serves_the_site_over_a_real_socket(tmp_path: Path) -> None:
    port = free_port()
    url = sqlite_copy(tmp_path / "dailypapers.db")
    services = bootstrap(
        Settings(data_dir=tmp_path, database_url=url, base_url=f"http://127.0.0.1:{port}")
    )
    services.upgrade_schema()
    try:
        with LiveServer(create_app(services), port) as base_url:
            health = httpx.get(f"{base_url}/healthz", timeout=10)
            home = httpx.get(f"{base_url}/", timeout=10)
        assert health.json() == {"status": "ok"}
        assert home.status_code == 200
        assert home.headers["content-type"].startswith("text/html")
    finally:
        services.close()
