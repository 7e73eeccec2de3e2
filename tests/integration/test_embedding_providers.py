"""`embedding_providers`: CUDA where onnxruntime has it, the CPU always as the last resort.

This machine's onnxruntime has no CUDA provider, so asking for it must still give a working
embedder (on the CPU, with a warning) whose vectors are the CPU's, under the same model name:
stored vectors stay comparable whichever provider made them.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest

from dailypapers.config import Settings
from dailypapers.search.embedder import MiniLMEmbedder, usable_providers
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
        source = EmbedderSource(settings)
        asked = source.get()
    assert isinstance(asked, MiniLMEmbedder)
    assert asked.providers == ["CPUExecutionProvider"]
    assert "no CUDAExecutionProvider" in caplog.text
    assert asked.name == cpu.name == source.model
    np.testing.assert_array_equal(asked.encode(TEXTS), cpu.encode(TEXTS))
