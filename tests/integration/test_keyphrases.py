"""Computed keyphrases on real arXiv rows, on SQLite and PostgreSQL, with the real model:
papers without HF's `ai_keywords` get them from `dailypapers index`'s last step or from the
scheduler's jobs; HF's own keywords are left alone and the HF API never returns ours; the
paper page shows them as computed; For-you's reasons name the ones a paper shares with the
history."""

from __future__ import annotations

import gzip
import itertools
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from dailypapers.app import create_app
from dailypapers.domain.search import STOPWORDS
from dailypapers.search.embedder import MiniLMEmbedder
from dailypapers.search.keyphrases import FILLER
from dailypapers.services.bootstrap import Services
from tests.integration.search_support import (  # noqa: F401
    minilm,
    open_services,
    ticking_clock,
)

ARXIV_ROWS = 24
CHEAP_ARGON2 = {"argon2_time_cost": 1, "argon2_memory_cost_kib": 8, "argon2_parallelism": 1}


def _rows(path: Path, n: int, keep=lambda row: True) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return list(itertools.islice((r for r in map(json.loads, handle) if keep(r)), n))


@pytest.fixture
def mixed(
    tmp_path: Path,
    database_url: str,
    minilm: MiniLMEmbedder,  # noqa: F811
    shared_data: Path,
) -> Iterator[tuple[Services, list[dict], list[dict]]]:
    """Real arXiv-only rows (no ai_keywords) and real HF rows that have ai_keywords."""
    services = open_services(
        tmp_path, database_url, minilm, ticking_clock(), recs_window_days=366, **CHEAP_ARGON2
    )
    arxiv = _rows(shared_data / "arxiv_daily_cs" / "papers.jsonl.gz", ARXIV_ROWS)
    hf = _rows(
        shared_data / "hf_daily_papers" / "daily_papers.jsonl.gz",
        3,
        lambda r: bool(r.get("ai_keywords")),
    )
    for name, rows, kind in (("a.jsonl", arxiv, "arxiv-snapshot"), ("h.jsonl", hf, "hf-daily")):
        path = tmp_path / name
        path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
        assert services.imports.import_file(path, kind).inserted == len(rows)
    yield services, arxiv, hf
    services.close()


def test_index_computes_keyphrases_for_papers_without_hf_keywords_only(mixed) -> None:
    services, arxiv, hf = mixed
    services.embedding.run()
    assert services.keyphrases.pending() == len(arxiv)
    before = services.data_version.current()
    assert services.keyphrases.run() == len(arxiv)
    # The paper page shows them: the page cache must see a new data version.
    assert services.data_version.current() > before
    assert services.keyphrases.pending() == 0
    assert services.keyphrases.run() == 0  # nothing redone

    found = services.keyphrases.for_papers([r["id"] for r in arxiv] + [r["arxiv_id"] for r in hf])
    assert set(found) == {r["id"] for r in arxiv}
    for row in arxiv:
        phrases = found[row["id"]]
        assert 1 <= len(phrases) <= services.settings.keyphrases_per_paper
        text = " ".join((row["title"] + " " + row["abstract"]).split()).casefold()
        for phrase in phrases:
            assert phrase.casefold() in text, (phrase, row["id"])  # taken from the text
            words = phrase.casefold().split()
            assert words[0] not in STOPWORDS | FILLER and words[-1] not in STOPWORDS | FILLER
        folded = [p.casefold() for p in phrases]
        assert len(set(folded)) == len(folded)
        assert not any(a != b and a in b for a in folded for b in folded)  # MMR: no overlap
    for row in hf:  # HF's keywords stay HF's, untouched
        assert services.papers.get(row["arxiv_id"]).ai_keywords == row["ai_keywords"]


def test_a_changed_abstract_gets_new_keyphrases(mixed) -> None:
    services, arxiv, _ = mixed
    services.embedding.run()
    services.keyphrases.run()
    row = arxiv[0]
    changed = {**row, "abstract": "We study quantum error correction with surface codes."}
    path = Path(services.settings.data_dir) / "changed.jsonl"
    path.write_text(json.dumps(changed) + "\n", encoding="utf-8")
    services.imports.import_file(path, "arxiv-snapshot")
    services.embedding.run()
    assert services.keyphrases.pending() == 1
    services.keyphrases.run()
    phrases = [p.casefold() for p in services.keyphrases.for_paper(row["id"])]
    assert any(w in p for p in phrases for w in ("quantum", "surface codes", "error correction"))


def test_the_scheduler_queues_keyphrase_jobs_for_papers_embedded_elsewhere(mixed) -> None:
    services, arxiv, _ = mixed
    services.embedding.run()  # as vectors imported from a file: embedded, no keyphrases
    assert services.keyphrases.pending() == len(arxiv)
    (job,) = [job for job in services.scheduler.due() if job.name == "index"]
    job.run(services.scheduler.stopping)
    assert services.keyphrases.pending() == 0
    assert len(services.keyphrases.for_papers([r["id"] for r in arxiv])) == len(arxiv)


def test_pages_show_computed_keyphrases_and_the_hf_api_only_hf_keywords(mixed) -> None:
    services, arxiv, hf = mixed
    services.embedding.run()
    services.keyphrases.run()
    ours, theirs = arxiv[0]["id"], hf[0]["arxiv_id"]
    phrases = services.keyphrases.for_paper(ours)
    with TestClient(create_app(services)) as client:
        page = client.get(f"/papers/{ours}")
        assert page.status_code == 200
        assert "computed here" in page.text
        for phrase in phrases:
            assert phrase.replace("'", "&#39;") in page.text
        twin = client.get(f"/papers/{ours}", headers={"Accept": "application/json"}).json()
        assert twin["keyphrases"] == phrases and twin["ai_keywords"] == []
        api = client.get(f"/api/papers/{ours}").json()
        assert not api.get("ai_keywords") and "keyphrases" not in json.dumps(api)
        hf_api = client.get(f"/api/papers/{theirs}").json()
        assert hf_api["ai_keywords"] == hf[0]["ai_keywords"]
        assert "computed here" not in client.get(f"/papers/{theirs}").text


def test_for_you_names_the_computed_keyphrases_a_paper_shares_with_the_history(
    mixed, shared_data: Path
) -> None:
    """An arXiv-only paper in the history (it has computed keyphrases) and featured HF
    papers in the window: the reason names its keyphrases that a recommendation says."""
    services, arxiv, _ = mixed
    featured = _rows(shared_data / "hf_daily_papers" / "daily_papers.jsonl.gz", 40)[-30:]
    path = Path(services.settings.data_dir) / "featured.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in featured), encoding="utf-8")
    services.imports.import_file(path, "hf-daily")
    services.embedding.run()
    services.keyphrases.run()
    history = [r["id"] for r in arxiv]
    texts = {r["arxiv_id"]: f"{r['title']} {r['abstract']}" for r in featured}
    found = services.keyphrases.for_papers(history)
    vectors = services.search.engine.embeddings.vectors_for(
        services.embedding.model, history + list(texts)
    )

    def says(arxiv_id: str, phrase: str) -> bool:
        words = " ".join(re.findall(r"[^\W_]+", texts[arxiv_id])).casefold()
        return f" {phrase.casefold()} " in f" {words} "

    pairs = [
        (float(vectors[a] @ vectors[b]), a, b)
        for a in history
        for b in texts
        if any(says(b, p) for p in found[a])
    ]
    assert pairs, "no featured paper says a computed keyphrase of the arXiv papers"
    _, liked, other = max(pairs)
    reader = services.community.accounts.create_user(
        "ada", "ada@example.org", "correct horse battery", verified=True
    )
    services.recommendations.set_feedback(reader, liked, 1)
    recs = services.recommendations.recommend(reader, limit=100).items
    (rec,) = [r for r in recs if r.paper.arxiv_id == other]
    assert [n.arxiv_id for n in rec.reason.neighbours] == [liked]
    assert rec.reason.keyphrases
    assert all(k in found[liked] and says(other, k) for k in rec.reason.keyphrases)
