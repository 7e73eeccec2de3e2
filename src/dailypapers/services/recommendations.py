"""For you: recent papers ranked for one reader, each with the one line that says why.

The use case behind `/for-you`, `GET /api/recommendations` and `/authors/{name}`:

1. The window is the papers featured in the last `recs_window_days` days, ending at the
   newest day with papers (today on a live site; the last day of a non-live data set).
2. The history is what the reader did here: upvotes, papers saved to collections, local
   submissions and 👍 (storage/recommendations.py); 👎 papers are hard negatives.
3. A ridge model over their MiniLM vectors (search/user_model.py) is fitted against the window
   as background and scores the window in one matrix-vector product. The fitted weights are
   stored per reader (`user_models`), keyed by a hash of what they were fitted from (the
   history, the 👎 papers, the window's days, the parameters, the embedding model): the
   scheduler's `user_models` task queues a `user_model` job (`refresh_model`) for every
   reader whose history changed, and a page load scores with the stored weights when the
   key matches. When it doesn't (a removal, a new day, a job not yet run) the page fits once
   and stores the result, so a 👍/👎 shows on the next page at once and no process ever
   serves a stale model; the 👎 near-duplicate penalty is applied at scoring time anyway.
4. A paper by a followed author gets `recs_author_boost` and says so; a paper in a followed
   arXiv category gets `recs_category_boost` ("New in cs.CL, which you follow"); others name the
   nearest history papers ("Because you upvoted “X” and “Y”") and the keyphrases they share
   (HF's `ai_keywords`, or for a paper without them the computed ones, services/keyphrases).
5. A reader with no history and no follows (a cold start) gets trending papers and a prompt.

Papers already in the history or 👎'd are never recommended.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, date, datetime, time, timedelta

import numpy as np

from dailypapers.config import RecommendationSettings, SiteSettings
from dailypapers.domain.arxiv_ids import parse_arxiv_id
from dailypapers.domain.community import User, require_contributor
from dailypapers.domain.digests import parse_categories
from dailypapers.domain.paging import check_paging
from dailypapers.domain.papers import Paper
from dailypapers.domain.recommendations import (
    HistoryItem,
    Learned,
    Neighbour,
    Reason,
    Recommendation,
    Recommendations,
    author_key,
    merge_history,
    top_counts,
)
from dailypapers.errors import BadRequest, Unauthorized
from dailypapers.search.user_model import (
    Background,
    ModelParams,
    UserModel,
    background_of,
    fit,
    nearest_history,
    top_k,
)
from dailypapers.services.clock import Clock, data_now
from dailypapers.services.listings import ListingService
from dailypapers.storage.embeddings import EmbeddingStore
from dailypapers.storage.keyphrases import KeyphraseStore
from dailypapers.storage.papers import PaperStore
from dailypapers.storage.recommendations import RecommendationStore

MAX_AUTHOR_NAME = 300
_WORDS = re.compile(r"[^\W_]+")


class RecommendationService:
    def __init__(
        self,
        settings: RecommendationSettings,
        site: SiteSettings,
        store: RecommendationStore,
        papers: PaperStore,
        embeddings: EmbeddingStore,
        model: str,
        listings: ListingService,
        clock: Clock,
        keyphrases: KeyphraseStore | None = None,
    ) -> None:
        self.settings = settings
        self.site = site
        self.store = store
        self.papers = papers
        self.embeddings = embeddings
        self.model = model
        self.listings = listings
        self.clock = clock
        self.keyphrases = keyphrases  # computed ones, for papers without HF's ai_keywords
        self.params = ModelParams()
        # (window key, statistics): replaced when the window's papers change. A
        # whole-object swap, so threads serving requests at once need no lock.
        self._background_cache: tuple[tuple[int, int], Background] | None = None

    # --- the For you list -------------------------------------------------------------------------
    def window(self) -> tuple[date, date] | None:
        latest = self.papers.latest_day()
        if latest is None:
            return None
        end = data_now(self.clock(), latest).date()
        return end - timedelta(days=self.settings.recs_window_days - 1), end

    def recommend(
        self,
        user: User | None,
        *,
        limit: int | None = None,
        window: tuple[date, date] | None = None,
    ) -> Recommendations:
        """`window`: the featured days to rank (first, last), e.g. a digest's; the page's
        `window()` by default."""
        _, limit = check_paging(self.site, 0, limit or self.settings.recs_page_size)
        window = window or self.window()
        if window is None:
            return Recommendations([], cold_start=True)
        start, end = window
        span = (
            datetime.combine(start, time.min, tzinfo=UTC),
            datetime.combine(end, time.min, tzinfo=UTC),
        )
        if user is None:
            return self._trending(limit, set(), span)
        history = merge_history(self.store.history(user.id, limit=self.settings.recs_history_limit))
        feedback = self.store.feedback(user.id)
        disliked = {a for a, v in feedback.items() if v < 0}
        history = [h for h in history if h.arxiv_id not in disliked]
        followed = self.store.followed(user.id)
        followed_categories = self.store.followed_categories(user.id)
        seen = {h.arxiv_id for h in history} | disliked
        if not history and not followed and not followed_categories:
            return self._trending(limit, seen, span)

        window_ids = sorted(a for a, _, _ in self.papers.listing_candidates(start, end))
        pool_ids = [a for a in window_ids if a not in seen]
        vectors = self.embeddings.vectors_for(
            self.model, window_ids + [h.arxiv_id for h in history] + sorted(disliked)
        )
        items = self.papers.listing_items(start, end, pool_ids)
        pool = sorted(a for a in pool_ids if a in items and a in vectors)
        known = [h for h in history if h.arxiv_id in vectors]
        scores = np.zeros(len(pool), np.float32)
        matrix = np.zeros((0, 0), np.float32)
        positives = np.zeros((0, 0), np.float32)
        if pool:
            matrix = np.vstack([vectors[a] for a in pool])
        if known and pool:
            positives = np.vstack([vectors[h.arxiv_id] for h in known])
            model = self._model_of(user.id, window, known, disliked, window_ids, vectors)
            scores = model.score(matrix)
        keys = {author_key(a) for a in followed}
        by_followed: dict[int, tuple[str, ...]] = {}
        for i, arxiv_id in enumerate(pool):
            names = tuple(a for a in items[arxiv_id].paper.authors if author_key(a) in keys)
            if names:
                by_followed[i] = names
                scores[i] += self.settings.recs_author_boost
        by_category: dict[int, tuple[str, ...]] = {}
        for i, arxiv_id in enumerate(pool):
            mine = tuple(c for c in items[arxiv_id].paper.categories if c in followed_categories)
            if mine:
                by_category[i] = mine
                scores[i] += self.settings.recs_category_boost
        if not known:  # follows only: their papers first, the rest by upvotes
            scores += np.array([items[a].paper.upvotes for a in pool], np.float32) * 1e-6
        chosen = top_k(scores, limit)
        history_papers = self.papers.get_many([h.arxiv_id for h in known])
        phrases = self._keyphrases(
            [*history_papers.values(), *(items[pool[p]].paper for p in chosen)]
        )
        near = (
            nearest_history(matrix[chosen], positives, k=2, floor=self.settings.recs_reason_floor)
            if len(positives)
            else [[] for _ in chosen]
        )
        out: list[Recommendation] = []
        for position, neighbours in zip(chosen, near, strict=True):
            paper = items[pool[position]].paper
            named = tuple(
                Neighbour(
                    known[j].arxiv_id,
                    history_papers[known[j].arxiv_id].title,
                    known[j].source,
                    round(sim, 3),
                )
                for j, sim in neighbours
                if known[j].arxiv_id in history_papers
            )
            shared = _shared_keyphrases(paper, [history_papers[n.arxiv_id] for n in named], phrases)
            if position in by_followed:
                reason = Reason("author", named, by_followed[position], shared)
            elif position in by_category:
                reason = Reason("category", named, (), shared, by_category[position])
            elif named:
                reason = Reason("history", named, (), shared)
            else:
                reason = Reason("keyphrases" if shared else "trending", (), (), shared)
            out.append(Recommendation(paper, float(scores[position]), reason))
        return Recommendations(
            out,
            cold_start=False,
            window=span,
            history_size=len(history),
            followed=followed,
            followed_categories=followed_categories,
        )

    def refresh_model(self, user_id: int) -> bool:
        """Fit and store the reader's model for the current window, unless the stored one
        still fits their history (the `user_model` job); whether there is a model."""
        window = self.window()
        if window is None:
            return False
        history = merge_history(self.store.history(user_id, limit=self.settings.recs_history_limit))
        disliked = {a for a, v in self.store.feedback(user_id).items() if v < 0}
        history = [h for h in history if h.arxiv_id not in disliked]
        window_ids = sorted(a for a, _, _ in self.papers.listing_candidates(*window))
        vectors = self.embeddings.vectors_for(
            self.model, window_ids + [h.arxiv_id for h in history] + sorted(disliked)
        )
        known = [h for h in history if h.arxiv_id in vectors]
        if not known:
            return False
        self._model_of(user_id, window, known, disliked, window_ids, vectors)
        return True

    def changed_readers(self, *, limit: int) -> list[tuple[int, datetime]]:
        """Readers whose history changed in the last day after their model was fitted."""
        since = self.clock() - timedelta(days=1)
        return self.store.changed_histories(since=since, limit=limit)

    def _model_of(
        self,
        user_id: int,
        window: tuple[date, date],
        known: list[HistoryItem],
        disliked: set[str],
        window_ids: list[str],
        vectors: dict[str, np.ndarray],
    ) -> UserModel:
        """The reader's model: the stored one when it was fitted from this very history,
        window and recipe (a job refreshes it when the history changes), else fitted here
        once and stored. 👎 papers take effect either way: their near-duplicate penalty is
        applied at scoring time from `dislikes`."""
        dim = next(iter(vectors.values())).shape[0]
        negatives = [vectors[a] for a in sorted(disliked) if a in vectors]
        dislikes = np.vstack(negatives) if negatives else np.zeros((0, dim), np.float32)
        key = _history_key(
            self.model, self.params, window, [h.arxiv_id for h in known], sorted(disliked)
        )
        stored = self.store.user_model(user_id)
        if stored is not None and stored.history_key == key:
            weights = np.frombuffer(stored.weights, "<f4").astype(np.float32)
            if weights.shape == (dim,):
                return UserModel(weights, stored.bias, dislikes, self.params)
        positives = np.vstack([vectors[h.arxiv_id] for h in known])
        background = self._background([a for a in window_ids if a in vectors], vectors)
        model = fit(positives, dislikes, background, self.params)
        self.store.save_user_model(
            user_id, key, model.weights.astype("<f4").tobytes(), model.bias, now=self.clock()
        )
        return model

    def _keyphrases(self, papers: list[Paper]) -> dict[str, list[str]]:
        """Each paper's keyphrases: HF's `ai_keywords`, else the computed ones."""
        missing = [p.arxiv_id for p in papers if not p.ai_keywords]
        computed = self.keyphrases.for_papers(missing) if self.keyphrases and missing else {}
        return {p.arxiv_id: list(p.ai_keywords or computed.get(p.arxiv_id, ())) for p in papers}

    def _background(self, ids: list[str], vectors: dict[str, np.ndarray]) -> Background:
        """The window's background statistics, computed once per window (and data): the
        same for every reader, and most of the fitting cost at a large window."""
        key = (len(ids), hash(tuple(ids)))
        cached = self._background_cache
        if cached is None or cached[0] != key:
            matrix = _sample(
                np.vstack([vectors[a] for a in ids]), self.settings.recs_background_limit
            )
            cached = self._background_cache = (key, background_of(matrix))
        return cached[1]

    def _trending(
        self, limit: int, seen: set[str], span: tuple[datetime, datetime]
    ) -> Recommendations:
        view = self.listings.trending(limit=min(limit + len(seen), self.site.max_page_size))
        items = [
            Recommendation(i.paper, 0.0, Reason("trending"))
            for i in view.page.items
            if i.paper.arxiv_id not in seen
        ][:limit]
        return Recommendations(items, cold_start=True, window=span)

    # --- 👍 / 👎 ---------------------------------------------------------------------------
    def set_feedback(self, user: User | None, arxiv_id: str, verdict: int | None) -> None:
        """👍 (+1) counts like an upvote for the model, 👎 (-1) hides the paper and demotes
        its near duplicates, None forgets the verdict."""
        user = self._reader(user)
        if verdict not in (1, -1, None):
            raise BadRequest("verdict must be up, down or clear")
        base = parse_arxiv_id(arxiv_id).base
        self.store.set_feedback(user.id, base, verdict, now=self.clock())

    def feedback(self, user: User | None) -> dict[str, int]:
        return self.store.feedback(self._reader(user).id)

    def reset(self, user: User | None) -> int:
        """Forget every 👍/👎 and follow (upvotes, collections and submissions stay: they
        are the reader's own records, changed where they were made); how many rows went."""
        reader = self._reader(user)
        return (
            self.store.clear_feedback(reader.id)
            + self.store.unfollow_all(reader.id)
            + self.store.unfollow_all_categories(reader.id)
        )

    def learned(self, user: User | None) -> Learned:
        """What the model learns from: verdicts, follows, and the history's keyphrases and
        categories (the papers' own, counted)."""
        reader = self._reader(user)
        history = merge_history(
            self.store.history(reader.id, limit=self.settings.recs_history_limit)
        )
        feedback = self.store.feedback(reader.id)
        papers = self.papers.get_many(sorted({h.arxiv_id for h in history} | set(feedback)))
        mine = [papers[h.arxiv_id] for h in history if h.arxiv_id in papers]
        phrases = self._keyphrases(mine)
        return Learned(
            liked=[papers[a] for a, v in sorted(feedback.items()) if v > 0 and a in papers],
            disliked=[papers[a] for a, v in sorted(feedback.items()) if v < 0 and a in papers],
            followed=self.store.followed(reader.id),
            followed_categories=self.store.followed_categories(reader.id),
            keyphrases=top_counts(
                [k.casefold() for p in mine for k in dict.fromkeys(phrases[p.arxiv_id])], 20
            ),
            categories=top_counts([c for p in mine for c in p.categories], 10),
            history_size=len(mine),
        )

    # --- authors ---------------------------------------------------------------------------
    def follow(self, user: User | None, author: str, on: bool) -> None:
        user = self._reader(user)
        name = _author_name(author)
        if on:
            self.store.follow(user.id, name, now=self.clock())
        else:
            self.store.unfollow(user.id, name)

    def followed(self, user: User | None) -> list[str]:
        return [] if user is None else self.store.followed(user.id)

    def author(self, name: str) -> tuple[list[Paper], int]:
        """An author's papers, newest first, and how many there are."""
        return self.store.author_papers(_author_name(name), limit=self.settings.author_page_size)

    # --- categories ----------------------------------------------------------------------------
    def follow_category(self, user: User | None, category: str, on: bool) -> str:
        """Follow (or stop following) an arXiv category; returns it as stored (`cs.CL`)."""
        reader = self._reader(user)
        found = parse_categories(category)
        if len(found) != 1:
            raise BadRequest("name one arXiv category, e.g. cs.CL")
        name = found[0]
        if on:
            self.store.follow_category(reader.id, name, now=self.clock())
        else:
            self.store.unfollow_category(reader.id, name)
        return name

    def followed_categories(self, user: User | None) -> list[str]:
        return [] if user is None else self.store.followed_categories(user.id)

    def category_choices(self, limit: int = 12) -> list[tuple[str, int]]:
        """The arXiv categories of the window's papers, most papers first: what a reader
        starting out (a cold start) is offered to follow."""
        window = self.window()
        if window is None:
            return []
        ids = [a for a, _, _ in self.papers.listing_candidates(*window)]
        papers = self.papers.get_many(ids)
        return top_counts([c for p in papers.values() for c in dict.fromkeys(p.categories)], limit)

    def _reader(self, user: User | None) -> User:
        if user is None:
            raise Unauthorized("log in first")
        return require_contributor(user, verified_email_required=False)


def _author_name(name: str) -> str:
    name = " ".join(name.split())
    if not name or len(name) > MAX_AUTHOR_NAME:
        raise BadRequest(f"an author's name has 1 to {MAX_AUTHOR_NAME} characters")
    return name


def _history_key(
    model: str,
    params: ModelParams,
    window: tuple[date, date],
    history: list[str],
    disliked: list[str],
) -> str:
    """What a stored model was fitted from, hashed: any change makes it stale."""
    parts = [model, repr(params), window[0].isoformat(), window[1].isoformat()]
    text = "\n".join([*parts, ",".join(sorted(history)), ",".join(disliked)])
    return hashlib.sha256(text.encode()).hexdigest()


def _sample(matrix: np.ndarray, limit: int) -> np.ndarray:
    """At most `limit` rows, the same ones for the same window (stable rankings)."""
    if len(matrix) <= limit:
        return matrix
    rows = np.random.default_rng(0).choice(len(matrix), limit, replace=False)
    return matrix[np.sort(rows)]


def _shared_keyphrases(
    paper: Paper, history: list[Paper], phrases: dict[str, list[str]], most: int = 3
) -> tuple[str, ...]:
    """Keyphrases (HF's or computed) of the named history papers that this paper shares:
    it has the same keyphrase, or its title or abstract says it in so many words (computed
    keyphrases are specific n-grams, so two papers on one topic rarely get the very same)."""
    mine = {k.casefold() for k in phrases.get(paper.arxiv_id, ())}
    text = f" {' '.join(_WORDS.findall(f'{paper.title} {paper.abstract}'.casefold()))} "
    shared: list[str] = []
    for other in history:
        for k in phrases.get(other.arxiv_id, ()):
            folded = k.casefold()
            said = folded in mine or f" {' '.join(_WORDS.findall(folded))} " in text
            if said and folded not in {s.casefold() for s in shared}:
                shared.append(k)
    return tuple(shared[:most])
