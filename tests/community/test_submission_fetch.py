"""Submitting a paper the database lacks, while a person waits on the form (issue 10 item 5).

arXiv is the recorded-response server of the ingest tests (a real local HTTP server), slowed
down or replaced by a closed port. An id whose month is too old is refused before any request;
a slow or unreachable arXiv ends within `submission_fetch_timeout_s` with words a person can
act on, never a transport exception's name.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from dailypapers.domain.arxiv_ids import id_month, month_after
from dailypapers.errors import BadRequest, SourceError
from dailypapers.services.bootstrap import Services
from tests.community.conftest import CHEAP_ARGON2, PASSWORD
from tests.conftest import make_services
from tests.databases import sqlite_copy
from tests.ingest.conftest import upstream_settings
from tests.ingest.server import RecordedServer, xml
from tests.live_server import free_port

ATOM_ONE_PAPER = """<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/"
      xmlns:arxiv="http://arxiv.org/schemas/atom">
  <opensearch:totalResults>1</opensearch:totalResults>
  <entry>
    <id>http://arxiv.org/abs/2608.41234v1</id>
    <updated>2026-08-19T17:00:00Z</updated>
    <published>2026-08-19T17:00:00Z</published>
    <title>A Paper From This Week</title>
    <summary>Fetched from the recorded arXiv.</summary>
    <author><name>Ada Lovelace</name></author>
    <arxiv:primary_category term="cs.CL"/>
  </entry>
</feed>
"""


def _services(tmp_path: Path, **settings: object) -> Services:
    url = sqlite_copy(tmp_path / "submit.db")
    return make_services(tmp_path, url, **CHEAP_ARGON2, **settings)


@pytest.fixture
def server() -> Iterator[RecordedServer]:
    """The recorded arXiv (as in tests/ingest)."""
    recorded = RecordedServer().start()
    yield recorded
    recorded.stop()


@pytest.fixture
def arxiv(tmp_path: Path, server: RecordedServer) -> Iterator[Services]:
    services = _services(tmp_path, **upstream_settings(server))
    yield services
    services.close()


def _alice(services: Services):
    return services.community.accounts.create_user("alice", "alice@example.org", PASSWORD)


def test_an_id_from_a_month_long_past_is_refused_without_asking_arxiv(
    arxiv: Services, server: RecordedServer
) -> None:
    server.script("/api/query", [xml(ATOM_ONE_PAPER)])
    alice = _alice(arxiv)
    with pytest.raises(BadRequest, match=r"published in May 2026 .*last 14 days"):
        arxiv.community.submissions.submit(alice, "2605.01234")
    with pytest.raises(BadRequest, match="published in January 1999"):
        arxiv.community.submissions.submit(alice, "hep-th/9901001")
    assert server.requests() == []


def test_an_id_from_this_month_is_fetched_and_submitted(
    arxiv: Services, server: RecordedServer
) -> None:
    server.script("/api/query", [xml(ATOM_ONE_PAPER)])
    item = arxiv.community.submissions.submit(_alice(arxiv), "2608.41234")
    assert (item.paper.title, item.submitted_by) == ("A Paper From This Week", "alice")
    assert [r.query["id_list"] for r in server.requests("/api/query")] == ["2608.41234"]


def test_a_slow_arxiv_is_given_up_on_after_the_submission_budget_with_words(
    tmp_path: Path, server: RecordedServer
) -> None:
    # Each reply would arrive after the read timeout (2 s); without a budget the client
    # would try http_max_tries (4) times, with backoff, while the person waits.
    server.script("/api/query", [xml(ATOM_ONE_PAPER, delay_s=3)])
    settings = upstream_settings(server, submission_fetch_timeout_s=0.5)
    services = _services(tmp_path, **settings)
    try:
        with pytest.raises(SourceError) as caught:
            services.community.submissions.submit(_alice(services), "2608.41234")
    finally:
        services.close()
    message = caught.value.message
    assert "did not answer in time or could not be reached" in message
    assert "try again" in message and "Timeout" not in message
    assert len(server.requests("/api/query")) == 1


def test_an_unreachable_arxiv_is_reported_in_words_not_as_a_connect_error(
    tmp_path: Path, server: RecordedServer
) -> None:
    closed = f"http://127.0.0.1:{free_port()}/api/query"
    services = _services(tmp_path, **upstream_settings(server, arxiv_api_url=closed))
    try:
        with pytest.raises(SourceError) as caught:
            services.community.submissions.submit(_alice(services), "2608.41234")
    finally:
        services.close()
    message = caught.value.message
    assert message.startswith("could not fetch 2608.41234 from arXiv: arXiv did not answer")
    assert "ConnectError" not in message and "127.0.0.1" not in message


@pytest.mark.parametrize(
    "base,month,after",
    [
        ("2608.19880", "2026-08-01", "2026-09-01"),
        ("2512.00001", "2025-12-01", "2026-01-01"),
        ("0704.0001", "2007-04-01", "2007-05-01"),
        ("hep-th/9901001", "1999-01-01", "1999-02-01"),
        ("math.GT/0309136", "2003-09-01", "2003-10-01"),
    ],
)
def test_an_ids_month_is_read_from_the_id(base: str, month: str, after: str) -> None:
    assert id_month(base).date().isoformat() == month
    assert month_after(id_month(base)).date().isoformat() == after
