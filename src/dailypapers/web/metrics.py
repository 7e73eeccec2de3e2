"""Prometheus metrics at `/metrics`, in the plain text exposition format (written here: the
format is a few lines of text and needs no client library).

- `dailypapers_http_request_duration_seconds` (histogram) and `dailypapers_http_requests_total`
  (counter), labelled by method and *route template* (`/date/{day}`, not the URL, so the
  number of series stays bounded; unmatched paths count as `unmatched`) and, for the counter,
  status. `MetricsMiddleware` measures every request, cached or not.
- Gauges from `OperationsService.snapshot()`: database reachability, connection pools, jobs by
  kind and state, the oldest queued job's age, the embedding backlog, ingest lag per source,
  the data version; page-cache hits, misses and 304s.

Each process reports its own requests (with `serve --workers N`, a scrape sees one process;
scrape each, or sum over the `pid` label); the database-backed gauges are the same from any.
"""

from __future__ import annotations

import os
import threading
import time
from collections import defaultdict
from collections.abc import Iterable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dailypapers.services.operations import OperationsSnapshot

BUCKETS_S = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class RequestMetrics:
    """Latency histograms and status counts, per route template; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._buckets: dict[tuple[str, str], list[int]] = defaultdict(
            lambda: [0] * (len(BUCKETS_S) + 1)
        )
        self._sums: dict[tuple[str, str], float] = defaultdict(float)
        self._statuses: dict[tuple[str, str, int], int] = defaultdict(int)

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        key = (method, route)
        slot = next((i for i, le in enumerate(BUCKETS_S) if seconds <= le), len(BUCKETS_S))
        with self._lock:
            self._buckets[key][slot] += 1
            self._sums[key] += seconds
            self._statuses[(method, route, status)] += 1

    def lines(self) -> Iterable[str]:
        with self._lock:
            buckets = {k: list(v) for k, v in self._buckets.items()}
            sums, statuses = dict(self._sums), dict(self._statuses)
        pid = os.getpid()
        name = "dailypapers_http_request_duration_seconds"
        yield f"# HELP {name} Time to answer a request, by route template."
        yield f"# TYPE {name} histogram"
        for (method, route), counts in sorted(buckets.items()):
            labels = f'method="{_escape(method)}",route="{_escape(route)}",pid="{pid}"'
            running = 0
            for le, n in zip((*BUCKETS_S, "+Inf"), counts, strict=True):
                running += n
                yield f'{name}_bucket{{{labels},le="{le}"}} {running}'
            yield f"{name}_sum{{{labels}}} {sums[(method, route)]:.6f}"
            yield f"{name}_count{{{labels}}} {running}"
        name = "dailypapers_http_requests_total"
        yield f"# HELP {name} Requests answered, by route template and status."
        yield f"# TYPE {name} counter"
        for (method, route, status), n in sorted(statuses.items()):
            labels = f'method="{_escape(method)}",route="{_escape(route)}",status="{status}"'
            yield f'{name}{{{labels},pid="{pid}"}} {n}'


class MetricsMiddleware:
    """Time each HTTP request and record it under its route template."""

    def __init__(self, app: ASGIApp, metrics: RequestMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def recording_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, recording_send)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or scope.get("page_cache_route") or "unmatched"
            self.metrics.observe(scope["method"], template, status, time.perf_counter() - started)


def exposition(
    metrics: RequestMetrics, snapshot: OperationsSnapshot, cache: dict[str, int] | None
) -> str:
    """The whole `/metrics` body."""
    lines = list(metrics.lines())
    lines += _gauge(
        "dailypapers_database_up", "1 when the database answers.", [("", int(snapshot.database_up))]
    )
    pools = [
        (f'engine="{engine}",state="{state}"', n)
        for engine, stats in sorted(snapshot.pools.items())
        for state, n in sorted(stats.items())
    ]
    lines += _gauge("dailypapers_db_pool_connections", "Connection pool of this process.", pools)
    jobs = [
        (f'kind="{_escape(k)}",status="{_escape(s)}"', n)
        for (k, s), n in sorted(snapshot.jobs.items())
    ]
    lines += _gauge("dailypapers_jobs", "Jobs in the queue, by kind and state.", jobs)
    if snapshot.oldest_queued_job_age_s is not None:
        lines += _gauge(
            "dailypapers_job_oldest_queued_age_seconds",
            "Age of the oldest job still queued (job lag).",
            [("", round(snapshot.oldest_queued_job_age_s, 3))],
        )
    if snapshot.embedding_backlog is not None:
        lines += _gauge(
            "dailypapers_embedding_backlog_papers",
            "Papers without a current embedding.",
            [("", snapshot.embedding_backlog)],
        )
    lag = [
        (f'source="{s}"', round(age, 3))
        for s, age in sorted(snapshot.ingest_last_success_age_s.items())
    ]
    lines += _gauge(
        "dailypapers_ingest_last_success_age_seconds",
        "Time since each ingest source last finished a run successfully.",
        lag,
    )
    if snapshot.data_version is not None:
        lines += _gauge(
            "dailypapers_data_version",
            "Writes visible to visitors so far.",
            [("", snapshot.data_version)],
        )
    for name, n in sorted((cache or {}).items()):
        kind = "gauge" if name == "entries" else "counter"
        metric = f"dailypapers_page_cache_{name}" + ("" if kind == "gauge" else "_total")
        lines += [f"# TYPE {metric} {kind}", f'{metric}{{pid="{os.getpid()}"}} {n}']
    return "\n".join(lines) + "\n"


def _gauge(name: str, help_text: str, samples: list[tuple[str, float | int]]) -> list[str]:
    out = [f"# HELP {name} {help_text}", f"# TYPE {name} gauge"]
    out += [
        f"{name}{{{labels}}} {value}" if labels else f"{name} {value}" for labels, value in samples
    ]
    return out


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
