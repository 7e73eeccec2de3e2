"""What the page cache and the view cache share: values kept per key for one data version,
least recently used out first, none older than a time to live.

An entry of another data version (storage/data_version.py: every visible write bumps it) is
never returned, and is dropped when met, so a write shows on the next request in every
process. Thread-safe: the app's routes run in a thread pool.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class VersionedLru(Generic[V]):
    def __init__(
        self, max_entries: int, ttl_s: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.max_entries = max_entries
        self.ttl_s = ttl_s
        self.clock = clock
        self._entries: OrderedDict[Hashable, tuple[int, float, V]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, version: int) -> V | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            kept_version, stored_at, value = found
            if kept_version != version or self.clock() - stored_at > self.ttl_s:
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return value

    def put(self, key: Hashable, version: int, value: V) -> None:
        with self._lock:
            self._entries[key] = (version, self.clock(), value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def values(self) -> list[V]:
        with self._lock:
            return [value for _, _, value in self._entries.values()]

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)
