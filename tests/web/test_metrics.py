"""`/metrics`: Prometheus text with latency by route template, statuses, pools and jobs."""

from __future__ import annotations

import re

from tests.web.conftest import MakeClient
from tests.web.support import FIXED_NOW, api_fixture


def _sample(body: str, name: str, **labels: str) -> float:
    for line in body.splitlines():
        match = re.fullmatch(rf"{name}(?:\{{(.*)\}})? (\S+)", line)
        if match:
            found = dict(re.findall(r'(\w+)="([^"]*)"', match.group(1) or ""))
            if all(found.get(k) == v for k, v in labels.items()):
                return float(match.group(2))
    raise AssertionError(f"no sample {name} {labels} in:\n{body}")


def test_metrics_count_requests_by_route_template_and_status(make_client: MakeClient) -> None:
    client, services = make_client(api_fixture("2025-07-24"))
    for day in ("2025-07-24", "2025-07-23", "2025-07-22"):
        assert client.get(f"/date/{day}").status_code == 200
    assert client.get("/api/daily_papers", params={"date": "2025-07-24"}).status_code == 200
    assert client.get("/no/such/page").status_code == 404
    services.jobs.enqueue("embed", "some-batch", {"ids": []})

    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    body = response.text
    histogram = "dailypapers_http_request_duration_seconds"
    # One series for the three day pages: the route template, not the URL.
    assert _sample(body, f"{histogram}_count", route="/date/{day}", method="GET") == 3
    assert _sample(body, f"{histogram}_bucket", route="/date/{day}", le="+Inf") == 3
    assert "/date/2025-07-24" not in body
    requests = "dailypapers_http_requests_total"
    assert _sample(body, requests, route="/api/daily_papers", status="200") == 1
    assert _sample(body, requests, route="unmatched", status="404") == 1
    assert _sample(body, "dailypapers_database_up") == 1
    assert _sample(body, "dailypapers_db_pool_connections", engine="read", state="size") >= 1
    assert _sample(body, "dailypapers_jobs", kind="embed", status="queued") == 1
    assert _sample(body, "dailypapers_embedding_backlog_papers") > 0
    assert _sample(body, "dailypapers_data_version") > 0
    assert FIXED_NOW  # the fixed clock makes the job's age a fixed number
    assert _sample(body, "dailypapers_job_oldest_queued_age_seconds") == 0
