"""Embedding benchmark: int8 vs fp32 all-MiniLM-L6-v2 on onnxruntime (on demand, not a test).

    .venv/bin/python bench/embed_bench.py [--runs 3] [--docs 500] [--threads 2] [--max-tokens 256]

Each (precision, run) gets a fresh cache directory and two child processes, so every
number and peak RSS is that step's alone: a "build" child constructs the embedder on the
empty cache (build s, build RSS, model file MB); a "run" child constructs it again from the
cache (load s), batch-encodes `--docs` hf_daily_papers "title\n\nabstract" texts with
`encode` after an 8-doc warm-up (docs/s, and process CPU ms per doc, which load from other
processes disturbs less), then times `encode_query` over 100 short queries after 20 warm-up
ones (p50/p95 ms); rss_mb is the run child's peak.  Medians over `--runs`.
Cosine: int8 vs fp32 ONNX on the same documents, and each vs sentence-transformers'
vectors in tests/fixtures/minilm_reference.npz (the fp32 graph matches them to 1e-6).
Targets (2 cores, 256 tokens): >= 20 docs/s, query < 10 ms, cosine >= 0.99.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "hf_daily_papers" / "daily_papers.jsonl.gz"
FIXTURE = ROOT / "tests" / "fixtures" / "minilm_reference.npz"
QUERIES = [
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
]


def load_docs(n: int) -> list[str]:
    docs: list[str] = []
    with gzip.open(DATA, "rt", encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            if row.get("title") and row.get("abstract"):
                docs.append(f"{row['title']}\n\n{row['abstract']}")
                if len(docs) == n:
                    break
    return docs


def child(
    mode: str, precision: str, cache: Path, n_docs: int, threads: int | None, max_tokens: int
) -> dict:
    from dailypapers.search.embedder import MiniLMEmbedder

    if mode == "build":
        t0 = time.perf_counter()
        emb = MiniLMEmbedder(cache, max_tokens, threads, precision=precision)
        assert emb.built
        return {
            "build_s": time.perf_counter() - t0,
            "build_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "model_mb": emb.model_path.stat().st_size / 1e6,
        }
    docs = load_docs(n_docs)
    fixture_texts = [str(t) for t in np.load(FIXTURE)["texts"]]
    t0 = time.perf_counter()
    emb = MiniLMEmbedder(cache, max_tokens, threads, precision=precision)
    load_s = time.perf_counter() - t0
    assert not emb.built
    emb.encode(docs[:8])  # warm-up
    t0, c0 = time.perf_counter(), time.process_time()
    vectors = emb.encode(docs)
    docs_per_s = len(docs) / (time.perf_counter() - t0)
    cpu_ms_per_doc = (time.process_time() - c0) * 1000 / len(docs)
    latencies = []
    for i in range(120):
        t0 = time.perf_counter()
        emb.encode_query(QUERIES[i % len(QUERIES)])
        latencies.append((time.perf_counter() - t0) * 1000)
    latencies = latencies[20:]
    np.save(cache / "docs.npy", vectors)
    np.save(cache / "fixture.npy", emb.encode(fixture_texts))
    return {
        "load_s": load_s,
        "docs_per_s": docs_per_s,
        "cpu_ms_doc": cpu_ms_per_doc,
        "query_p50_ms": float(np.percentile(latencies, 50)),
        "query_p95_ms": float(np.percentile(latencies, 95)),
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def cosine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--docs", type=int, default=500)
    ap.add_argument("--threads", type=int, default=2, help="0: onnxruntime's default")
    ap.add_argument("--max-tokens", type=int, default=256)
    ap.add_argument("--precisions", default="int8,fp32")
    ap.add_argument(
        "--child", nargs=3, metavar=("MODE", "PRECISION", "CACHE"), help=argparse.SUPPRESS
    )
    args = ap.parse_args()
    threads = args.threads or None
    if args.child:
        mode, precision, cache = args.child
        result = child(mode, precision, Path(cache), args.docs, threads, args.max_tokens)
        print(json.dumps(result))
        return

    precisions = args.precisions.split(",")
    results: dict[str, list[dict]] = {p: [] for p in precisions}
    vectors: dict[str, np.ndarray] = {}
    refs: dict[str, np.ndarray] = {}
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    print(
        f"{os.cpu_count()} CPUs, threads={args.threads}, max_tokens={args.max_tokens}, "
        f"{args.docs} docs, {args.runs} runs",
        flush=True,
    )
    base = [sys.executable, __file__, "--docs", str(args.docs), "--threads", str(args.threads)]
    base += ["--max-tokens", str(args.max_tokens)]
    for run in range(args.runs):
        for precision in precisions:  # interleaved, so machine noise hits both alike
            with tempfile.TemporaryDirectory(prefix="embed-bench-") as cache:
                row: dict = {}
                for mode in ("build", "run"):
                    cmd = [*base, "--child", mode, precision, cache]
                    out = subprocess.run(cmd, check=True, env=env, capture_output=True, text=True)
                    row.update(json.loads(out.stdout.strip().splitlines()[-1]))
                vectors[precision] = np.load(Path(cache) / "docs.npy")
                refs[precision] = np.load(Path(cache) / "fixture.npy")
            results[precision].append(row)
            print(
                f"  run {run + 1} {precision}: "
                + ", ".join(f"{k}={v:.2f}" for k, v in row.items()),
                flush=True,
            )

    fixture = np.load(FIXTURE)["vectors"].astype(np.float32)
    cols = [
        "build_s",
        "build_rss_mb",
        "model_mb",
        "load_s",
        "docs_per_s",
        "cpu_ms_doc",
        "query_p50_ms",
        "query_p95_ms",
        "rss_mb",
    ]
    print()
    print(f"{'precision':<10}" + "".join(f"{c:>14}" for c in cols) + f"{'cos vs ST mean/min':>22}")
    for precision in precisions:
        med = [statistics.median(r[c] for r in results[precision]) for c in cols]
        cos = cosine(refs[precision], fixture)
        print(
            f"{precision:<10}"
            + "".join(f"{v:>14.2f}" for v in med)
            + f"{cos.mean():>15.4f}/{cos.min():.4f}"
        )
    if "int8" in vectors and "fp32" in vectors:
        cos = cosine(vectors["int8"], vectors["fp32"])
        speed = statistics.median(r["docs_per_s"] for r in results["int8"]) / statistics.median(
            r["docs_per_s"] for r in results["fp32"]
        )
        print(
            f"\nint8 vs fp32 on {len(cos)} docs: cosine mean {cos.mean():.4f}, "
            f"min {cos.min():.4f}, p1 {np.percentile(cos, 1):.4f}; throughput x{speed:.2f}"
        )


if __name__ == "__main__":
    main()
