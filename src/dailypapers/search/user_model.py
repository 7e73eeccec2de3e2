"""A reader's taste as one linear model over paper vectors: fit in milliseconds, score in one
matrix-vector product.

arxiv-sanity-lite refits an SVM over the whole corpus on every page load (seconds at 75k
papers). Here the model is a class-balanced ridge classifier in closed form: the reader's
positives (upvotes, saved, submitted, 👍) against their hard negatives (👎, weighted
`hard_weight` times) and a background sample of ordinary papers (treated as mild negatives,
as arxiv-sanity's SVM treats the rest of the corpus). Solving the (dim+1)² normal equations
costs a few milliseconds for 384-d MiniLM vectors whatever the corpus size, so it can be
refit whenever the history changes; scoring a window of recent papers is `matrix @ w`.

Because a model fitted on two 👍 papers is mostly noise, a 👎 also demotes its near
duplicates directly (`dislike_penalty` × similarity above `dislike_floor`), so "not
interested" visibly pushes similar papers down at once. The reasons shown with a
recommendation come from `nearest_history`: the history papers most similar to it.

The fit runs BLAS on one thread: a (385 x 385) solve is ~3 ms on one core, but a
multithreaded BLAS on a busy 2-core host spun for 200-600 ms (measured), and a web server
runs many requests side by side anyway.

Pure numpy, no I/O: tests/unit/test_user_model.py specifies it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from threadpoolctl import threadpool_limits


@dataclass(frozen=True, slots=True)
class ModelParams:
    l2: float = 0.01  # ridge penalty on the weights (not the bias); classes weigh 1 each
    hard_weight: float = 2.0  # a 👎 counts this many times a background paper, class-balanced
    dislike_floor: float = 0.45  # similarity to a 👎 paper below this is not penalised
    dislike_penalty: float = 2.0  # score taken off per unit of similarity above the floor


@dataclass(frozen=True, slots=True)
class UserModel:
    weights: np.ndarray  # float32 [dim]
    bias: float
    dislikes: np.ndarray  # float32 [n, dim], unit rows: the 👎 papers
    params: ModelParams

    def score(self, matrix: np.ndarray) -> np.ndarray:
        """One score per row of `matrix` (unit paper vectors): higher is more relevant."""
        if len(matrix) == 0:
            return np.zeros(0, np.float32)
        with threadpool_limits(1, user_api="blas"):
            if not len(self.dislikes):
                return (matrix @ self.weights + np.float32(self.bias)).astype(np.float32)
            # one pass over the matrix for the weights and the 👎 papers together: at 75k
            # papers a GEMV plus a separate GEMM read it twice (37 ms CPU vs 21, measured)
            columns = np.vstack([self.weights[None, :], self.dislikes]).T.astype(np.float32)
            both = matrix @ columns
            scores = both[:, 0] + np.float32(self.bias)
            nearest = both[:, 1:].max(axis=1)
            over = np.maximum(nearest - self.params.dislike_floor, 0.0)
            floor = self.params.dislike_floor
            scores = scores - self.params.dislike_penalty * over / (1 - floor)
        return scores.astype(np.float32)


@dataclass(frozen=True, slots=True)
class Background:
    """The background class, reduced to what the normal equations need: the mean outer
    product and the mean of its rows (with a bias column). It is the same for every reader
    of a window, so it is computed once per window, not per reader: per-reader work is then
    O((positives + negatives) * dim^2) plus one (dim+1)^2 solve."""

    gram: np.ndarray  # float64 [dim+1, dim+1]
    mean: np.ndarray  # float64 [dim+1]


def background_of(matrix: np.ndarray) -> Background:
    """The background statistics of ordinary papers (unit rows)."""
    if len(matrix) == 0:
        raise ValueError("the background needs at least one paper")
    with threadpool_limits(1, user_api="blas"):
        xb = _with_bias(matrix)
        return Background(gram=xb.T @ xb / len(xb), mean=xb.mean(axis=0))


def _with_bias(rows: np.ndarray) -> np.ndarray:
    return np.hstack([np.asarray(rows, np.float64), np.ones((len(rows), 1))])


def fit(
    positives: np.ndarray,
    negatives: np.ndarray,
    background: Background | np.ndarray,
    params: ModelParams = ModelParams(),
) -> UserModel:
    """The model for one reader. `positives` must be non-empty; each class is weighted to
    total 1 (negatives `hard_weight`), so a long history doesn't drown the background.
    `background` is a `Background` or the papers to make one of."""
    if len(positives) == 0:
        raise ValueError("a user model needs at least one positive paper")
    if not isinstance(background, Background):
        background = background_of(background)
    dim = positives.shape[1]
    negatives = np.asarray(negatives, np.float32).reshape(-1, dim)
    with threadpool_limits(1, user_api="blas"):
        pos, neg = _with_bias(positives), _with_bias(negatives)
        gram = background.gram + pos.T @ pos / len(pos)
        rhs = pos.mean(axis=0) - background.mean
        if len(neg):
            gram = gram + params.hard_weight * (neg.T @ neg) / len(neg)
            rhs = rhs - params.hard_weight * neg.mean(axis=0)
        penalty = np.full(dim + 1, params.l2)
        penalty[-1] = 1e-6  # the bias is (almost) free
        gram[np.diag_indices_from(gram)] += penalty
        solution = np.linalg.solve(gram, rhs)
    return UserModel(
        weights=solution[:-1].astype(np.float32),
        bias=float(solution[-1]),
        dislikes=negatives,
        params=params,
    )


def centroid_scores(positives: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """The plain baseline: similarity to the mean of the history."""
    centre = positives.mean(axis=0)
    norm = float(np.linalg.norm(centre)) or 1.0
    return (matrix @ (centre / norm)).astype(np.float32)


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Positions of the k highest scores, best first (ties by position), without a full sort."""
    if k <= 0 or len(scores) == 0:
        return np.zeros(0, np.int64)
    part = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
    return part[np.lexsort((part, -scores[part]))]


def nearest_history(
    candidates: np.ndarray, history: np.ndarray, *, k: int = 2, floor: float = 0.3
) -> list[list[tuple[int, float]]]:
    """For each candidate row, up to k (history position, similarity) pairs, nearest first,
    only those at least `floor` similar: the papers a reason names."""
    if len(history) == 0 or len(candidates) == 0:
        return [[] for _ in range(len(candidates))]
    sims = candidates @ history.T
    out: list[list[tuple[int, float]]] = []
    for row in sims:
        order = np.argsort(-row, kind="stable")[:k]
        out.append([(int(i), float(row[i])) for i in order if row[i] >= floor])
    return out
