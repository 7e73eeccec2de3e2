"""The OpenAPI document is valid, types the HF routes, and live answers fit their schemas.

A client generator or a validator should be able to trust `/openapi.json`: it passes an
OpenAPI validator, and what the server really sends for the recorded HF days validates
against the schema the document declares for that route and status.
"""

from __future__ import annotations

from typing import Any

import httpx
import jsonschema
import pytest
from openapi_spec_validator import validate

from tests.clients.conftest import FIXTURE_DAYS, Live


@pytest.fixture(scope="module")
def spec(live: Live) -> dict[str, Any]:
    return httpx.get(f"{live.base_url}/openapi.json", timeout=10).json()


def _schema_of(spec: dict[str, Any], path: str, status: str) -> dict[str, Any]:
    schema = spec["paths"][path]["get"]["responses"][status]["content"]["application/json"][
        "schema"
    ]
    assert schema, f"{path} {status} has an empty schema"
    return {**schema, "components": spec["components"]}


def _check(spec: dict[str, Any], path: str, status: str, body: Any) -> None:
    schema = _schema_of(spec, path, status)
    jsonschema.Draft202012Validator(schema).validate(body)


def test_openapi_document_passes_a_validator(spec: dict[str, Any]) -> None:
    validate(spec)


def test_hf_routes_have_typed_answers_not_empty_objects(spec: dict[str, Any]) -> None:
    for path in ("/api/daily_papers", "/api/papers/{arxiv_id}", "/api/papers/search"):
        schema = _schema_of(spec, path, "200")
        assert "$ref" in schema or "items" in schema, path
    item = spec["components"]["schemas"]["HfDailyItem"]["properties"]
    assert {"paper", "submittedBy", "isAuthorParticipating", "numComments"} <= set(item)
    assert "_id" in spec["components"]["schemas"]["HfAuthor"]["properties"]


@pytest.mark.parametrize("day", FIXTURE_DAYS)
def test_live_daily_papers_fit_their_declared_schema(
    live: Live, spec: dict[str, Any], day: str
) -> None:
    response = httpx.get(f"{live.base_url}/api/daily_papers", params={"date": day}, timeout=10)

    _check(spec, "/api/daily_papers", "200", response.json())


def test_live_paper_search_and_errors_fit_their_declared_schemas(
    live: Live, spec: dict[str, Any]
) -> None:
    paper = httpx.get(f"{live.base_url}/api/papers/2608.19880", timeout=10)
    search = httpx.get(f"{live.base_url}/api/papers/search", params={"q": "video"}, timeout=10)
    missing = httpx.get(f"{live.base_url}/api/papers/2101.00001", timeout=10)
    bad = httpx.get(f"{live.base_url}/api/daily_papers", params={"date": "nope"}, timeout=10)

    _check(spec, "/api/papers/{arxiv_id}", "200", paper.json())
    _check(spec, "/api/papers/search", "200", search.json())
    _check(spec, "/api/papers/{arxiv_id}", "404", missing.json())
    _check(spec, "/api/daily_papers", str(bad.status_code), bad.json())


def test_interactive_docs_load_everything_from_this_site(live: Live) -> None:
    page = httpx.get(f"{live.base_url}/docs", timeout=10)

    assert page.status_code == 200
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert "http" not in page.text.split("<body>")[1].split("</body>")[0].replace(
        '"/openapi.json"', ""
    )
    for asset in ("swagger-ui.css", "swagger-ui-bundle.js", "init.js"):
        response = httpx.get(f"{live.base_url}/docs/assets/{asset}", timeout=10)
        assert response.status_code == 200, asset
        assert len(response.content) > 100, asset
    assert httpx.get(f"{live.base_url}/docs/assets/..%2Fsecret", timeout=10).status_code == 404


def test_documented_422_is_the_error_body_we_really_send(live: Live, spec: dict[str, Any]) -> None:
    response = httpx.get(f"{live.base_url}/api/search", params={"limit": "many"}, timeout=10)

    assert response.status_code == 422
    # The write routes' 422 is FastAPI's generated one, now describing the same translator.
    documented = spec["paths"]["/api/papers/index"]["post"]["responses"]["422"]
    schema = {**documented["content"]["application/json"]["schema"], **spec}
    jsonschema.Draft202012Validator(schema).validate(response.json())
    assert "detail" not in str(spec["components"]["schemas"]["HTTPValidationError"])
    validate(spec)
