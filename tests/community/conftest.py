"""Fixtures for the community tests: real databases (SQLite file and PostgreSQL), the real
app in-process, a clock the test can move, and a mailer that records what it would send.

argon2 runs with cheap costs here (the settings exist for that); production uses the real
defaults.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from dailypapers.app import create_app
from dailypapers.config import Settings
from dailypapers.domain.papers import DailyEntry, Paper, SourceRecord
from dailypapers.mail.mailer import Hook, Message, SendReceipt
from dailypapers.services.bootstrap import Services, bootstrap
from tests.databases import sqlite_copy
from tests.mail_support import SmtpServer, smtp  # noqa: F401  (the fixture smtp_services needs)

NOW = datetime(2026, 8, 21, 15, 0, tzinfo=UTC)
CHEAP_ARGON2 = {"argon2_time_cost": 1, "argon2_memory_cost_kib": 8, "argon2_parallelism": 1}
# Submissions of unknown papers go to the arXiv source: here a closed local port, one try.
OFFLINE_ARXIV = {"arxiv_api_url": "http://127.0.0.1:9/api/query", "http_max_tries": 1}
PASSWORD = "correct horse battery"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class FakeClock:
    """A clock the test moves by hand (`advance`)."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class RecordingMailer:
    """A `Mailer` (mail/mailer.py) that keeps what it is given instead of sending it."""

    def __init__(self) -> None:
        self.sent: list[Message] = []

    @contextmanager
    def session(self) -> Iterator[RecordingMailer]:
        yield self

    def send(self, message: Message, *, before_final: Hook | None = None) -> SendReceipt:
        if before_final is not None:
            before_final()
        self.sent.append(message)
        return SendReceipt(250, "recorded")

    def last_link(self, path_prefix: str) -> str:
        """The token of the newest mailed link whose path starts with `path_prefix`."""
        for message in reversed(self.sent):
            assert isinstance(message, EmailMessage)
            text = message.get_body(("plain",)).get_content()
            found = re.search(rf"{re.escape(path_prefix)}(\S+)", text)
            if found:
                return found.group(1)
        raise AssertionError(f"no mail with a {path_prefix} link")


MakeServices = Callable[..., Services]


def _community_db(tmp_path: Path) -> str:
    """The one SQLite file services share when given no URL: made once, a migrated copy."""
    path = tmp_path / "community.db"
    return f"sqlite:///{path}" if path.exists() else sqlite_copy(path)


@pytest.fixture
def make_services(tmp_path: Path) -> Iterator[MakeServices]:
    """Services on a given database URL (default: a SQLite file); several may share one
    database, as several web processes would."""
    made: list[Services] = []

    def make(
        database_url: str | None = None,
        *,
        clock: FakeClock | None = None,
        mailer: RecordingMailer | None = None,
        **settings: object,
    ) -> Services:
        url = database_url or _community_db(tmp_path)
        options = {**CHEAP_ARGON2, **OFFLINE_ARXIV, **settings}
        services = bootstrap(
            Settings(data_dir=tmp_path, database_url=url, **options),
            clock=clock or FakeClock(),
            # settings that name a real SMTP server send through it; others record
            mailer=mailer or (None if options.get("mail_backend") == "smtp" else RecordingMailer()),
        )
        services.upgrade_schema()
        made.append(services)
        return services

    yield make
    for services in made:
        services.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def mailer() -> RecordingMailer:
    return RecordingMailer()


@pytest.fixture
def services(
    make_services: MakeServices, database_url: str, clock: FakeClock, mailer: RecordingMailer
) -> Services:
    """Community services on SQLite and on PostgreSQL (the root conftest parametrises)."""
    return make_services(database_url, clock=clock, mailer=mailer)


@pytest.fixture
def sqlite_services(
    make_services: MakeServices, clock: FakeClock, mailer: RecordingMailer
) -> Services:
    return make_services(clock=clock, mailer=mailer)


@pytest.fixture
def client(sqlite_services: Services) -> Iterator[TestClient]:
    with TestClient(create_app(sqlite_services)) as test_client:
        yield test_client


def add_paper(
    services: Services,
    arxiv_id: str,
    *,
    title: str | None = None,
    abstract: str | None = None,
    external_upvotes: int = 0,
    published: datetime | None = None,
    day: date | None = None,
) -> Paper:
    """A paper, featured on `day` (from HF) unless day is None and featured is not wanted."""
    paper = Paper(
        arxiv_id=arxiv_id,
        title=title or f"Paper {arxiv_id}",
        abstract=abstract or f"The abstract of {arxiv_id}.",
        authors=["Ada Lovelace"],
        published_at=published or NOW - timedelta(days=1),
        external_upvotes=external_upvotes,
    )
    entries = [DailyEntry(arxiv_id, day, "hf")] if day else []
    services.papers.upsert([SourceRecord(paper, entries)], now=NOW)
    return paper


def csrf_from(client: TestClient, path: str) -> str:
    """Load a page and return the CSRF token of its forms."""
    page = client.get(path)
    found = _CSRF.search(page.text)
    assert found, f"no CSRF field on {path} ({page.status_code})"
    return found.group(1)


def sign_up(client: TestClient, username: str, *, password: str = PASSWORD) -> None:
    token = csrf_from(client, "/signup")
    response = client.post(
        "/signup",
        data={
            "username": username,
            "email": f"{username}@example.org",
            "password": password,
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert response.status_code == 200 and "Check your mail" in response.text, response.text
    # Signing up logs no one in (its answer can't differ for a registered address): log in.
    assert log_in(client, username, password=password).status_code == 303


def log_in(client: TestClient, login: str, *, password: str = PASSWORD, follow: bool = False):
    token = csrf_from(client, "/login")
    return client.post(
        "/login",
        data={"login": login, "password": password, "csrf_token": token},
        follow_redirects=follow,
    )


def new_client(services: Services) -> TestClient:
    """A second browser on the same site (its own cookie jar)."""
    return TestClient(create_app(services))


@pytest.fixture
def smtp_services(
    tmp_path: Path,
    database_url: str,
    smtp: SmtpServer,  # noqa: F811
) -> Iterator[Services]:
    """Account and subscription mail through the real SMTP server, on both databases."""
    settings = Settings(
        data_dir=tmp_path,
        database_url=database_url,
        **{**CHEAP_ARGON2, **OFFLINE_ARXIV, **smtp.settings()},
    )
    services = bootstrap(settings, clock=FakeClock())
    services.upgrade_schema()
    yield services
    services.close()
