"""How the semantic floor was chosen (on demand; not part of the test suite). Prints tables.

    .venv/bin/python bench/semantic_floor.py [--floors 0.3,0.35,0.4,0.45]

On the bundled demo data (papers with their shipped vectors, in a temporary SQLite file),
with the floor off, it runs real topical queries (hand-written, and 2-4 content words cut
from demo titles) and queries that mean nothing here (gibberish, markup, off-topic), and
prints for each group the best similarity of any hit, and for each per-paper floor how
many of the real queries' top-10 hits it would drop and how many nonsense queries still find
something, alone and with the query floor. SciFact's nDCG@10 per floor comes from the
eval command, e.g. `DAILYPAPERS_SEARCH_SEMANTIC_FLOOR=0.4 dailypapers eval beir
../shared/data/scifact --split train`.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
from pathlib import Path

from rich.console import Console
from rich.table import Table

from dailypapers.config import Settings
from dailypapers.domain.search import SearchHit, query_terms
from dailypapers.services.bootstrap import bootstrap

TOPICS = [
    "chain-of-thought rationale distillation",
    "video generation",
    "diffusion models for images",
    "retrieval augmented generation",
    "mixture of experts",
    "speculative decoding",
    "reinforcement learning from human feedback",
    "vision language model hallucination",
    "long context language models",
    "code generation benchmark",
    "robot manipulation policy",
    "text to speech",
    "3d gaussian splatting",
    "quantization of large language models",
    "multilingual machine translation",
]
NONSENSE = [
    "xyzzy",
    "qwertyuiopasdf",
    "<script>alert('x')</script>",
    "asdfgh jkl",
    "zzyzxqq",
    "lorem ipsum dolor sit amet",
    "banana bread recipe",
    "football world cup results",
    "cheap flights to paris",
    "' OR 1=1 --",
]


def title_queries(services, n: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    ids = [a for a, _ in services.search.engine.vectors.search(_unit(), 3000)]
    papers = services.search.engine.keyword_index.papers(rng.sample(ids, min(n, len(ids))))
    queries = []
    for paper in papers.values():
        words = [w for w in query_terms(paper.title) if len(w) > 2]
        if len(words) >= 2:
            start = rng.randrange(max(1, len(words) - 2))
            queries.append(" ".join(words[start : start + rng.randint(2, 4)]))
    return queries


def _unit():
    import numpy as np

    vector = np.ones(384, np.float32)
    return vector / np.linalg.norm(vector)


def best(hits: list[SearchHit]) -> float:
    return max((h.similarity for h in hits if h.similarity is not None), default=0.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--floors", default="0.3,0.35,0.4,0.45,0.5")
    parser.add_argument("--title-queries", type=int, default=60)
    parser.add_argument("--query-floor", type=float, default=0.42)
    args = parser.parse_args()
    floors = [float(f) for f in args.floors.split(",")]
    console = Console()
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            data_dir=Path(folder),
            database_url=f"sqlite:///{folder}/floor.db",
            search_semantic_floor=0.0,
            search_query_floor=0.0,
        )
        services = bootstrap(settings)
        try:
            services.upgrade_schema()
            services.load_demo()
            groups = {
                "topics": TOPICS,
                "title words": title_queries(services, args.title_queries),
                "nonsense": NONSENSE,
            }
            pages = {
                name: [services.search.search(q, limit=10) for q in queries]
                for name, queries in groups.items()
            }
        finally:
            services.close()
    table = Table(title="Best hit similarity per query, floor off (demo data)")
    for column in ("group", "queries", "min", "median", "max"):
        table.add_column(column)
    for name, result in pages.items():
        scores = [best(p.hits) for p in result]
        table.add_row(
            name,
            str(len(scores)),
            f"{min(scores):.3f}",
            f"{statistics.median(scores):.3f}",
            f"{max(scores):.3f}",
        )
    console.print(table)
    table = Table(
        title="What each floor would do (top 10, floor applies unless every word matched)"
    )
    for column in (
        "floor",
        "real top-10 hits dropped",
        "real queries left empty",
        "nonsense with hits",
        f"... and query floor {args.query_floor}",
    ):
        table.add_column(column)
    real = pages["topics"] + pages["title words"]
    for floor in floors:
        dropped = total = empty = 0
        for page in real:
            kept = [h for h in page.hits if _kept(h, page.query, floor)]
            dropped += len(page.hits) - len(kept)
            total += len(page.hits)
            empty += not kept
        nonsense = sum(any(_kept(h, p.query, floor) for h in p.hits) for p in pages["nonsense"])
        gated = sum(
            any(_kept(h, p.query, floor) for h in p.hits)
            and any(_kept(h, p.query, args.query_floor) for h in p.hits)
            for p in pages["nonsense"]
        )
        table.add_row(
            f"{floor:.2f}",
            f"{dropped}/{total}",
            f"{empty}/{len(real)}",
            f"{nonsense}/{len(pages['nonsense'])}",
            f"{gated}/{len(pages['nonsense'])}",
        )
    console.print(table)
    for page in pages["nonsense"]:
        console.print(f"  {page.query!r}: best similarity {best(page.hits):.3f}, {page.total} hits")
    sys.exit(0)


def _kept(hit: SearchHit, query: str, floor: float) -> bool:
    """The engine's rule, seen from outside: every word in the text, or close enough."""
    terms = query_terms(query)
    every_word = hit.keyword_rank is not None and (
        len(terms) == 1 or set(terms) <= set(hit.rationale.matched_terms)
    )
    return every_word or (hit.similarity is not None and hit.similarity >= floor)


if __name__ == "__main__":
    main()
