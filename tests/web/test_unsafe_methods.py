"""A method no route takes is a 405 (and a path no route has a 404), not a CSRF 403.

The CSRF check runs before routing; it once refused PUT /healthz with 403, telling a client
its form had expired when the method was simply not allowed.
"""

from __future__ import annotations

from tests.web.conftest import MakeClient


def test_unsafe_methods_no_route_takes_are_405_and_unknown_paths_404(
    make_client: MakeClient,
) -> None:
    client, _ = make_client()
    for method in ("PUT", "PATCH", "DELETE", "POST"):
        response = client.request(method, "/healthz")
        assert response.status_code == 405, method
        assert "GET" in response.headers["allow"]
    assert client.post("/no/such/page").status_code == 404
    assert client.post("/login", data={"login": "a", "password": "b"}).status_code == 403
