"""Search at scale on PostgreSQL (pgvector HNSW, tsvector GIN): 1M papers by default.

    .venv/bin/python bench/scale_search_bench.py [--papers 1000000] [--build-only]
        [--queries 200] [--recall 50] [--rounds 3] [--before 30] [--shared-buffers 4GB]

Builds once, and keeps under bench/.cache/scale-pg-<papers>/ (git-ignored; ~8 GB at 1M), a
pgserver PostgreSQL database through our own schema (`dailypapers db upgrade`), then times
search through `SearchEngine` (what the web calls) with bench/search_bench.py's queries.

The corpus: the 74,728 real arXiv papers of ../shared/data/arxiv_daily_cs, replicated until
`--papers`. Copy c (0 = the real papers, unchanged; at 1M, copies 0-12 whole and copy 13's
first 28,536 papers) of paper `YYMM.NNNNN` is moved 17 * (c // 2) months back (the corpus
spans 17 months: 2025-03..2026-07, so copies 0-13 spread over 2016-09..2026-07), and odd
copies add 50,000 to the number (the corpus's largest is 32,040): `2503.11677` copy 3 is
`2310.61677`, listed 2023-10-18. Ids stay valid new-style ids (YYMM.NNNNN, 5 digits since
2015), all distinct; listing dates move with the month (the day clamped to the month's
length); the rest of a record (title, abstract, authors, categories) is the original's, so
a keyword matches every copy of a paper, as a field with many near-duplicate papers would.
The corpus's 46 papers with older ids (listed late, e.g. `2311.12882`) spoil this a little
at 1M: 41 replicated ids equal another copy's (the import keeps one paper per id, with the
first copy's vector) and 50 move before 2015 with 5 digits, not a valid id then (the import
refuses them): 999,909 papers.
Papers go in through the bulk import (`ImportService.import_file(bulk=True)`, as
`dailypapers import arxiv-snapshot --bulk` does).

Vectors: the 74.7k vectors of bench/search_bench.py's SQLite database (320 papers embedded
for real, the rest noisy copies of those: `fill_synthetic`), which this script builds or
reuses. Copy 0 gets them unchanged, with their sentence vectors; copy c > 0 gets them with
its own fresh noise (support's `replicate`: cosine ~0.95 to the original, renormalised)
and no sentence vectors (they would add ~7 GB; a candidate without them is scored on its
paper cosine, and fetching them is the same indexed lookup of ~200 rows at any size).
Vectors go in with one binary COPY with the HNSW index dropped, and the index is then built
with migration 0002's own statement, `maintenance_work_mem` = `--build-memory` (in memory,
so pgvector 0.6.2 builds in parallel with `max_parallel_maintenance_workers`).

Measured: load and build times (kept in the cache's stamp.json), then p50/p95 wall ms of
keyword-only, semantic-only and hybrid search (`--queries` queries per mode, query
embedding included, the query cache emptied each time), medians over `--rounds` rounds,
and HNSW recall@10 and @100 of the vector leg's own call (k = search_semantic_candidates,
ef_search as `DatabaseVectors.search` sets it) against exact search (numpy over the same
vectors) for `--recall` queries. In each round, the first `--before` queries also run
keyword and hybrid with every match ranked (`search_keyword_rank_limit` lifted: the code
before the bound) and with the bound, as the baseline. Beside them, the same queries on
bench/search_bench.py's SQLite database (74.7k papers, exact vectors in memory).
Target (issue 13): hybrid p50 < 60 ms at 1M papers on 2 cores.
"""

from __future__ import annotations

import argparse
import calendar
import gzip
import importlib.util
import json
import os
import sqlite3
import statistics
import struct
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import psycopg

from dailypapers.config import Settings
from dailypapers.search.embedder import MiniLMEmbedder
from dailypapers.services.bootstrap import Services, bootstrap
from support import (
    CACHE,
    DATA,
    ROOT,
    ensure_papers,
    ensure_real_vectors,
    fill_synthetic,
    make_queries,
    ms,
    open_services,
    replicate,
    time_modes,
)

REAL = 320  # papers of search_bench's database embedded for real (category_filter_bench's)
MONTHS_PER_STEP = 17  # the corpus's span in months
NUMBER_OFFSET = 50_000
MIGRATION_0002 = ROOT / "src" / "dailypapers" / "storage" / "migrations" / "versions"
MIGRATION_0002 = MIGRATION_0002 / "0002_search.py"


# --- the corpus, replicated ----------------------------------------------------------------
def copy_id(arxiv_id: str, copy: int) -> str:
    if copy == 0:
        return arxiv_id
    yymm, number = arxiv_id.split(".")
    months = int(yymm[:2]) * 12 + int(yymm[2:]) - 1 - MONTHS_PER_STEP * (copy // 2)
    number_value = int(number) + NUMBER_OFFSET * (copy % 2)
    return f"{months // 12:02d}{months % 12 + 1:02d}.{number_value:05d}"


def copy_date(day: str, copy: int) -> str:
    year, month, date = (int(x) for x in day.split("-"))
    months = year * 12 + month - 1 - MONTHS_PER_STEP * (copy // 2)
    year, month = months // 12, months % 12 + 1
    return f"{year:04d}-{month:02d}-{min(date, calendar.monthrange(year, month)[1]):02d}"


def copy_record(record: dict, copy: int) -> dict:
    new = dict(record)
    new["id"] = copy_id(record["id"], copy)
    for key in ("abs_url", "pdf_url"):
        if new.get(key):
            new[key] = new[key].replace(record["id"], new["id"])
    if new.get("first_listed"):
        new["first_listed"] = copy_date(record["first_listed"], copy)
    new["listed_dates"] = [copy_date(d, copy) for d in record.get("listed_dates") or []]
    return new


def corpus() -> list[dict]:
    with gzip.open(DATA, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def replicated_ids(records: list[dict], papers: int) -> list[str]:
    return [copy_id(records[i % len(records)]["id"], i // len(records)) for i in range(papers)]


# --- the server ----------------------------------------------------------------------------
class Cache:
    """The cached database of one size: its folder, server, URL and stamp (what is done)."""

    def __init__(self, papers: int, shared_buffers: str | None = None) -> None:
        import pgserver

        self.folder = CACHE / f"scale-pg-{papers}"
        self.folder.mkdir(parents=True, exist_ok=True)
        self.stamp_file = self.folder / "stamp.json"
        self.stamp = json.loads(self.stamp_file.read_text()) if self.stamp_file.is_file() else {}
        self.server = pgserver.get_server(self.folder / "pg", cleanup_mode="stop")
        if shared_buffers and self.shared_buffers() != shared_buffers:  # takes a restart
            self.server.psql(f"ALTER SYSTEM SET shared_buffers = '{shared_buffers}';")
            self.server.cleanup()
            self.server = pgserver.get_server(self.folder / "pg", cleanup_mode="stop")
        if not self.stamp.get("created"):
            self.server.psql("CREATE DATABASE bench;")
            self.done("created", True)
        uri = self.server.get_uri("bench")
        self.libpq = uri
        self.url = uri

    def shared_buffers(self) -> str:
        return self.server.psql("SHOW shared_buffers;").split()[2]

    def done(self, key: str, value: object) -> None:
        self.stamp[key] = value
        self.stamp_file.write_text(json.dumps(self.stamp, indent=1))

    def close(self) -> None:
        self.server.cleanup()


def settings_for(url: str, folder: Path) -> Settings:
    return Settings(data_dir=folder, database_url=url, sql_time_limit_ms=0)


# --- building ------------------------------------------------------------------------------
def load_papers(cache: Cache, records: list[dict], papers: int) -> None:
    if cache.stamp.get("papers_s"):
        print(f"papers: {papers:,} (cached; loaded in {cache.stamp['papers_s']:.0f} s)")
        return
    env = {k: v for k, v in os.environ.items() if not k.startswith("DAILYPAPERS_")}
    env |= {"DAILYPAPERS_DATABASE_URL": cache.url, "DAILYPAPERS_DATA_DIR": str(cache.folder)}
    cli = ROOT / ".venv" / "bin" / "dailypapers"
    subprocess.run([str(cli), "db", "upgrade"], env=env, check=True)
    path = cache.folder / "papers.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for i in range(papers):
            out.write(json.dumps(copy_record(records[i % len(records)], i // len(records))))
            out.write("\n")
    services = bootstrap(settings_for(cache.url, cache.folder))
    try:
        started = time.perf_counter()
        report = services.imports.import_file(path, "arxiv-snapshot", bulk=True)
        seconds = time.perf_counter() - started
    finally:
        services.close()
    path.unlink()
    with psycopg.connect(cache.libpq, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE papers")  # what autovacuum does in time
    print(f"papers: imported {report.inserted:,} in {seconds:.0f} s ({papers / seconds:,.0f}/s)")
    cache.done("papers_s", seconds)


def source_vectors(records: list[dict]) -> tuple[str, np.ndarray, dict[str, tuple]]:
    """search_bench's 74.7k vectors in corpus order, and each paper's (text_hash, sentences,
    spans) as stored there."""
    services = open_services(MiniLMEmbedder(CACHE / "models", threads=1))
    try:
        ensure_papers(services)
        ensure_real_vectors(services, REAL)
        fill_synthetic(services, REAL)
        model = services.embedding.model
        loaded = services.embedding.store.load(model)
    finally:
        services.close()
    position = {a: i for i, a in enumerate(loaded.arxiv_ids)}
    base = loaded.matrix[[position[r["id"]] for r in records]]
    extra: dict[str, tuple] = {}
    with sqlite3.connect(CACHE / "search_bench.db") as conn:
        query = "SELECT arxiv_id, text_hash, sentences, sentence_spans FROM embeddings "
        for arxiv_id, text_hash, blob, spans in conn.execute(query + "WHERE model = ?", (model,)):
            extra[arxiv_id] = (text_hash, blob, spans)
    return model, base, extra


_EPOCH_2000 = datetime(2000, 1, 1, tzinfo=UTC)
_COLUMNS = (
    "arxiv_id, model, text_hash, dim, sentences, sentence_spans, created_at, checked_at, embedding"
)


def _field(value: bytes | None) -> bytes:
    return struct.pack(">i", -1) if value is None else struct.pack(">i", len(value)) + value


def copy_rows(ids, matrix, model, extra, at: datetime):
    """PostgreSQL binary COPY tuples for embeddings (pgvector's binary form: int16 dim,
    int16 unused, big-endian float4s)."""
    stamp = struct.pack(">q", int((at - _EPOCH_2000).total_seconds() * 1_000_000))
    dim = matrix.shape[1]
    head = struct.pack(">hh", dim, 0)
    big = matrix.astype(">f4")
    for arxiv_id, row in zip(ids, big, strict=True):
        text_hash, blob, spans = extra.get(arxiv_id, ("synthetic", None, None))
        yield b"".join(
            (
                struct.pack(">h", 9),
                _field(arxiv_id.encode()),
                _field(model.encode()),
                _field(text_hash.encode()),
                _field(struct.pack(">i", dim)),
                _field(blob),
                _field(None if spans is None else spans.encode()),
                _field(stamp),
                _field(stamp),
                _field(head + row.tobytes()),
            )
        )


def hnsw_statement() -> str:
    spec = importlib.util.spec_from_file_location("migration_0002", MIGRATION_0002)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    statement = module._POSTGRES_SEARCH[-1]
    assert "ix_embeddings_embedding_hnsw" in statement
    return statement


def load_vectors(cache: Cache, records: list[dict], papers: int) -> None:
    if cache.stamp.get("vectors_s"):
        print(f"vectors: {papers:,} (cached; loaded in {cache.stamp['vectors_s']:.0f} s)")
        return
    model, base, extra = source_vectors(records)
    started = time.perf_counter()
    matrix = replicate(base, papers, np.random.default_rng(5))
    ids = replicated_ids(records, papers)
    with psycopg.connect(cache.libpq) as conn:
        stored = {a for (a,) in conn.execute("SELECT arxiv_id FROM papers")}
    first: dict[str, int] = {}
    for row, arxiv_id in enumerate(ids):
        if arxiv_id in stored:  # not refused, and the first copy with this id
            first.setdefault(arxiv_id, row)
    if len(first) < len(ids):
        keep = np.fromiter(first.values(), np.int64)
        matrix, ids = matrix[keep], list(first)
    np.save(cache.folder / "vectors.npy", matrix)
    (cache.folder / "ids.json").write_text(json.dumps(ids))
    at = datetime.now(UTC)
    with psycopg.connect(cache.libpq, autocommit=True) as conn:
        conn.execute("DROP INDEX IF EXISTS ix_embeddings_embedding_hnsw")
        conn.execute("DELETE FROM embeddings")
        with conn.cursor().copy(f"COPY embeddings ({_COLUMNS}) FROM STDIN (FORMAT BINARY)") as cp:
            cp.write(b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0))
            chunk: list[bytes] = []
            for row in copy_rows(ids, matrix, model, extra, at):
                chunk.append(row)
                if len(chunk) == 5000:
                    cp.write(b"".join(chunk))
                    chunk = []
            cp.write(b"".join(chunk) + struct.pack(">h", -1))
        conn.execute("VACUUM ANALYZE embeddings")
    seconds = time.perf_counter() - started
    print(f"vectors: copied {len(ids):,} in {seconds:.0f} s")
    cache.done("vectors_s", seconds)
    cache.done("model", model)


def build_index(cache: Cache, memory: str, workers: int) -> None:
    if cache.stamp.get("index_s"):
        print(f"HNSW index: cached (built in {cache.stamp['index_s']:.0f} s)")
        return
    statement = hnsw_statement()
    started = time.perf_counter()
    with psycopg.connect(cache.libpq, autocommit=True) as conn:
        conn.execute("DROP INDEX IF EXISTS ix_embeddings_embedding_hnsw")
        conn.execute(f"SET maintenance_work_mem = '{memory}'")
        conn.execute(f"SET max_parallel_maintenance_workers = {workers}")
        conn.execute(statement)
        conn.execute("ANALYZE embeddings")
        size = conn.execute(
            "SELECT pg_size_pretty(pg_relation_size('ix_embeddings_embedding_hnsw')), "
            "pg_size_pretty(pg_database_size('bench'))"
        ).fetchone()
    seconds = time.perf_counter() - started
    print(f"HNSW index: built in {seconds:.0f} s; index {size[0]}, database {size[1]}")
    cache.done("index_s", seconds)
    cache.done("index_size", size[0])
    cache.done("database_size", size[1])


# --- measuring -----------------------------------------------------------------------------
def recall(services: Services, cache: Cache, queries: list[str]) -> dict[str, float]:
    """Recall@10 and @100 of the vector leg's own call against exact search."""
    matrix = np.load(cache.folder / "vectors.npy", mmap_mode="r")
    ids = json.loads((cache.folder / "ids.json").read_text())
    engine = services.search.engine
    k = services.settings.search_semantic_candidates
    at10, at100 = [], []
    for query in queries:
        vector = engine.query_vector(query)
        found = [a for a, _ in engine.vectors.search(vector, k)]
        exact = []
        for start in range(0, len(ids), 200_000):
            scores = np.asarray(matrix[start : start + 200_000]) @ vector
            top = np.argpartition(-scores, k)[:k]
            exact.extend((float(scores[i]), ids[start + i]) for i in top)
        best = [a for _, a in sorted(exact, reverse=True)[:k]]
        at10.append(len(set(found[:10]) & set(best[:10])) / 10)
        at100.append(len(set(found) & set(best)) / k)
    return {"recall@10": statistics.mean(at10), f"recall@{k}": statistics.mean(at100)}


def measure(services: Services, queries: list[str], label: str, rounds: int, before: int) -> dict:
    """time_modes per round; on PostgreSQL, interleaved with each round, keyword and hybrid
    search over the first `before` queries with every match ranked (the code before
    `search_keyword_rank_limit`) and with the bound, as the baseline."""
    index = services.search.engine.keyword_index
    bound = getattr(index, "rank_limit", None)
    runs = []
    for _ in range(rounds):
        run = time_modes(services, queries, label)
        if bound is not None and before:
            for limit, name in ((10**9, "every match ranked"), (bound, f"first {bound:,}")):
                index.rank_limit = limit
                for mode in ("keyword", "hybrid"):
                    times = []
                    for query in queries[:before]:
                        services.search.forget_queries()
                        started = time.perf_counter()
                        services.search.search(query, mode=mode, limit=20)
                        times.append((time.perf_counter() - started) * 1000)
                    run[f"{mode} ({label}, {before} queries, {name})"] = ms(times)
            index.rank_limit = bound
        runs.append(run)
    return {
        name: tuple(statistics.median(run[name][i] for run in runs) for i in range(2))
        for name in runs[0]
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--papers", type=int, default=1_000_000)
    parser.add_argument("--build-only", action="store_true")
    parser.add_argument("--build-memory", default="6GB")
    parser.add_argument("--build-workers", type=int, default=2)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--recall", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument(
        "--before", type=int, default=30, help="queries timed with every match ranked too"
    )
    parser.add_argument(
        "--shared-buffers",
        help="set the server's shared_buffers first (say 4GB; default: pgserver's 128MB)",
    )
    args = parser.parse_args()

    records = corpus()
    cache = Cache(args.papers, args.shared_buffers)
    buffers = cache.shared_buffers()
    try:
        load_papers(cache, records, args.papers)
        load_vectors(cache, records, args.papers)
        build_index(cache, args.build_memory, args.build_workers)
        if args.build_only:
            return
        sqlite = open_services(MiniLMEmbedder(CACHE / "models", threads=2))
        queries = make_queries(sqlite, args.queries)
        results = {}
        if not args.no_sqlite:
            results |= measure(sqlite, queries, "SQLite 74.7k", args.rounds, 0)
        sqlite.close()
        embedder = MiniLMEmbedder(CACHE / "models", threads=2)
        services = bootstrap(settings_for(cache.url, cache.folder), embedder=embedder)
        try:
            label = f"PostgreSQL {args.papers / 1e6:g}M"
            results |= measure(services, queries, label, args.rounds, args.before)
            found = recall(services, cache, queries[: args.recall])
        finally:
            services.close()
    finally:
        cache.close()
    print(f"\nsearch latency, {len(queries)} queries per mode, medians of {args.rounds} rounds")
    print(f"{'what':<64} {'p50 ms':>8} {'p95 ms':>8}")
    for name, (p50, p95) in results.items():
        print(f"{name:<64} {p50:8.1f} {p95:8.1f}")
    print(
        f"HNSW ({args.recall} queries, the vector leg's call): "
        + ", ".join(f"{k} {v:.3f}" for k, v in found.items())
    )
    print(f"server: shared_buffers {buffers}")
    print("build: " + ", ".join(f"{k} {v}" for k, v in cache.stamp.items() if k != "created"))


if __name__ == "__main__":
    sys.exit(main())
