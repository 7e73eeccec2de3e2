"""Per-client limits count the socket's peer unless the request came through a trusted proxy.

uvicorn by default believes X-Forwarded-For from anyone on 127.0.0.1, so a local client could
send each failed login as another address and never meet the per-client limit. Over a real
socket (LiveServer runs with `dailypapers serve`'s options): with no `trusted_proxies`, the
header is ignored; with the proxy named, each forwarded client is counted on its own.
"""

from __future__ import annotations

import re

import httpx

from dailypapers.app import create_app
from tests.community.conftest import MakeServices
from tests.live_server import LiveServer, free_port

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _failed_logins(base: str, n: int) -> list[int]:
    statuses = []
    with httpx.Client(base_url=base) as client:
        token = _CSRF.search(client.get("/login").text)
        assert token
        for i in range(n):
            response = client.post(
                "/login",
                data={"login": f"nobody{i}", "password": "wrong", "csrf_token": token[1]},
                headers={"X-Forwarded-For": f"203.0.113.{i + 1}"},
            )
            statuses.append(response.status_code)
    return statuses


def test_forwarded_addresses_from_an_untrusted_peer_do_not_dodge_the_login_limit(
    make_services: MakeServices,
) -> None:
    port = free_port()
    services = make_services(base_url=f"http://127.0.0.1:{port}", login_max_attempts_per_ip=5)
    with LiveServer(create_app(services), port) as base:
        statuses = _failed_logins(base, 8)
    assert statuses == [401] * 5 + [429] * 3


def test_a_trusted_proxy_s_forwarded_addresses_are_counted_each_on_its_own(
    make_services: MakeServices,
) -> None:
    port = free_port()
    services = make_services(
        base_url=f"http://127.0.0.1:{port}",
        login_max_attempts_per_ip=5,
        trusted_proxies="127.0.0.1",
    )
    with LiveServer(create_app(services), port) as base:
        statuses = _failed_logins(base, 8)
    assert statuses == [401] * 8
