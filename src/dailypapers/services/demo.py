"""The bundled demo data: real HF daily-papers rows and their precomputed vectors."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def demo_data_path() -> Path:
    """Real HF daily-papers rows (the last ~75 days of the shared set) shipped in the package."""
    return Path(str(resources.files("dailypapers") / "demo" / "hf_daily_papers.jsonl.gz"))


def demo_embeddings_path() -> Path:
    """The demo papers' vectors (tools/make_demo_embeddings.py writes them)."""
    return Path(str(resources.files("dailypapers") / "demo" / "embeddings.npz"))
