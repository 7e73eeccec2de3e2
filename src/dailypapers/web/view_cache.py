"""The part of a page that is the same for every viewer, kept per data version, so a
logged-in view costs its viewer's part only.

The page cache (web/page_cache.py) answers anonymous visitors with whole responses, but a
logged-in page differs per viewer (their upvotes, their CSRF token in every form, their menu)
and used to load the whole page again: the day's papers, their counts and the neighbouring
days, or a paper and its similar papers. Those loads don't depend on who asks. `shared_view`
keeps them in this process's memory under the route's own key and the data version
(storage/data_version.py: triggers bump it in the transaction of every visible write), and
the route adds the viewer's state to them per request: the viewer's votes among the shown
papers (one indexed query), the session's CSRF token and the viewer's menu (`pages.respond`),
presented and rendered as before. So every page stays whole with JavaScript off, its JSON
twin is the same view model, and a vote (anyone's, in any process) shows on the next request:
it moves the version, and an entry of another version is never used.

The version is read before the view is built, so a write that lands while it is built leaves
an entry under the older version, which the next request passes over. Anonymous misses of the
page cache (another representation or encoding of the same page) reuse the view as well.
Bounded like the page cache and switched with it: `page_cache_enabled`,
`page_cache_max_entries` (least recently used goes first) and `page_cache_ttl_s` (time passes
without writes: the newest day, trending scores). `X-View-Cache: hit | miss` on the response
says whether the shared part was reused; `/metrics` counts both
(`dailypapers_page_cache_view_hits_total`, `..._view_misses_total`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from starlette.requests import Request

from dailypapers import deps
from dailypapers.config import WebSettings
from dailypapers.web.versioned_lru import VersionedLru

T = TypeVar("T")
HEADER = "X-View-Cache"


@dataclass
class ViewCache:
    """Viewer-independent views of one process, each valid for one data version."""

    max_entries: int
    ttl_s: float
    clock: Callable[[], float] = time.monotonic
    _lock: threading.Lock = field(default_factory=threading.Lock)
    counts: dict[str, int] = field(default_factory=lambda: {"view_hits": 0, "view_misses": 0})

    def __post_init__(self) -> None:
        self.entries: VersionedLru[Any] = VersionedLru(self.max_entries, self.ttl_s, self.clock)

    @classmethod
    def from_settings(cls, settings: WebSettings) -> ViewCache:
        return cls(settings.page_cache_max_entries, settings.page_cache_ttl_s)

    def get_or_build(self, key: tuple, version: int, build: Callable[[], T]) -> tuple[T, bool]:
        """The view kept for `key` at `version`, else `build()` kept (and whether it was
        kept: a hit)."""
        found = self.entries.get(key, version)
        with self._lock:
            self.counts["view_hits" if found is not None else "view_misses"] += 1
        if found is not None:
            return found, True
        value = build()  # outside any lock: other requests go on meanwhile
        self.entries.put(key, version, value)
        return value, False

    def stats(self) -> dict[str, int]:
        with self._lock:
            return dict(self.counts)


def shared_view(request: Request, key: tuple, build: Callable[[], T]) -> tuple[T, dict[str, str]]:
    """The view for `key` from this process's cache (or `build()`), and the header that says
    which: pass it on with the response."""
    cache: ViewCache | None = getattr(request.app.state, "view_cache", None)
    if cache is None:
        return build(), {}
    version = deps.data_version(request)
    value, hit = cache.get_or_build(key, version, build)
    return value, {HEADER: "hit" if hit else "miss"}
