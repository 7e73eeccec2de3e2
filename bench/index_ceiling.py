"""How fast `dailypapers index` could go on a GPU: the pipeline's own ceiling, measured here.

    .venv/bin/python bench/index_ceiling.py [--papers 3000] [--runs 3]

No GPU is lent to this machine, so the GPU's throughput is bounded from both sides instead:

1. **The pipeline without the model.** The same `EmbeddingService.run` over the same real arXiv
   papers, with the real tokenizer, sentence splitting, batching and SQLite writes, but the
   network's run replaced by random unit vectors (`NoModel`). However fast a GPU runs the
   model, `index` can't beat this on this machine's CPU: it is the host-side ceiling.
2. **The model's arithmetic.** Real token counts (what `encode` pads each batch to) times
   all-MiniLM-L6-v2's FLOPs per token, over an assumed sustained fp32 rate: the model-side
   ceiling. The rate is an assumption, printed beside the figure.

With the real int8 model on this CPU as the baseline in the same run. A GPU run replaces
the estimate with a measurement: docs/scale-out.md ("GPU embedding") has the commands.
"""

from __future__ import annotations

import argparse
import gzip
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from dailypapers.config import Settings
from dailypapers.search.embedder import MiniLMEmbedder
from dailypapers.services.clock import utc_now
from dailypapers.services.wiring.search import build_search
from dailypapers.services.wiring.storage import build_storage

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "arxiv_daily_cs" / "papers.jsonl.gz"

# all-MiniLM-L6-v2: 6 layers, hidden 384, feed-forward 1536. Per token and layer: Q, K, V and
# the output projection (4 x 384 x 384) and the feed-forward (2 x 384 x 1536) multiply-adds,
# two FLOPs each; attention's own (seq x 384 x 2 per token) is added per batch width.
LAYERS, HIDDEN, FFN = 6, 384, 1536
DENSE_FLOPS_PER_TOKEN = LAYERS * 2 * (4 * HIDDEN * HIDDEN + 2 * HIDDEN * FFN)


class NoModel(MiniLMEmbedder):
    """MiniLM with everything but the network: tokenizing, sorting and batching stay real;
    the run returns random unit vectors and counts the padded tokens it was given."""

    padded_tokens = 0
    attention_flops = 0

    def _run(self, ids: list[list[int]], width: int, shrink: bool = False) -> np.ndarray:
        NoModel.padded_tokens += len(ids) * width
        NoModel.attention_flops += LAYERS * 2 * 2 * len(ids) * width * width * HIDDEN
        vectors = np.random.default_rng(len(ids) * width).standard_normal((len(ids), self.dim))
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors.astype(np.float32)


def prepare(folder: Path, papers: int) -> Path:
    """A migrated SQLite file holding the first `papers` arXiv records (our own import)."""
    rows = folder / "papers.jsonl"
    with gzip.open(DATA, "rt", encoding="utf-8") as f, rows.open("w") as out:
        for i, line in enumerate(f):
            if i == papers:
                break
            out.write(line)
    db = folder / "base.db"
    env = {**os.environ, "DAILYPAPERS_DATABASE_URL": f"sqlite:///{db}"}
    for args in (["db", "upgrade"], ["import", "arxiv-snapshot", str(rows)]):
        subprocess.run(
            [sys.executable, "-m", "dailypapers", *args], env=env, check=True, capture_output=True
        )
    return db


def index_once(base: Path, folder: Path, no_model: bool) -> tuple[int, float, float]:
    """(papers embedded, wall s, process CPU s) for one `index` run on a fresh copy."""
    db_path = folder / f"run-{time.monotonic_ns()}.db"
    shutil.copy(base, db_path)
    settings = Settings(database_url=f"sqlite:///{db_path}", data_dir=ROOT / "bench" / ".cache")
    storage = build_storage(settings.storage)
    embedder = None
    if no_model:
        embedder = NoModel(
            settings.model_cache_dir,
            max_tokens=settings.embedding_max_tokens,
            threads=settings.embedding_threads,
        )
    index = build_search(
        settings.search,
        settings.site,
        storage,
        utc_now,
        data_dir=settings.data_dir,
        embedder=embedder,
    ).embedding
    index.embedders.get()  # load the model outside the timing
    cpu, wall = time.process_time(), time.perf_counter()
    report = index.run()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    storage.db.dispose()
    db_path.unlink()
    return report.embedded, wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--papers", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--gpu-tflops",
        type=float,
        default=20.0,
        help="assumed sustained fp32 TFLOP/s of the model on the GPU",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        base = prepare(folder, args.papers)
        rows: dict[str, list[tuple[int, float, float]]] = {"int8 model (CPU)": [], "no model": []}
        for _ in range(args.runs):  # interleaved, so both see the same machine
            NoModel.padded_tokens = NoModel.attention_flops = 0
            rows["no model"].append(index_once(base, folder, True))
            tokens, attention = NoModel.padded_tokens, NoModel.attention_flops
            rows["int8 model (CPU)"].append(index_once(base, folder, False))
    load = os.getloadavg()[0]
    print(
        f"dailypapers index over {args.papers} arXiv papers, SQLite, {os.cpu_count()} CPUs, "
        f"load {load:.1f}; medians of {args.runs} runs"
    )
    print(f"{'pipeline':<20} {'papers/s':>9} {'CPU ms/paper':>13}")
    for name, runs in rows.items():
        rate = statistics.median(n / wall for n, wall, _ in runs)
        cpu_ms = statistics.median(1000 * cpu / n for n, _, cpu in runs)
        print(f"{name:<20} {rate:>9.1f} {cpu_ms:>13.2f}")
    papers = rows["no model"][0][0]
    flops = tokens * DENSE_FLOPS_PER_TOKEN + attention
    model_rate = args.gpu_tflops * 1e12 / (flops / papers)
    print(
        f"\npadded tokens per paper: {tokens / papers:.0f}; "
        f"model GFLOP per paper: {flops / papers / 1e9:.2f}"
    )
    print(
        f"model-side ceiling at an assumed {args.gpu_tflops:g} TFLOP/s fp32: "
        f"{model_rate:,.0f} papers/s"
    )
    host = statistics.median(n / wall for n, wall, _ in rows["no model"])
    print(
        f"GPU estimate: min(host ceiling, model ceiling) = {min(host, model_rate):,.0f} papers/s "
        f"(1M papers in {1e6 / min(host, model_rate) / 60:.0f} min)"
    )


if __name__ == "__main__":
    main()
