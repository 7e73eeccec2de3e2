"""Asking for a password reset tells nothing about whether the address has an account.

The answer is the same, SMTP up or down, and the lookup and the mail happen after the
response; no Server-Timing header reports the app's time unless a setting asks for it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from dailypapers.app import create_app
from dailypapers.config import Settings
from dailypapers.services.bootstrap import Services, bootstrap
from tests.community.conftest import (
    CHEAP_ARGON2,
    OFFLINE_ARXIV,
    PASSWORD,
    FakeClock,
    MakeServices,
    csrf_from,
)
from tests.mail_support import free_port


@pytest.fixture
def smtp_down(tmp_path: Path, database_url: str) -> Iterator[Services]:
    """Account mail goes to an SMTP port where nothing listens."""
    settings = Settings(
        data_dir=tmp_path,
        database_url=database_url,
        mail_backend="smtp",
        smtp_host="127.0.0.1",
        smtp_port=free_port(),
        smtp_security="none",
        smtp_max_attempts=1,
        mail_from="papers@example.org",
        **{**CHEAP_ARGON2, **OFFLINE_ARXIV},
    )
    services = bootstrap(settings, clock=FakeClock())
    services.upgrade_schema()
    yield services
    services.close()


def _ask_reset(client: TestClient, email: str):
    token = csrf_from(client, "/forgot-password")
    return client.post("/forgot-password", data={"email": email, "csrf_token": token})


def test_with_smtp_down_known_and_unknown_addresses_get_the_same_answer(
    smtp_down: Services,
) -> None:
    smtp_down.community.accounts.create_user("ada", "ada@example.org", PASSWORD)
    with TestClient(create_app(smtp_down)) as client:
        known = _ask_reset(client, "ada@example.org")
        unknown = _ask_reset(client, "bob@example.org")
    assert (known.status_code, unknown.status_code) == (200, 200)
    assert known.text.replace("ada@", "bob@") == unknown.text


def test_no_server_timing_header_unless_the_setting_asks(make_services: MakeServices) -> None:
    with TestClient(create_app(make_services())) as client:
        assert "server-timing" not in client.get("/healthz").headers
        assert "server-timing" not in client.get("/forgot-password").headers
    with TestClient(create_app(make_services(server_timing=True))) as client:
        assert client.get("/healthz").headers["server-timing"].startswith("app;dur=")
