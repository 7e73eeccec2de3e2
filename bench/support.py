"""What the benchmarks share: one module, imported as `support`.

A benchmark runs as a script (`.venv/bin/python bench/x.py`), so its own folder is on
sys.path and `import support` finds this file with no sys.path edit: benchmarks import the
project and this module, never the test package nor each other's scripts.

Why bench keeps its own small servers instead of sharing the tests' modules: the tests are a
package that a script could only reach by editing sys.path, and the test suite should not
depend on bench/ either. What a benchmark needs of them is a few lines (a private pgserver,
uvicorn in a thread); the tests' versions carry what only tests need (template databases,
non-durable server settings: tests/databases.py, tests/postgres_server.py).

- `postgres_admin_url`, `fresh_database`: a private PostgreSQL 16 + pgvector (pgserver, in a
  temp dir, removed afterwards), or the server named by DAILYPAPERS_TEST_PG_URL, and new
  databases on it (import_bench, pg_rank_limit_eval).
- `LiveServer`, `free_port`: the site on a real socket (http_bench, signup_flood_bench).
- The search corpus: the 74,728 arXiv papers in bench/.cache/search_bench.db with real and
  synthetic vectors, its queries and timings (search_bench, category_filter_bench,
  scale_search_bench); `search_queries`, distinct title bigrams (load_deployed, search_cpu).
"""

from __future__ import annotations

import gzip
import json
import os
import random
import re
import shutil
import socket
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType

import numpy as np
import sqlalchemy as sa
import uvicorn
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from dailypapers.app import server_options
from dailypapers.config import Settings
from dailypapers.domain.search import SearchFilters, query_terms
from dailypapers.search.embedder import MiniLMEmbedder
from dailypapers.services.bootstrap import Services, bootstrap
from dailypapers.storage.embeddings import EmbeddingRecord

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "arxiv_daily_cs" / "papers.jsonl.gz"
CACHE = ROOT / "bench" / ".cache"
console = Console()


# --- a private PostgreSQL server ----------------------------------------------------------
@contextmanager
def postgres_admin_url(prefix: str = "dailypapers-bench-pg-") -> Iterator[str]:
    """DAILYPAPERS_TEST_PG_URL when set, else a private pgserver stopped and removed after."""
    url = os.environ.get("DAILYPAPERS_TEST_PG_URL")
    if url:
        yield url
        return
    import pgserver  # the [test] extra

    data_dir = Path(tempfile.mkdtemp(prefix=prefix))
    server = pgserver.get_server(data_dir, cleanup_mode="stop")
    try:
        yield server.get_uri()
    finally:
        server.cleanup()
        shutil.rmtree(data_dir, ignore_errors=True)


def database_url(admin_url: str, name: str) -> str:
    """The URL of database `name` on the server of `admin_url` (psycopg driver)."""
    parsed = sa.engine.make_url(admin_url.replace("postgresql://", "postgresql+psycopg://", 1))
    return parsed.set(database=name).render_as_string(hide_password=False)


@contextmanager
def fresh_database(admin_url: str, prefix: str = "bench_") -> Iterator[str]:
    """A new, empty database on that server; dropped afterwards."""
    name = f"{prefix}{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(
        admin_url.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield database_url(admin_url, name)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


# --- the site on a real socket ------------------------------------------------------------
def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LiveServer:
    """Serves an ASGI app on 127.0.0.1:`port` (uvicorn in a thread, with the options
    `dailypapers serve` uses) until the `with` block ends; entering returns the base URL."""

    def __init__(self, app: object, port: int, *, startup_timeout_s: float = 20.0) -> None:
        services = getattr(getattr(app, "state", None), "services", None)
        options = server_options(services.settings) if services is not None else {}
        config = uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="warning", lifespan="on", **options
        )
        self.server = uvicorn.Server(config)
        self.port = port
        self._thread = threading.Thread(target=self.server.run, daemon=True)
        self._startup_timeout_s = startup_timeout_s

    def __enter__(self) -> str:
        self._thread.start()
        deadline = time.monotonic() + self._startup_timeout_s
        while not self.server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the live server on port {self.port} did not start")
            time.sleep(0.02)
        return f"http://127.0.0.1:{self.port}"

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.server.should_exit = True
        self._thread.join(timeout=10)


# --- the search corpus (bench/search_bench.py's database) ---------------------------------
TOPICS = [
    "diffusion models for video generation",
    "retrieval augmented generation",
    "LLM agents",
    "mixture of experts routing",
    "speech recognition for low resource languages",
    "reinforcement learning from human feedback",
    "3D gaussian splatting",
    "hallucination in vision language models",
    "code generation benchmark",
    "efficient attention for long context",
    "graph neural networks for molecules",
    "federated learning privacy",
    "adversarial robustness of image classifiers",
    "chain of thought reasoning",
    "autonomous driving trajectory prediction",
    "medical image segmentation",
    "quantization of large language models",
    "knowledge distillation",
    "text to image editing",
    "contrastive self-supervised learning",
]


def progress() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    )


def ms(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def open_services(embedder: MiniLMEmbedder) -> Services:
    CACHE.mkdir(parents=True, exist_ok=True)
    settings = Settings(
        data_dir=CACHE, database_url=f"sqlite:///{CACHE / 'search_bench.db'}", sql_time_limit_ms=0
    )
    services = bootstrap(settings, embedder=embedder)
    services.upgrade_schema()
    return services


def ensure_papers(services: Services) -> None:
    if services.papers.count() >= 74_000:
        console.print(f"papers: {services.papers.count():,} (cached)")
        return
    started = time.perf_counter()
    report = services.imports.import_file(DATA, "arxiv-snapshot")
    console.print(f"papers: imported {report.inserted:,} in {time.perf_counter() - started:.0f} s")


def ensure_real_vectors(services: Services, limit: int) -> None:
    model = services.embedding.model
    have = services.embedding.store.count(model)
    if have >= limit:
        console.print(f"real vectors: {limit:,} wanted, {have:,} stored (cached)")
        return
    with progress() as bar:
        task = bar.add_task("embedding (dailypapers index)", total=limit - have)
        report = services.embedding.run(
            limit=limit - have,
            progress=lambda done, _total: bar.update(task, completed=done),
        )
    console.print(f"real vectors: embedded {report.embedded:,} papers at {report.per_second:.1f}/s")


def fill_synthetic(services: Services, real: int, seed: int = 0) -> int:
    """Give every paper without a vector a noisy copy of a real paper's vectors."""
    store, model = services.embedding.store, services.embedding.model
    pending = store.count_pending(model)
    if pending == 0:
        return 0
    sources = store.load(model)
    source_ids = sources.arxiv_ids[:real]
    sentences = store.sentences(model, source_ids)
    rng = np.random.default_rng(seed)
    after, filled = None, 0
    with progress() as bar:
        task = bar.add_task("synthetic vectors", total=pending)
        while True:
            batch = store.pending(model, after=after, limit=2000)
            if not batch:
                break
            after = batch[-1].arxiv_id
            records = []
            for paper in batch:
                if paper.text_hash is not None:
                    continue
                source = source_ids[int(rng.integers(len(source_ids)))]
                vector = noisy(sources.matrix[sources.arxiv_ids.index(source)], rng)
                rows = sentences[source]
                records.append(
                    EmbeddingRecord(
                        paper.arxiv_id,
                        "synthetic",
                        vector,
                        np.vstack([noisy(r, rng) for r in rows.matrix]),
                        rows.spans,
                    )
                )
            store.save(model, records, checked_at=services.clock())
            filled += len(records)
            bar.update(task, advance=len(batch))
    return filled


def noisy(vector: np.ndarray, rng: np.random.Generator, scale: float = 0.33) -> np.ndarray:
    noisy = vector + rng.normal(0, scale / np.sqrt(len(vector)), len(vector)).astype(np.float32)
    return (noisy / np.linalg.norm(noisy)).astype(np.float32)


def make_queries(services: Services, n: int, seed: int = 1) -> list[str]:
    rng = random.Random(seed)
    ids = services.search.engine.vectors.search(np.ones(384, np.float32) / 384**0.5, 5000)
    papers = services.search.engine.keyword_index.papers(
        [a for a, _ in rng.sample(ids, min(len(ids), n))]
    )
    queries = list(TOPICS)
    for paper in papers.values():
        words = [w for w in query_terms(paper.title) if len(w) > 2]
        if len(words) >= 2:
            start = rng.randrange(max(1, len(words) - 2))
            queries.append(" ".join(words[start : start + rng.choice((2, 3, 4))]))
    rng.shuffle(queries)
    return queries[:n]


def time_modes(services: Services, queries: list[str], label: str) -> dict[str, tuple]:
    search = services.search
    for query in TOPICS[:5]:  # warm up: vectors loaded, caches filled
        search.search(query, limit=20)
    results = {}
    for mode in ("keyword", "semantic", "hybrid"):
        times = []
        for query in queries:
            search.forget_queries()
            started = time.perf_counter()
            search.search(query, mode=mode, limit=20)
            times.append((time.perf_counter() - started) * 1000)
        results[f"{mode} ({label})"] = ms(times)
    filtered = []
    for query in queries[:50]:
        search.forget_queries()
        started = time.perf_counter()
        search.search(query, limit=20, filters=SearchFilters(category="cs.CL"))
        filtered.append((time.perf_counter() - started) * 1000)
    results[f"hybrid, category filter ({label})"] = ms(filtered)
    return results


def replicate(base: np.ndarray, size: int, rng: np.random.Generator) -> np.ndarray:
    reps = -(-size // len(base))
    out = np.empty((size, base.shape[1]), np.float32)
    for r in range(reps):
        chunk = base[: min(len(base), size - r * len(base))]
        if r == 0:
            out[: len(chunk)] = chunk
            continue
        noisy = chunk + rng.normal(0, 0.33 / np.sqrt(base.shape[1]), chunk.shape).astype(np.float32)
        noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
        out[r * len(base) : r * len(base) + len(chunk)] = noisy
    return out


def search_queries(count: int = 5000) -> list[str]:
    """Distinct two-word queries from the corpus's titles: most miss the page cache."""
    rng = random.Random(13)
    seen: set[str] = set()
    with gzip.open(DATA, "rt") as lines:
        for line in lines:
            words = [w for w in re.findall(r"[a-z]{4,}", json.loads(line)["title"].lower())]
            if len(words) >= 2:
                i = rng.randrange(len(words) - 1)
                seen.add(f"{words[i]}+{words[i + 1]}")
            if len(seen) >= count:
                break
    queries = sorted(seen)
    rng.shuffle(queries)
    return queries
