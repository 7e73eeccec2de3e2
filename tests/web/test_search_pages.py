"""/search, /api/search, /api/papers/search and similar papers, on real HF rows.

Two databases per module hold the first 300 rows of the shared HF daily-papers set plus one
crafted paper with markup in its title: one with no vectors (keyword-only), one with the
session's precomputed vectors of the real int8 MiniLM embedder (search_support.py).
Nothing here writes to them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import jsonschema
import pytest
from fastapi.testclient import TestClient

from dailypapers.app import create_app
from dailypapers.config import Settings
from dailypapers.search.embedder import MiniLMEmbedder
from dailypapers.services.bootstrap import Services, bootstrap
from tests.databases import sqlite_copy
from tests.web.support import fixed_clock, hf_row, write_jsonl

pytest_plugins = ("tests.integration.search_support",)

PART123 = "2405.16888"  # "Part123: Part-aware 3D Reconstruction from a Single-view Image"
PARAPHRASE = "rebuilding a three-dimensional object and its components from one photograph"
EVIL_ID = "2405.99999"
EVIL_TITLE = 'Zebrafish <script>alert("x")</script> & friends'


def _client(
    folder: Path, minilm: MiniLMEmbedder, hf_sample: Path, vectors: Path | None
) -> tuple[TestClient, Services]:
    settings = Settings(data_dir=folder, database_url=sqlite_copy(folder / "dailypapers.db"))
    services = bootstrap(settings, clock=fixed_clock, embedder=minilm)
    services.upgrade_schema()
    evil = write_jsonl(
        folder / "evil.jsonl.gz",
        [hf_row(EVIL_ID, "2024-05-28", title=EVIL_TITLE, abstract="Zebrafish <b>swim</b>.")],
    )
    for path in (hf_sample, evil):
        report = services.imports.import_file(path, "hf-daily")
        assert report.skipped == 0, report.errors
    if vectors is not None:
        assert services.embedding.import_vectors(vectors) > 0
    return TestClient(create_app(services)), services


@pytest.fixture(scope="module")
def keyword_client(
    tmp_path_factory: pytest.TempPathFactory, minilm: MiniLMEmbedder, hf_sample: Path
) -> Iterator[TestClient]:
    client, services = _client(tmp_path_factory.mktemp("kw"), minilm, hf_sample, None)
    yield client
    client.close()
    services.close()


@pytest.fixture(scope="module")
def indexed_client(
    tmp_path_factory: pytest.TempPathFactory,
    minilm: MiniLMEmbedder,
    hf_sample: Path,
    sample_vectors: Path,
) -> Iterator[TestClient]:
    client, services = _client(tmp_path_factory.mktemp("ix"), minilm, hf_sample, sample_vectors)
    yield client
    client.close()
    services.close()


def _marks(html: str) -> list[str]:
    return re.findall(r"<mark>(.*?)</mark>", html)


# --- the search page ------------------------------------------------------------------------
def test_search_page_marks_the_query_terms_in_hits(keyword_client: TestClient) -> None:
    response = keyword_client.get("/search", params={"q": "reconstruction", "mode": "keyword"})
    assert response.status_code == 200
    assert 'class="papers search-results"' in response.text
    marks = _marks(response.text)
    assert marks and all(m.lower().startswith("reconstruct") for m in marks)
    assert f'href="/papers/{PART123}"' in response.text
    # The form keeps what was asked.
    assert 'value="reconstruction"' in response.text
    assert '<option value="keyword" selected>' in response.text


def test_markup_in_a_title_is_shown_escaped_not_run(keyword_client: TestClient) -> None:
    response = keyword_client.get("/search", params={"q": "zebrafish"})
    assert response.status_code == 200
    assert "<script>alert" not in response.text
    assert "<b>swim" not in response.text
    assert "<mark>Zebrafish</mark> &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp;" in (
        response.text
    )


def test_search_says_it_ran_keyword_only_before_indexing(keyword_client: TestClient) -> None:
    page = keyword_client.get("/search", params={"q": "reconstruction", "format": "json"}).json()
    assert page["mode"] == "hybrid" and page["mode_used"] == "keyword"
    assert "not available yet" in page["notice"]
    html = keyword_client.get("/search", params={"q": "reconstruction"}).text
    assert "Semantic search is not available yet" in html


def test_semantic_hit_shows_its_closest_sentence(indexed_client: TestClient) -> None:
    params = {"q": PARAPHRASE, "mode": "semantic", "limit": 5}
    page = indexed_client.get("/search", params={**params, "format": "json"}).json()
    assert page["mode_used"] == "semantic" and page["notice"] is None
    first = page["items"][0]
    assert first["id"] == PART123
    why = first["rationale"]
    assert why["sentence_text"] and 0 < why["sentence_similarity"] <= 1
    html = indexed_client.get("/search", params=params).text
    sentence = why["sentence_text"].replace("'", "&#39;").replace('"', "&#34;")
    assert f"Closest sentence: “{sentence}”" in html


def test_pagination_links_keep_the_parameters(keyword_client: TestClient) -> None:
    params = {"q": "model", "mode": "keyword", "sort": "upvotes", "limit": 2, "format": "json"}
    page = keyword_client.get("/search", params=params).json()
    assert page["total"] > 2 and len(page["items"]) == 2
    assert page["previous_page_url"] is None
    nxt = page["next_page_url"]
    for part in ("q=model", "mode=keyword", "sort=upvotes", "limit=2", "p=1"):
        assert part in nxt
    second = keyword_client.get(f"{nxt}&format=json").json()
    assert second["page"] == 1 and second["items"][0]["rank"] == 3
    upvotes = [i["upvotes"] for i in page["items"] + second["items"]]
    assert upvotes == sorted(upvotes, reverse=True)


def test_empty_query_shows_the_form_only(keyword_client: TestClient) -> None:
    response = keyword_client.get("/search")
    assert response.status_code == 200
    assert 'class="search-options"' in response.text
    assert "search-results" not in response.text
    assert 'class="count"' not in response.text and "form-notice" not in response.text


@pytest.mark.parametrize(
    "params",
    [{"q": "x" * 251}, {"q": "model", "from": "yesterday"}, {"q": "model", "mode": "magic"}],
)
def test_bad_parameters_get_the_400_page(keyword_client: TestClient, params: dict) -> None:
    response = keyword_client.get("/search", params=params)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")


# --- the API -------------------------------------------------------------------------------
def test_hf_search_api_returns_hf_shaped_items(indexed_client: TestClient) -> None:
    response = indexed_client.get("/api/papers/search", params={"q": "3D reconstruction"})
    assert response.status_code == 200
    items = response.json()
    assert isinstance(items, list) and items
    assert PART123 in [item["paper"]["id"] for item in items]
    for item in items:
        paper = item["paper"]
        assert {"id", "title", "summary", "authors", "upvotes"} <= paper.keys()
        assert item["title"] == paper["title"] and item["summary"] == paper["summary"]
        assert "numComments" in item
    limited = indexed_client.get("/api/papers/search", params={"q": "model", "limit": 3}).json()
    assert len(limited) == 3


def test_search_api_spans_point_at_the_query_term(indexed_client: TestClient) -> None:
    body = indexed_client.get(
        "/api/search", params={"q": "reconstruction", "limit": 10, "sort": "relevance"}
    ).json()
    assert body["mode_used"] == "hybrid" and body["hits"]
    assert {"query", "mode", "notice", "total", "page", "limit", "took_ms"} <= body.keys()
    spans_seen = 0
    for hit in body["hits"]:
        why = hit["rationale"]  # the hit's shape is the search page's (presenters.search_hits)
        for field, text in (("title_spans", hit["title"]), ("abstract_spans", hit["abstract"])):
            for start, end in why[field]:
                assert text[start:end].lower().startswith("reconstruct")
                spans_seen += 1
        if why["sentence"] is not None:
            start, end = why["sentence"]
            assert hit["abstract"][start:end] == why["sentence_text"]
    assert spans_seen > 0
    first = next(h for h in body["hits"] if h["id"] == PART123)
    assert first["rationale"]["matched_terms"] == ["reconstruction"]


@pytest.mark.parametrize(
    ("params", "shown"),
    [
        # A filter left none: the page blames it and offers the words without filters.
        ({"q": "reconstruction", "category": "zz.NONE"}, {"emptied_by", "broader"}),
        # A misspelt word: "Did you mean", and a search by meaning as well.
        ({"q": "reconstrution", "mode": "keyword"}, {"suggestion", "broader"}),
        # A phrase no paper holds: the words without their quotes.
        ({"q": '"zebrafish reconstruction"', "mode": "keyword"}, {"broader"}),
    ],
)
def test_search_api_says_what_the_search_page_says_about_an_empty_result(
    keyword_client: TestClient, params: dict, shown: set[str]
) -> None:
    page = keyword_client.get("/search", params={**params, "format": "json"}).json()
    api = keyword_client.get("/api/search", params=params).json()
    assert page["total"] == api["total"] == 0
    assert {k for k in ("emptied_by", "broader", "suggestion") if page[k]} == shown
    assert api["emptied_by"] == page["emptied_by"]
    assert api["suggestion"] == (page["suggestion"] and page["suggestion"]["query"])
    broader = api["broader"]
    assert broader["label"] == page["broader"]["label"]
    asked = parse_qs(urlsplit(page["broader"]["url"]).query)  # the page's link, as parameters
    assert [broader["query"]] == asked["q"]
    assert broader["mode"] == asked.get("mode", ["hybrid"])[0]
    filters = {k: v for k, v in broader["filters"].items() if v not in (None, False)}
    assert filters == {k: v[0] for k, v in asked.items() if k in ("from", "to", "category")}
    # The OpenAPI document declares these fields, and the answer fits what it declares.
    spec = keyword_client.get("/openapi.json").json()
    ok = spec["paths"]["/api/search"]["get"]["responses"]["200"]["content"]["application/json"]
    assert {"emptied_by", "broader", "suggestion"} <= set(_properties(spec, ok["schema"]))
    jsonschema.Draft202012Validator({**ok["schema"], **spec}).validate(api)


def _properties(spec: dict, schema: dict) -> dict:
    if "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema.get("properties", {})


def test_over_long_query_is_a_400_json_error(indexed_client: TestClient) -> None:
    ours = indexed_client.get("/api/search", params={"q": "x" * 251})
    assert ours.status_code == 400
    assert ours.json()["error"]["code"] == "bad_request"
    assert "250" in ours.json()["error"]["message"]
    hfs = indexed_client.get("/api/papers/search", params={"q": "x" * 251})
    assert hfs.status_code == 400  # in Hugging Face's error shape
    assert hfs.json()["code"] == "bad_request" and "250" in hfs.json()["error"]


# --- similar papers ------------------------------------------------------------------------
def test_paper_page_lists_similar_papers_but_not_itself(indexed_client: TestClient) -> None:
    view = indexed_client.get(f"/papers/{PART123}", params={"format": "json"}).json()
    similar = view["similar"]
    assert 1 <= len(similar) <= 6
    assert PART123 not in [s["id"] for s in similar]
    assert all(s["reason"] and s["url"] == f"/papers/{s['id']}" for s in similar)
    html = indexed_client.get(f"/papers/{PART123}").text
    assert "Similar papers" in html
    assert f'href="{similar[0]["url"]}"' in html


def test_paper_without_vectors_has_no_similar_section(keyword_client: TestClient) -> None:
    view = keyword_client.get(f"/papers/{PART123}", params={"format": "json"}).json()
    assert view["similar"] == []
    assert "Similar papers" not in keyword_client.get(f"/papers/{PART123}").text


def test_a_pasted_arxiv_url_opens_the_paper_and_the_api_returns_it_first(
    indexed_client: TestClient,
) -> None:
    for pasted in (PART123, f"arxiv.org/pdf/{PART123}v1", f"huggingface.co/papers/{PART123}"):
        page = indexed_client.get("/search", params={"q": pasted}, follow_redirects=False)
        assert page.status_code == 303 and page.headers["location"] == f"/papers/{PART123}"
    api = indexed_client.get("/api/search", params={"q": f"arxiv.org/abs/{PART123}"}).json()
    assert api["opened"] == PART123 and api["hits"][0]["id"] == PART123
    assert 0 < api["embedded_fraction"] < 1  # 80 of 301 papers have vectors
    unknown = indexed_client.get("/search", params={"q": "2101.00001"}, follow_redirects=False)
    assert unknown.status_code == 200
