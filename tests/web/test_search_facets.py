"""Keyphrase facets on the search page and API (issue 12: keyphrases used by search facets),
on the demo data, whose papers carry HF's ai_keywords."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from dailypapers.domain.search import keyphrase_facets

QUERY = "diffusion"


def test_facets_count_shared_phrases_and_skip_what_the_query_holds() -> None:
    hits = [["Diffusion", "Video Generation"], ["video generation", "LoRA"], ["LoRA"], ["RLHF"]]
    assert keyphrase_facets("diffusion", hits, limit=8) == (("LoRA", 2), ("Video Generation", 2))
    assert keyphrase_facets("diffusion", hits, limit=1) == (("LoRA", 2),)
    assert keyphrase_facets("lora video generation", hits, limit=8) == ()


def _words(text: str) -> list[str]:
    # Keyword search stems (porter): "transformers" holds the phrase "transformer".
    return [w.removesuffix("s") for w in re.findall(r"[a-z0-9]+", text.casefold())]


def _holds(text: str, phrase: str) -> bool:
    words, wanted = _words(text), _words(phrase)
    return any(words[i : i + len(wanted)] == wanted for i in range(len(words)))


def test_keyphrases_shared_by_the_hits_narrow_the_search(demo_client: TestClient) -> None:
    # Issue 12: keyphrases (HF's ai_keywords here) are offered as facets; each is counted on
    # the hits that carry it, and following one keeps only papers holding that phrase.
    view = demo_client.get("/search", params={"q": QUERY, "format": "json"}).json()
    assert view["facets"], "no keyphrase is shared by two hits"
    keywords = {
        item["id"]: [
            k.casefold()
            for k in demo_client.get(f"/api/papers/{item['id']}").json().get("ai_keywords", [])
        ]
        for item in view["items"]
    }
    for facet in view["facets"]:
        carriers = [i for i, ks in keywords.items() if facet["phrase"].casefold() in ks]
        assert facet["count"] == len(carriers) >= 2, facet
    narrow = view["facets"][0]
    html = demo_client.get("/search", params={"q": QUERY}).text
    assert 'aria-label="Narrow by keyphrase"' in html and narrow["phrase"] in html
    narrowed = demo_client.get(narrow["url"] + "&format=json").json()
    assert 0 < narrowed["total"] <= view["total"]
    for item in narrowed["items"]:
        keys = " ; ".join(
            demo_client.get(f"/api/papers/{item['id']}").json().get("ai_keywords", [])
        )
        text = f"{item['title']} {item['abstract']} ; {keys}"
        assert _holds(text, narrow["phrase"]), (item["id"], narrow["phrase"])
    api = demo_client.get("/api/search", params={"q": QUERY}).json()
    assert api["keyphrase_facets"] == [
        {"phrase": f["phrase"], "count": f["count"]} for f in view["facets"]
    ]
