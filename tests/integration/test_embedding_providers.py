"""`embedding_providers`: CUDA where onnxruntime has it, the CPU always as the last resort.

This machine's onnxruntime has no CUDA provider, so asking for it must still give a working
embedder (on the CPU, with a warning) whose vectors are the CPU's, under the same model name:
stored vectors stay comparable whichever provider made them.
"""

from __future__ import annotations

import gzip
import itertools
import json
import logging
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest
from click.testing import CliRunner

from dailypapers.cli import cli
from dailypapers.config import Settings
from dailypapers.search.embedder import MiniLMEmbedder, precision_for, usable_providers
from dailypapers.search.recipe import EmbedderSource

TEXTS = ["Chain-of-thought prompting elicits reasoning.", "Diffusion models for video."]


def test_missing_providers_are_skipped_and_the_cpu_comes_last() -> None:
    available = ["CUDAExecutionProvider", "CPUExecutionProvider"]
    assert usable_providers(["CUDAExecutionProvider"], available) == available
    assert usable_providers(["CPUExecutionProvider", "CUDAExecutionProvider"], available) == [
        "CUDAExecutionProvider",
        "CPUExecutionProvider",
    ]
    assert usable_providers(["TensorrtExecutionProvider"], available) == ["CPUExecutionProvider"]


@pytest.mark.skipif(
    "CUDAExecutionProvider" in ort.get_available_providers(), reason="this machine has CUDA"
)
def test_asking_for_cuda_without_it_embeds_on_the_cpu_the_same_vectors(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(
        data_dir=tmp_path,
        embedding_threads=1,
        embedding_providers=["CUDAExecutionProvider", "CPUExecutionProvider"],
    )
    cpu = MiniLMEmbedder(settings.model_cache_dir, threads=1)
    with caplog.at_level(logging.WARNING):
        source = EmbedderSource(settings.search, settings.model_cache_dir)
        asked = source.get()
    assert isinstance(asked, MiniLMEmbedder)
    assert asked.providers == ["CPUExecutionProvider"]
    assert "no CUDAExecutionProvider" in caplog.text
    assert asked.name == cpu.name == source.model
    assert asked.runs_on == "CPUExecutionProvider (int8)"  # not the fp32 graph on the CPU
    np.testing.assert_array_equal(asked.encode(TEXTS), cpu.encode(TEXTS))


def test_a_gpu_runs_the_fp32_graph_and_the_cpu_the_int8_one() -> None:
    assert precision_for(["CUDAExecutionProvider", "CPUExecutionProvider"]) == "fp32"
    assert precision_for(["TensorrtExecutionProvider", "CPUExecutionProvider"]) == "fp32"
    assert precision_for(["CPUExecutionProvider"]) == "int8"


def test_fp32_and_int8_vectors_agree_so_they_share_one_model_name(
    tmp_path: Path, shared_data: Path
) -> None:
    """The GPU's fp32 vectors are stored under the int8 model's name: that holds only while
    both graphs give each text nearly the same vector (here: real arXiv titles and
    abstract sentences, on the CPU, which runs both graphs)."""
    from dailypapers.ingest.records import read_jsonl
    from dailypapers.search.recipe import sentence_units

    texts: list[str] = []
    rows = read_jsonl(shared_data / "arxiv_daily_cs" / "papers.jsonl.gz", max_line_bytes=10**6)
    for raw, _ in zip(rows, range(12), strict=False):
        units, _spans = sentence_units(raw.value["title"], raw.value["abstract"])
        texts += units
    int8 = MiniLMEmbedder(tmp_path, threads=1, precision="int8")
    fp32 = MiniLMEmbedder(tmp_path, threads=1, precision="fp32")
    cosines = np.sum(int8.encode(texts) * fp32.encode(texts), axis=1)
    assert len(texts) > 50
    assert float(cosines.min()) >= 0.99, sorted(cosines)[:5]


def test_index_command_says_what_ran_the_model(tmp_path: Path, shared_data: Path) -> None:
    rows = tmp_path / "rows.jsonl"
    with gzip.open(shared_data / "arxiv_daily_cs" / "papers.jsonl.gz", "rt") as source:
        rows.write_text("".join(itertools.islice(source, 3)))
    runner = CliRunner()
    outputs = {}
    for mode in ("--json", "--text"):
        base = ["--data-dir", str(tmp_path / mode.strip("-"))]
        imported = runner.invoke(cli, [*base, "import", "arxiv-snapshot", "--json", str(rows)])
        assert imported.exit_code == 0, imported.output
        run = runner.invoke(cli, [*base, "index", *([mode] if mode == "--json" else [])])
        assert run.exit_code == 0, run.output
        outputs[mode] = run
    assert json.loads(outputs["--json"].stdout)["runs_on"] == "CPUExecutionProvider (int8)"
    assert "3 papers" in outputs["--text"].output
    assert "on CPUExecutionProvider (int8)" in " ".join(outputs["--text"].output.split())
