"""Embed the bundled demo papers: `python tools/make_demo_embeddings.py` (a minute or two).

Imports src/dailypapers/demo/hf_daily_papers.jsonl.gz into a temporary database exactly as
`Services.load_demo()` does, embeds every paper with the same code as `dailypapers index`
(sentences, title first, and the paper vector made from them), and writes
src/dailypapers/demo/embeddings.npz: ids, text hashes, the model name, float16 paper vectors
and int8 sentence vectors with a scale per row (`write_vectors(..., compact=True)`).
`load_demo()` stores those whose paper text still hashes the same, so semantic search and
similar papers work on a fresh install without running `dailypapers index`.
Rerun it whenever the demo data, the model or the embedding recipe changes.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from dailypapers.config import Settings
from dailypapers.search.recipe import embed_papers
from dailypapers.search.vector_files import write_vectors
from dailypapers.services.bootstrap import bootstrap
from dailypapers.services.demo import demo_data_path, demo_embeddings_path

BATCH = 256


def main() -> int:
    # the source tree's copy (demo_embeddings_path() may point into an installed package)
    target = Path(__file__).resolve().parents[1] / "src" / "dailypapers" / "demo"
    target = target / demo_embeddings_path().name
    with tempfile.TemporaryDirectory() as folder:
        services = bootstrap(Settings(data_dir=Path(folder)))
        try:
            services.upgrade_schema()
            services.imports.import_file(demo_data_path(), "hf-daily")
            model = services.embedding.model
            papers = services.embedding.store.pending(model, limit=10**9)
            embedder = services.embedding.embedders.get()
            started = time.perf_counter()
            records = []
            for start in range(0, len(papers), BATCH):
                batch = papers[start : start + BATCH]
                records += embed_papers(
                    embedder, [(p.arxiv_id, p.title, p.abstract) for p in batch], model
                )
                print(f"{len(records):,}/{len(papers):,} papers", file=sys.stderr)
            seconds = time.perf_counter() - started
        finally:
            services.close()
    write_vectors(target, embedder.name, records, compact=True)
    size = target.stat().st_size / 1e6
    print(
        f"wrote {target} ({len(records):,} papers, {size:.1f} MB, "
        f"{len(records) / seconds:.1f} papers/s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
