"""Category-filtered hybrid search against unfiltered, on bench/search_bench.py's database.

    .venv/bin/python bench/category_filter_bench.py [--rounds 5] [--real 300]

Uses (and if needed builds) the 74,728-paper SQLite database of bench/search_bench.py under
bench/.cache/ (`--real` papers embedded for real, the rest noisy copies), then times 50
queries unfiltered and with `category=cs.CL`, per round, as wall time and as CPU time of
this process (steadier on a shared machine: other jobs' load inflates wall time, not CPU
time), and prints the p50s per round and their median over rounds (docs/search.md).
"""

from __future__ import annotations

import argparse
import statistics
import time

from dailypapers.domain.search import SearchFilters
from dailypapers.search.embedder import MiniLMEmbedder
from support import (
    CACHE,
    TOPICS,
    ensure_papers,
    ensure_real_vectors,
    fill_synthetic,
    make_queries,
    open_services,
)

CATEGORY = SearchFilters(category="cs.CL")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--real", type=int, default=300)
    args = parser.parse_args()
    services = open_services(MiniLMEmbedder(CACHE / "models", threads=1))
    try:
        ensure_papers(services)
        ensure_real_vectors(services, args.real)
        fill_synthetic(services, args.real)
        queries = make_queries(services, 50)
        search = services.search
        for query in TOPICS[:5]:  # warm up: vectors loaded, the filter's positions found
            search.search(query, limit=20)
            search.search(query, limit=20, filters=CATEGORY)

        def p50s(filters: SearchFilters | None) -> tuple[float, float]:
            wall, cpu = [], []
            for query in queries:
                search.forget_queries()
                started, started_cpu = time.perf_counter(), time.process_time()
                search.search(query, limit=20, filters=filters)
                wall.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - started_cpu) * 1000)
            return statistics.median(wall), statistics.median(cpu)

        rows = []
        print("round  hybrid wall/cpu ms  category filter wall/cpu ms")
        for number in range(args.rounds):
            rows.append((*p50s(None), *p50s(CATEGORY)))
            print(
                f"{number:<6} {rows[-1][0]:6.1f} / {rows[-1][1]:6.1f}     "
                f"{rows[-1][2]:6.1f} / {rows[-1][3]:6.1f}"
            )
        medians = [statistics.median(r[i] for r in rows) for i in range(4)]
        print(
            f"median {medians[0]:6.1f} / {medians[1]:6.1f}     "
            f"{medians[2]:6.1f} / {medians[3]:6.1f}"
        )
    finally:
        services.close()


if __name__ == "__main__":
    main()
