"""Schemathesis over the whole OpenAPI, with and without a valid API token, on both
databases: whatever it sends, no answer is a 5xx.

A short pass (a few examples per operation) runs with the suite; bench/api_fuzz.py runs a
long one. Large ids, lone surrogates in JSON and odd numbers were 500s before.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings

from dailypapers.app import create_app
from dailypapers.services.bootstrap import Services
from tests.community.conftest import NOW, PASSWORD, add_paper

PAPER = "2608.30001"
# A short pass here; bench/api_fuzz.py sets a long one through this variable.
EXAMPLES = int(os.environ.get("DAILYPAPERS_FUZZ_EXAMPLES", "8"))


@pytest.fixture
def token(services: Services) -> str:
    add_paper(services, PAPER, external_upvotes=3, day=NOW.date())
    user = services.community.accounts.create_user("fuzz", "fuzz@example.org", PASSWORD)
    return services.community.auth.create_api_token(user, "fuzz")[0]


@pytest.fixture
def api_schema(services: Services, token: str):
    return schemathesis.openapi.from_asgi("/openapi.json", create_app(services))


schema = schemathesis.pytest.from_fixture("api_schema")


FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)


def _no_server_error(case, headers: dict[str, str]) -> None:
    response = case.call(headers=headers)
    assert response.status_code < 500, (case.method, case.formatted_path, response.text[:300])


@schema.parametrize()
@FUZZ
def test_no_anonymous_request_gets_a_server_error(case) -> None:
    _no_server_error(case, {})


@schema.parametrize()
@FUZZ
def test_no_valid_token_request_gets_a_server_error(case, token: str) -> None:
    _no_server_error(case, {"Authorization": f"Bearer {token}"})


def test_the_openapi_states_page_bounds_and_error_answers(services: Services) -> None:
    spec = TestClient(create_app(services)).get("/openapi.json").json()
    for path in ("/api/daily_papers", "/api/search"):
        operation = spec["paths"][path]["get"]
        bounds = {p["name"]: p["schema"].get("minimum") for p in operation["parameters"]}
        assert (bounds["p"], bounds["limit"]) == (0, 1), path
        assert {"400", "422"} <= set(operation["responses"]), path
