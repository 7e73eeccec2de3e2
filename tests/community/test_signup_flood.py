"""A sign-up flood is refused early and can't run more password hashes than the setting allows.

Each sign-up hashes a password with argon2id (64 MiB by default); unlimited, 120 sign-ups at
concurrency 40 took a server from 347 MB to 2.4 GB. The limits (per client, site-wide) answer
429 before any hashing, and `password_hash_concurrency` bounds the hashes running at once.
bench/signup_flood_bench.py measures the memory and /healthz latency of the same flood.
"""

from __future__ import annotations

import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
from fastapi.testclient import TestClient

from dailypapers.app import create_app
from dailypapers.services.auth import PasswordHashing
from tests.community.conftest import PASSWORD, MakeServices, csrf_from
from tests.live_server import LiveServer, free_port

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _sign_up(client: TestClient, n: int) -> int:
    data = {
        "username": f"user{n}",
        "email": f"user{n}@example.org",
        "password": PASSWORD,
        "csrf_token": csrf_from(client, "/signup"),
    }
    return client.post("/signup", data=data, follow_redirects=False).status_code


def test_sign_ups_from_one_client_stop_at_the_per_client_limit(
    make_services: MakeServices, database_url: str
) -> None:
    services = make_services(database_url, signups_per_ip_per_hour=3)
    with TestClient(create_app(services)) as client:
        statuses = [_sign_up(client, n) for n in range(6)]
    assert statuses == [200] * 3 + [429] * 3
    assert services.community.accounts.users.by_username("user3") is None


def test_sign_ups_stop_at_the_site_wide_limit(
    make_services: MakeServices, database_url: str
) -> None:
    services = make_services(database_url, signups_per_hour=2, signups_per_ip_per_hour=50)
    with TestClient(create_app(services)) as client:
        statuses = [_sign_up(client, n) for n in range(4)]
    assert statuses == [200, 200, 429, 429]


class CountingHasher:
    """The real argon2 hasher, counting how many hashes run at the same moment."""

    def __init__(self, real: object) -> None:
        self.real = real
        self.lock = threading.Lock()
        self.running = 0
        self.most = 0

    def hash(self, password: str) -> str:
        with self.lock:
            self.running += 1
            self.most = max(self.most, self.running)
        try:
            digest = self.real.hash(password)  # type: ignore[attr-defined]
            time.sleep(0.2)  # as long as a real 64 MiB hash: concurrent sign-ups overlap here
            return digest
        finally:
            with self.lock:
                self.running -= 1

    def __getattr__(self, name: str) -> object:
        return getattr(self.real, name)


def test_concurrent_sign_ups_over_http_run_at_most_the_allowed_hashes_at_once(
    make_services: MakeServices,
) -> None:
    port = free_port()
    services = make_services(
        base_url=f"http://127.0.0.1:{port}",
        password_hash_concurrency=2,
        signups_per_ip_per_hour=100,
        argon2_memory_cost_kib=4096,
    )
    hashing: PasswordHashing = services.community.accounts.passwords
    counter = CountingHasher(hashing.hasher)
    hashing.hasher = counter  # type: ignore[assignment]

    def sign_up(base: str, n: int) -> int:
        with httpx.Client(base_url=base) as client:
            token = _CSRF.search(client.get("/signup").text)
            assert token
            data = {
                "username": f"flood{n}",
                "email": f"flood{n}@example.org",
                "password": PASSWORD,
                "csrf_token": token[1],
            }
            return client.post("/signup", data=data).status_code

    with LiveServer(create_app(services), port) as base, ThreadPoolExecutor(12) as pool:
        statuses = list(pool.map(lambda n: sign_up(base, n), range(12)))
    assert set(statuses) == {200}
    assert counter.most == 2
