"""The short-query collection made from HF keywords: kinds, relevance, and a date split."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from dailypapers.search.evaluation import read_qrels
from dailypapers.search.short_queries import short_queries, write_collection

HF_ROWS = Path(__file__).parents[3] / "shared/data/hf_daily_papers/daily_papers.jsonl.gz"


def _row(arxiv_id: str, date: str, title: str, keywords: list[str] | None) -> dict:
    return {
        "arxiv_id": arxiv_id,
        "date": date,
        "title": title,
        "abstract": f"abstract of {title}",
        "ai_keywords": keywords,
    }


def test_topics_known_items_and_a_date_split_that_never_mixes(tmp_path: Path) -> None:
    rows = [
        _row("2601.00001", "2026-01-01", "Alpha  paper", ["world models", "a", "b"]),
        _row("2601.00002", "2026-01-02", "Beta paper", ["World Models", "c", "d"]),
        _row("2601.00003", "2026-01-03", "Gamma paper", ["world models", "e", "f"]),
        _row("2601.00004", "2026-03-01", "Delta paper", ["grpo", "g", "h"]),
        _row("2601.00005", "2026-03-02", "Epsilon paper", ["grpo", "i", "j"]),
        _row("2601.00006", "2026-03-03", "Zeta paper", ["grpo", "k", "l"]),
        _row("2601.00007", "2026-03-04", "No keywords", None),
    ]
    corpus, queries = short_queries(rows)
    assert len(corpus) == 7 and corpus[0]["title"] == "Alpha paper"
    topics = {q.text: q for q in queries if q.kind == "topical"}
    assert set(topics) == {"world models", "grpo"}  # case folded; 2-paper keywords left out
    assert topics["world models"].relevant == ("2601.00001", "2601.00002", "2601.00003")
    assert topics["world models"].split == "tune" and topics["grpo"].split == "test"
    by_id = {q.query_id: q for q in queries}
    assert by_id["kw-2601.00001"].text == "world models a b"
    assert by_id["title-2601.00005"].text == "Epsilon paper"
    assert by_id["title-2601.00005"].split == "test"
    assert "title-2601.00007" not in by_id  # no keywords: not judged
    write_collection(tmp_path, corpus, queries)
    tune = read_qrels(tmp_path / "qrels" / "tune.tsv")
    test = read_qrels(tmp_path / "qrels" / "test.tsv")
    assert not set(tune) & set(test)
    judged_test = {doc for rel in test.values() for doc in rel}
    assert judged_test == {"2601.00004", "2601.00005", "2601.00006"}
    assert set(read_qrels(tmp_path / "qrels" / "test-title.tsv")) == {
        f"title-2601.0000{n}" for n in (4, 5, 6)
    }


def test_the_shared_hf_rows_give_hundreds_of_queries_per_split() -> None:
    with gzip.open(HF_ROWS, "rt", encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle]
    _, queries = short_queries(rows)
    for split in ("tune", "test"):
        for kind in ("topical", "keywords", "title"):
            assert sum(q.split == split and q.kind == kind for q in queries) >= 50


def test_author_and_quoted_phrase_queries_judge_the_papers_that_hold_them() -> None:
    def row(n: int, date: str, title: str, abstract: str, authors: list[str]) -> dict:
        return {
            "arxiv_id": f"2601.0000{n}",
            "date": date,
            "title": title,
            "abstract": abstract,
            "authors": [{"name": a} for a in authors],
            "ai_keywords": ["x", "y", "z"],
        }

    rows = [
        row(1, "2026-01-01", "Sparse mixture routing", "We study it.", ["Ada Lovelace", "B"]),
        row(2, "2026-01-02", "Routing again", "Sparse mixtures route.", ["Ada Lovelace"]),
        row(3, "2026-01-03", "Sparse Mixture of experts", "More.", ["Ada Lovelace", "C"]),
        row(4, "2026-03-01", "Dense models", "No sparse here: sparse, mixture.", ["Ada Lovelace"]),
        row(5, "2026-03-02", "Other", "A sparse mixture at last.", ["D"]),
        row(6, "2026-03-03", "Other two", "Nothing.", ["Ada Lovelace"]),
    ]
    _, queries = short_queries(rows)
    by_text = {q.text: q for q in queries}
    ada = ("2601.00001", "2601.00002", "2601.00003", "2601.00004", "2601.00006")
    assert by_text["Ada Lovelace"].relevant == ada and by_text["Ada Lovelace"].kind == "author"
    assert by_text['author:"Ada Lovelace"'].relevant == ada
    assert by_text['author:"Ada Lovelace"'].kind == "author-field"
    assert by_text["Ada Lovelace"].split == "tune"  # the median date of the five papers
    assert "B" not in by_text  # one paper: not an author query
    phrase = by_text['"sparse mixture"']  # a plural folded; crossing a comma is no match
    assert phrase.kind == "phrase"
    assert phrase.relevant == ("2601.00001", "2601.00002", "2601.00003", "2601.00005")
