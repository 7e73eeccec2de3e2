"""The one HTTP client against a real local server: retries, backoff, timeouts, truncation."""

from __future__ import annotations

import itertools
import json
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from dailypapers.config import Settings
from dailypapers.errors import SourceError
from dailypapers.ingest.http import Fetched, HttpClient, HttpPolicy, MalformedPage, _retry_after
from tests.ingest.conftest import upstream_settings
from tests.ingest.server import RecordedServer, Reply

BODY = b'{"ok": true, "padding": "' + b"x" * 5000 + b'"}'


def client(server: RecordedServer, **overrides: object) -> HttpClient:
    settings = Settings(**upstream_settings(server, **overrides))
    return HttpClient(HttpPolicy.from_settings(settings.ingest, settings.base_url))


def test_503_with_retry_after_is_waited_out_then_succeeds(server: RecordedServer) -> None:
    server.script("/x", [Reply(b"busy", status=503, headers={"Retry-After": "1"}), Reply(BODY)])
    http = client(server)
    started = time.monotonic()
    fetched = http.get(f"{server.url}/x")
    assert isinstance(fetched, Fetched) and fetched.body == BODY and fetched.tries == 2
    seen = server.requests("/x")
    assert len(seen) == 2 and seen[1].at - seen[0].at >= 0.95
    assert time.monotonic() - started >= 0.95


def test_retry_after_as_an_http_date_and_as_seconds() -> None:
    soon = datetime.now(UTC) + timedelta(seconds=30)
    assert 25 <= _retry_after(httpx.Headers({"Retry-After": format_datetime(soon, True)})) <= 30
    assert _retry_after(httpx.Headers({"Retry-After": "7"})) == 7
    assert _retry_after(httpx.Headers({"Retry-After": "soon"})) is None


def test_a_retry_after_beyond_the_limit_fails_at_once(server: RecordedServer) -> None:
    server.script("/x", [Reply(b"", status=429, headers={"Retry-After": "3600"}), Reply(BODY)])
    with pytest.raises(SourceError, match="retry after 3600 s, more than http_max_retry_after_s"):
        client(server, http_max_retry_after_s=60).get(f"{server.url}/x")
    assert len(server.requests("/x")) == 1


def test_a_4xx_is_not_retried_and_says_why(server: RecordedServer) -> None:
    server.script("/x", [Reply(b"no such thing", status=404, content_type="text/plain")])
    with pytest.raises(SourceError, match="HTTP 404 \\(not retried\\): no such thing"):
        client(server).get(f"{server.url}/x")
    assert len(server.requests("/x")) == 1


def test_429_and_5xx_are_retried_until_the_last_try(server: RecordedServer) -> None:
    server.script("/x", [Reply(b"", status=429), Reply(b"", status=502), Reply(b"", status=500)])
    with pytest.raises(SourceError, match="failed after 4 tries: HTTP 500"):
        client(server).get(f"{server.url}/x")
    assert len(server.requests("/x")) == 4


def test_a_connection_reset_mid_body_is_retried(server: RecordedServer) -> None:
    server.script("/x", [Reply(BODY, cut_at=1000), Reply(BODY)])
    fetched = client(server).get(f"{server.url}/x")
    assert fetched.body == BODY and fetched.tries == 2


def test_an_incomplete_chunked_body_is_retried(server: RecordedServer) -> None:
    server.script("/x", [Reply(BODY, chunked=True, cut_at=2000), Reply(BODY, chunked=True)])
    fetched = client(server).get(f"{server.url}/x")
    assert fetched.body == BODY and fetched.tries == 2


def test_a_server_slower_than_the_read_timeout_is_retried(server: RecordedServer) -> None:
    server.script("/x", [Reply(BODY, delay_s=1.5), Reply(BODY)])
    fetched = client(server, http_read_timeout_s=0.5).get(f"{server.url}/x")
    assert fetched.body == BODY and fetched.tries == 2


def test_a_server_that_is_always_too_slow_fails_with_the_reason(server: RecordedServer) -> None:
    server.script("/x", [Reply(BODY, delay_s=0.6)])
    with pytest.raises(SourceError, match="failed after 2 tries: timed out \\(ReadTimeout\\)"):
        client(server, http_read_timeout_s=0.3, http_max_tries=2).get(f"{server.url}/x")


def test_an_unusable_body_is_fetched_again(server: RecordedServer) -> None:
    server.script("/x", [Reply(b"[{"), Reply(b"[1, 2]")])

    def parse(fetched: Fetched) -> list:
        try:
            return json.loads(fetched.body)
        except ValueError as exc:
            raise MalformedPage(f"invalid JSON ({exc})") from None

    assert client(server).get(f"{server.url}/x", parse=parse) == [1, 2]


def test_requests_to_one_host_keep_the_polite_delay(server: RecordedServer) -> None:
    server.script("/x", [Reply(BODY)])
    http = client(server, http_host_delay_s=0.4)
    for _ in range(3):
        http.get(f"{server.url}/x")
    at = [s.at for s in server.requests("/x")]
    assert all(later - earlier >= 0.38 for earlier, later in itertools.pairwise(at))


def test_user_agent_names_dailypapers_and_the_contact(server: RecordedServer) -> None:
    server.script("/x", [Reply(BODY)])
    client(server).get(f"{server.url}/x")
    agent = server.requests("/x")[0].headers["User-Agent"]
    assert agent.startswith("dailypapers/") and "mailto:ops@example.org" in agent


def test_a_response_over_the_size_limit_is_refused(server: RecordedServer) -> None:
    server.script("/x", [Reply(BODY)])
    with pytest.raises(SourceError, match="larger than http_max_response_bytes"):
        client(server, http_max_response_bytes=1000).get(f"{server.url}/x")
