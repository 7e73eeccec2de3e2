"""A judged collection of short queries, made from Hugging Face's own paper keywords.

SciFact's queries are long claims; people type two or three words or paste a title. HF's
daily rows carry `ai_keywords` (a few short topical labels per paper), which give three
kinds of judged query without anyone judging:
- topical: a keyword that at least `MIN_TOPIC_PAPERS` papers carry; relevant: those papers;
- known item by keywords: a paper's first three keywords joined; relevant: that paper;
- known item by title: a paper's exact title; relevant: that paper;
- author: the name of an author of at least `MIN_AUTHOR_PAPERS` papers, plain (`author`,
  "Wenhu Chen") and as a field query (`author-field`, `author:"Wenhu Chen"`); relevant: the
  papers that name them;
- phrase: a 2-3-word run of a title, quoted (`"video diffusion"`), with no stopword at
  either end, held by `MIN_PHRASE_PAPERS` to `MAX_PHRASE_PAPERS` papers' titles or
  abstracts; relevant: those papers (words compared lower-cased with a plural `s` folded,
  close to what FTS5's porter stemmer matches), every `PHRASE_STRIDE`-th of them kept.
Queries are split into `tune` and `test` by paper date (a topic, author or phrase by the
median date of its papers) at the median date of the papers with keywords, so figures
chosen on `tune` are checked on `test` papers never looked at. The corpus (every row,
keywords or not) is shared; each document carries its keywords and authors as the site
stores them (keyword search indexes both as fields).
`write_collection` writes the BEIR layout `dailypapers eval beir` reads, with qrels per split
and per kind (`test-topical.tsv`, `test-keywords.tsv`, `test-title.tsv`, `test-author.tsv`,
..., and so for tune).
"""

from __future__ import annotations

import json
import re
import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from dailypapers.domain.search import STOPWORDS

MIN_TOPIC_PAPERS = 3
KNOWN_ITEM_KEYWORDS = 3
MIN_AUTHOR_PAPERS = 4
MIN_PHRASE_PAPERS, MAX_PHRASE_PAPERS = 3, 10
PHRASE_STRIDE = 3
KINDS = ("topical", "keywords", "title", "author", "author-field", "phrase")
_WORD = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_BREAK = re.compile(r"[.,;:!?()\[\]{}\"“”/]|\s[-–—]\s")  # a phrase doesn't cross these
SPLITS = ("tune", "test")


@dataclass(frozen=True, slots=True)
class JudgedQuery:
    query_id: str
    text: str
    kind: str  # one of KINDS
    split: str  # one of SPLITS
    relevant: tuple[str, ...]


def _clean(text: object) -> str:
    return " ".join(str(text or "").split())


def _keywords(row: Mapping) -> list[str]:
    value = row.get("ai_keywords")
    if not isinstance(value, list):
        return []
    return [_clean(k) for k in value if _clean(k)]


def _authors(row: Mapping) -> list[str]:
    value = row.get("authors")
    if not isinstance(value, list):
        return []
    names = [_clean(a.get("name") if isinstance(a, Mapping) else a) for a in value]
    return [n for n in names if n]


def short_queries(rows: Iterable[Mapping]) -> tuple[list[dict], list[JudgedQuery]]:
    """The corpus (`{_id, title, text}`) and the judged queries, from HF daily rows."""
    corpus: dict[str, dict] = {}
    dates: dict[str, str] = {}
    keywords: dict[str, list[str]] = {}
    for row in rows:
        arxiv_id = _clean(row.get("arxiv_id"))
        if not arxiv_id or arxiv_id in corpus:
            continue
        corpus[arxiv_id] = {
            "_id": arxiv_id,
            "title": _clean(row.get("title")),
            "text": _clean(row.get("abstract")),
            # stored on the paper as on the site, so keyword search has its fields to index
            "keywords": _keywords(row),
            "authors": _authors(row),
        }
        dates[arxiv_id] = str(row.get("date") or "")
        keywords[arxiv_id] = _keywords(row)
    judged_dates = sorted(dates[a] for a, words in keywords.items() if words)
    cutoff = statistics.median_low(judged_dates) if judged_dates else ""

    def split_of(date: str) -> str:
        return "tune" if date <= cutoff else "test"

    queries: list[JudgedQuery] = []
    carriers: dict[str, set[str]] = {}
    for arxiv_id, words in keywords.items():
        for word in words:
            carriers.setdefault(word.lower(), set()).add(arxiv_id)
    for number, (word, papers) in enumerate(sorted(carriers.items())):
        if len(papers) < MIN_TOPIC_PAPERS:
            continue
        date = statistics.median_low(sorted(dates[p] for p in papers))
        queries.append(
            JudgedQuery(f"topic-{number}", word, "topical", split_of(date), tuple(sorted(papers)))
        )
    for arxiv_id, words in keywords.items():
        split = split_of(dates[arxiv_id])
        if len(words) >= KNOWN_ITEM_KEYWORDS:
            text = " ".join(words[:KNOWN_ITEM_KEYWORDS])
            queries.append(JudgedQuery(f"kw-{arxiv_id}", text, "keywords", split, (arxiv_id,)))
        title = corpus[arxiv_id]["title"]
        if title and words:  # the same papers as the keyword queries, so the kinds compare
            queries.append(JudgedQuery(f"title-{arxiv_id}", title, "title", split, (arxiv_id,)))
    queries += _author_queries(corpus, dates, split_of)
    queries += _phrase_queries(corpus, dates, split_of)
    return list(corpus.values()), queries


def _author_queries(corpus: dict[str, dict], dates: dict[str, str], split_of) -> list:
    papers: dict[str, set[str]] = {}
    for arxiv_id, doc in corpus.items():
        for name in doc["authors"]:
            papers.setdefault(name, set()).add(arxiv_id)
    queries = []
    for number, (name, theirs) in enumerate(sorted(papers.items())):
        if len(theirs) < MIN_AUTHOR_PAPERS or '"' in name:
            continue
        split = split_of(statistics.median_low(sorted(dates[p] for p in theirs)))
        relevant = tuple(sorted(theirs))
        queries.append(JudgedQuery(f"author-{number}", name, "author", split, relevant))
        queries.append(
            JudgedQuery(
                f"author-field-{number}", f'author:"{name}"', "author-field", split, relevant
            )
        )
    return queries


def _folded(text: str) -> list[str]:
    return [w[:-1] if len(w) > 3 and w.endswith("s") else w for w in _WORD.findall(text.lower())]


def _runs(text: str) -> set[str]:
    """The folded 2- and 3-word runs of `text` that cross no punctuation."""
    runs = set()
    for segment in _BREAK.split(text):
        words = _folded(segment)
        for n in (2, 3):
            runs.update(" ".join(words[i : i + n]) for i in range(len(words) - n + 1))
    return runs


def _phrase_queries(corpus: dict[str, dict], dates: dict[str, str], split_of) -> list:
    holders: dict[str, set[str]] = {}
    for arxiv_id, doc in corpus.items():
        for run in _runs(doc["title"]) | _runs(doc["text"]):
            holders.setdefault(run, set()).add(arxiv_id)
    phrases: dict[str, str] = {}  # folded -> as first written in a title
    for doc in corpus.values():
        for segment in _BREAK.split(doc["title"]):
            words = _WORD.findall(segment.lower())
            for n in (2, 3):
                for i in range(len(words) - n + 1):
                    run = words[i : i + n]
                    edges = (run[0], run[-1])
                    if any(w in STOPWORDS or not re.search("[a-z]", w) for w in edges):
                        continue
                    phrases.setdefault(" ".join(_folded(" ".join(run))), " ".join(run))
    kept = [
        (phrase, sorted(holders[folded]))
        for folded, phrase in sorted(phrases.items())
        if MIN_PHRASE_PAPERS <= len(holders.get(folded, ())) <= MAX_PHRASE_PAPERS
    ]
    queries = []
    for number, (phrase, papers) in enumerate(kept[::PHRASE_STRIDE]):
        split = split_of(statistics.median_low(sorted(dates[p] for p in papers)))
        queries.append(
            JudgedQuery(f"phrase-{number}", f'"{phrase}"', "phrase", split, tuple(papers))
        )
    return queries


def write_collection(folder: Path, corpus: list[dict], queries: list[JudgedQuery]) -> None:
    """The BEIR layout: corpus.jsonl, queries.jsonl, qrels/{split}[-{kind}].tsv."""
    (folder / "qrels").mkdir(parents=True, exist_ok=True)
    with (folder / "corpus.jsonl").open("w", encoding="utf-8") as handle:
        for doc in corpus:
            handle.write(json.dumps(doc, ensure_ascii=False) + "\n")
    with (folder / "queries.jsonl").open("w", encoding="utf-8") as handle:
        for q in queries:
            handle.write(json.dumps({"_id": q.query_id, "text": q.text}, ensure_ascii=False) + "\n")
    for split in SPLITS:
        for kind in (None, *KINDS):
            name = split if kind is None else f"{split}-{kind}"
            chosen = [q for q in queries if q.split == split and (kind is None or q.kind == kind)]
            lines = ["query-id\tcorpus-id\tscore"] + [
                f"{q.query_id}\t{doc}\t1" for q in chosen for doc in q.relevant
            ]
            (folder / "qrels" / f"{name}.tsv").write_text("\n".join(lines) + "\n")
