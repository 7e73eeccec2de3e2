"""The project's one HTTP client: timeouts, polite per-host delays, retries with backoff.

Every upstream request (arXiv API, OAI-PMH, Hugging Face) goes through `HttpClient.get`:
- connect and read timeouts (`http_connect_timeout_s`, `http_read_timeout_s`);
- at least `http_host_delay_s` between the end of one request to a host and the next one
  (arXiv asks for 3 s), shared by every thread of the process;
- retries on timeouts, connection errors, 429 and 5xx, and on bodies that arrive incomplete
  (fewer bytes than Content-Length, a chunked body cut short) or that the caller's parser
  rejects as a whole (`MalformedPage`: invalid JSON, XML cut off before its closing tag).
  The wait doubles each try with random jitter (`http_backoff_s` .. `http_backoff_max_s`), or
  is what the server's Retry-After says (seconds or an HTTP date) up to
  `http_max_retry_after_s`. A 4xx other than 429 is never retried;
- after `http_max_tries` a `SourceError` says what went wrong on the last try;
- a caller a person is waiting on (a paper submission) passes `budget_s`: all tries, waits
  and timeouts together end within about that many seconds, then the same `SourceError`.
A `User-Agent` names dailypapers and the operator's contact (`http_contact`).
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from importlib.metadata import PackageNotFoundError, version
from typing import TypeVar
from urllib.parse import urlsplit

import httpx

from dailypapers.config import IngestSettings
from dailypapers.errors import SourceError

log = logging.getLogger(__name__)

T = TypeVar("T")


class MalformedPage(Exception):
    """The body arrived but can't be used as a whole (cut off, not JSON): fetch it again."""


class Cancelled(Exception):
    """A wait was cut short because the caller is stopping (shutdown, SIGTERM)."""


@dataclass(frozen=True, slots=True)
class HttpPolicy:
    connect_timeout_s: float = 10
    read_timeout_s: float = 60
    max_tries: int = 5
    backoff_s: float = 2.0
    backoff_max_s: float = 120
    max_retry_after_s: float = 600
    host_delay_s: float = 3.0
    max_response_bytes: int = 50_000_000
    user_agent: str = "dailypapers"

    @classmethod
    def from_settings(cls, settings: IngestSettings, base_url: str) -> HttpPolicy:
        return cls(
            connect_timeout_s=settings.http_connect_timeout_s,
            read_timeout_s=settings.http_read_timeout_s,
            max_tries=settings.http_max_tries,
            backoff_s=settings.http_backoff_s,
            backoff_max_s=settings.http_backoff_max_s,
            max_retry_after_s=settings.http_max_retry_after_s,
            host_delay_s=settings.http_host_delay_s,
            max_response_bytes=settings.http_max_response_bytes,
            user_agent=user_agent(settings, base_url),
        )


def user_agent(settings: IngestSettings, base_url: str) -> str:
    try:
        ours = version("dailypapers")
    except PackageNotFoundError:
        ours = "0"
    contact = settings.http_contact.strip() or "no contact configured"
    return f"dailypapers/{ours} (+{base_url}; {contact})"


@dataclass(frozen=True, slots=True)
class Fetched:
    url: str
    status: int
    headers: httpx.Headers
    body: bytes
    tries: int

    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


class _Retry(Exception):
    def __init__(self, reason: str, wait_s: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.wait_s = wait_s


class HttpClient:
    """Thread-safe; one per process (bootstrap builds it). `sleep`/`monotonic` are for tests."""

    def __init__(
        self,
        policy: HttpPolicy,
        *,
        transport: httpx.BaseTransport | None = None,
        rng: Callable[[], float] = random.random,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.policy = policy
        self._rng = rng
        self._monotonic = monotonic
        self._transport = transport
        self._made: httpx.Client | None = None
        self._made_lock = threading.Lock()
        self._host_lock = threading.Lock()
        self._host_free_at: dict[str, float] = {}
        self._host_locks: dict[str, threading.Lock] = {}

    @property
    def _client(self) -> httpx.Client:
        # Made on first use: its TLS context costs ~80 ms to set up, and most processes
        # that build the site (a `search`, a web worker without ingest) never fetch.
        with self._made_lock:
            if self._made is None:
                policy = self.policy
                self._made = httpx.Client(
                    timeout=httpx.Timeout(
                        policy.read_timeout_s,
                        connect=policy.connect_timeout_s,
                        pool=policy.connect_timeout_s,
                    ),
                    headers={"User-Agent": policy.user_agent},
                    follow_redirects=True,
                    transport=self._transport,
                )
            return self._made

    def close(self) -> None:
        with self._made_lock:
            if self._made is not None:
                self._made.close()

    def get(
        self,
        url: str,
        params: dict[str, str] | None = None,
        *,
        parse: Callable[[Fetched], T] | None = None,
        accept: str | None = None,
        cancel: threading.Event | None = None,
        budget_s: float | None = None,
    ) -> T | Fetched:
        """GET `url`, retrying what is worth retrying; return `parse(fetched)` or the body.

        `parse` raising MalformedPage counts as a failed try (the page is fetched again);
        any other exception from it propagates at once. With `budget_s`, no try starts, and
        no timeout or wait runs, past that many seconds from now.
        """
        headers = {"Accept": accept} if accept else {}
        deadline = None if budget_s is None else self._monotonic() + budget_s
        last = "no attempt made"
        for attempt in range(1, self.policy.max_tries + 1):
            try:
                fetched = self._attempt(url, params, headers, attempt, cancel, deadline)
                return parse(fetched) if parse else fetched
            except _Retry as exc:
                last = exc.reason
                wait = exc.wait_s
            except MalformedPage as exc:
                last = f"unusable response: {exc}"
                wait = None
            if attempt == self.policy.max_tries:
                break
            if wait is None:
                wait = self._backoff(attempt)
            elif wait > self.policy.max_retry_after_s:
                raise SourceError(
                    f"GET {_show(url, params)}: {last}; the server asks to retry after "
                    f"{wait:.0f} s, more than http_max_retry_after_s "
                    f"({self.policy.max_retry_after_s:.0f} s)"
                )
            if deadline is not None and self._monotonic() + wait >= deadline:
                raise SourceError(
                    f"GET {_show(url, params)}: no answer within {budget_s:g} s: {last}"
                )
            log.warning(
                "GET %s: %s; try %d of %d again in %.1f s",
                _show(url, params),
                last,
                attempt + 1,
                self.policy.max_tries,
                wait,
            )
            _wait(wait, cancel)
        raise SourceError(
            f"GET {_show(url, params)} failed after {self.policy.max_tries} "
            f"{'try' if self.policy.max_tries == 1 else 'tries'}: {last}"
        )

    # --- one attempt ---------------------------------------------------------------------
    def _attempt(
        self,
        url: str,
        params: dict[str, str] | None,
        headers: dict[str, str],
        attempt: int,
        cancel: threading.Event | None,
        deadline: float | None = None,
    ) -> Fetched:
        host = urlsplit(url).netloc
        lock = self._lock_for(host)
        # One request at a time per host, as arXiv asks; a caller with a deadline waits for
        # its turn only until then.
        if not lock.acquire(timeout=-1 if deadline is None else self._left(deadline)):
            raise _Retry(f"{host} is busy with another request")
        try:
            self._wait_for_host(host, cancel, deadline)
            timeout = None
            if deadline is not None:
                left = self._left(deadline)
                if left <= 0:
                    raise _Retry("no time left to try")
                timeout = httpx.Timeout(
                    min(self.policy.read_timeout_s, left),
                    connect=min(self.policy.connect_timeout_s, left),
                    pool=min(self.policy.connect_timeout_s, left),
                )
            try:
                return self._send(url, params, headers, attempt, timeout)
            finally:
                with self._host_lock:
                    self._host_free_at[host] = self._monotonic() + self.policy.host_delay_s
        finally:
            lock.release()

    def _left(self, deadline: float) -> float:
        return max(0.0, deadline - self._monotonic())

    def _send(
        self,
        url: str,
        params: dict[str, str] | None,
        headers: dict[str, str],
        attempt: int,
        timeout: httpx.Timeout | None = None,
    ) -> Fetched:
        options = {} if timeout is None else {"timeout": timeout}
        try:
            with self._client.stream(
                "GET", url, params=params, headers=headers, **options
            ) as response:
                status = response.status_code
                if status == 429 or status >= 500:
                    response.read()  # let the connection be reused
                    raise _Retry(f"HTTP {status}", _retry_after(response.headers))
                if 400 <= status < 500:
                    snippet = response.read()[:300].decode("utf-8", errors="replace")
                    raise SourceError(
                        f"GET {_show(url, params)}: HTTP {status} (not retried): "
                        f"{' '.join(snippet.split())}"
                    )
                body = self._read_body(response)
                return Fetched(str(response.url), status, response.headers, body, attempt)
        except httpx.TimeoutException as exc:
            raise _Retry(f"timed out ({type(exc).__name__})") from None
        except httpx.RemoteProtocolError as exc:
            raise _Retry(f"incomplete response ({exc})") from None
        except httpx.TransportError as exc:
            raise _Retry(f"connection failed ({type(exc).__name__}: {exc})") from None

    def _read_body(self, response: httpx.Response) -> bytes:
        limit = self.policy.max_response_bytes
        chunks, size = [], 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > limit:
                raise SourceError(
                    f"GET {response.url}: response larger than http_max_response_bytes ({limit})"
                )
            chunks.append(chunk)
        body = b"".join(chunks)
        # h11 already refuses a body shorter than Content-Length; this catches the same cut
        # on any other transport. Compressed bodies are checked by the decoder instead.
        declared = response.headers.get("content-length")
        encoded = response.headers.get("content-encoding", "identity").lower()
        if declared and declared.isdigit() and encoded == "identity" and len(body) != int(declared):
            raise _Retry(f"truncated body: {len(body)} of {declared} bytes")
        return body

    # --- politeness and backoff ----------------------------------------------------------
    def _lock_for(self, host: str) -> threading.Lock:
        with self._host_lock:
            return self._host_locks.setdefault(host, threading.Lock())

    def _wait_for_host(
        self, host: str, cancel: threading.Event | None, deadline: float | None = None
    ) -> None:
        with self._host_lock:
            free_at = self._host_free_at.get(host, 0.0)
        delay = free_at - self._monotonic()
        if delay > 0:
            if deadline is not None and free_at >= deadline:
                raise _Retry(f"{host} asks for a pause between requests; no time left to wait")
            _wait(delay, cancel)

    def _backoff(self, attempt: int) -> float:
        """Exponential, with 'equal jitter': half the step fixed, half random."""
        step = min(self.policy.backoff_max_s, self.policy.backoff_s * 2 ** (attempt - 1))
        return step / 2 + self._rng() * step / 2


def _wait(seconds: float, cancel: threading.Event | None) -> None:
    if cancel is None:
        time.sleep(seconds)
    elif cancel.wait(seconds):
        raise Cancelled("stopping")


def _retry_after(headers: httpx.Headers) -> float | None:
    """Retry-After as seconds from now: delta-seconds or an HTTP date (RFC 9110 10.2.3)."""
    value = headers.get("retry-after")
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _show(url: str, params: dict[str, str] | None) -> str:
    if not params:
        return url
    return str(httpx.URL(url, params=params))
