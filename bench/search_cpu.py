"""Where one distinct search's CPU goes (on demand; not a test). Prints a table.

    .venv/bin/python bench/search_cpu.py DATABASE_URL [--queries 200] [--data-dir DIR]
                                         [--set NAME=VALUE ...]

Runs `--queries` distinct queries (bench/load_deployed.py's title bigrams, none seen before)
through `SearchService.search` in one thread, as a web request does (the keyword leg, which
a web request runs on a pool thread beside the vector leg, runs inline here so that its CPU
is counted once), and times each step by wrapping the engine's parts: this process's CPU
time (the exact vector product's own threads included) and wall time (on PostgreSQL, wall
minus CPU is mostly the server's work).
Then the search page's presenters for the same results. Steps nest ("rows read" is part of
"best-sentence re-rank"), so the rows don't add up to the total.

The database is used as it is: bench/load_deployed.py's cached ones are the usual subject
(`--vectors` gives every paper vectors). A SQLite site's HNSW graph is waited for before
timing. Example, SQLite with the old exact limit:

    .venv/bin/python bench/search_cpu.py \\
        sqlite:///bench/.cache/load-deployed/sqlite-vectors/bench.db \\
        --set vector_index_exact_limit=150000
"""

from __future__ import annotations

import argparse
import functools
import statistics
import tempfile
import time
from collections import defaultdict
from concurrent.futures import Future
from pathlib import Path

from dailypapers.config import Settings
from dailypapers.domain.search import SearchFilters
from dailypapers.services.bootstrap import bootstrap
from dailypapers.web.search_routes import search_view
from support import search_queries


class _Inline:
    """Runs what the engine hands its keyword pool at once, in the calling thread."""

    def submit(self, task, *args, **kwargs) -> Future:
        done: Future = Future()
        done.set_result(task(*args, **kwargs))
        return done

    def shutdown(self, **_kwargs) -> None:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("database_url")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument(
        "--data-dir",
        type=Path,
        help="the site's data folder (model cache, vector graphs); default: a SQLite file's "
        "folder, else a new temporary one",
    )
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    args = parser.parse_args()
    options = dict(s.partition("=")[::2] for s in args.set)
    data_dir = args.data_dir
    if data_dir is None and args.database_url.startswith("sqlite:///"):
        data_dir = Path(args.database_url.removeprefix("sqlite:///")).parent
    data_dir = data_dir or Path(tempfile.mkdtemp(prefix="search-cpu-"))
    settings = Settings(
        database_url=args.database_url,
        data_dir=data_dir,
        serve_runs_scheduler=False,
        ingest_sources="",
        mail_backend="console",
        **options,
    )
    services = bootstrap(settings)
    engine = services.search.engine
    engine._pool = _Inline()
    cpu: dict[str, float] = defaultdict(float)
    wall: dict[str, float] = defaultdict(float)

    def timed(owner: object, name: str, label: str) -> None:
        step = getattr(owner, name)

        @functools.wraps(step)
        def wrapper(*a, **k):
            started_cpu, started = time.process_time(), time.perf_counter()
            try:
                return step(*a, **k)
            finally:
                cpu[label] += time.process_time() - started_cpu
                wall[label] += time.perf_counter() - started

        setattr(owner, name, wrapper)

    timed(engine, "query_vector", "query embedding")
    timed(engine, "_keyword", "keyword leg")
    timed(engine.vectors, "search", "vector leg")
    timed(engine.vectors, "similarities", "cosines of keyword-only candidates")
    timed(engine, "_best_sentences", "best-sentence re-rank")
    timed(engine.embeddings, "sentence_vectors", "  of which: rows read")
    timed(engine, "_exact_first", "pasted-title check")
    timed(engine.keyword_index, "papers", "paper rows read (also above)")
    timed(engine, "_rationale_sentences", "rationale sentences")
    timed(engine, "_hit", "explain hits")
    timed(services.search, "_facets", "keyphrase facets")

    queries = [q.replace("+", " ") for q in search_queries()]
    for query in queries[:20]:  # the model, the vectors, the caches
        services.search.search(query)
    services.search.wait_for_vector_index(timeout=600)
    cpu.clear()
    wall.clear()
    totals, pages = [], []
    for query in queries[100 : 100 + args.queries]:
        started = time.process_time()
        result = services.search.search(query)
        searched = time.process_time()
        search_view(query, "hybrid", "relevance", SearchFilters(), None, result, set())
        totals.append((searched - started) * 1000)
        pages.append((time.process_time() - searched) * 1000)
    services.close()

    n = args.queries
    print(f"{args.database_url} {' '.join(args.set)}: {n} distinct queries, one at a time")
    print(f"{'step':<40}{'CPU ms':>9}{'wall ms':>9}   (means per search)")
    print(f"{'search, total (median)':<40}{statistics.median(totals):>9.1f}")
    print(f"{'search page presenters (median)':<40}{statistics.median(pages):>9.1f}")
    for label, seconds in sorted(cpu.items(), key=lambda item: -item[1]):
        print(f"{label:<40}{seconds / n * 1000:>9.2f}{wall[label] / n * 1000:>9.2f}")


if __name__ == "__main__":
    main()
