"""Keyphrases for papers that arrive without Hugging Face's `ai_keywords`, offline.

arXiv-only papers have no topical labels, yet For-you's reasons ("shares keyphrases ...")
and the learned-profile page want some. No LLM and no network: KeyBERT's idea with the
bundled MiniLM model, written here in a few lines:

1. Candidates: 1-3-word runs of the title and abstract with no stopword or filler word
   ("we propose", "results" are not topics), not crossing punctuation, and not a lone vague
   word ("models", "framework"). The `candidates` most promising (in the title, then
   most frequent, then earliest) go on: embedding every n-gram of an abstract would cost
   more than embedding the paper.
2. Each candidate is embedded with the same model (short texts, a few ms each) and scored by
   cosine similarity to the paper's own vector (search/recipe.paper_vector).
3. Maximal marginal relevance picks `top` of them: each next pick maximises
   `diversity_weight * similarity to the paper - (1 - diversity_weight) * similarity to
   the picks so far`, and a phrase containing or contained in a pick is skipped, so
   "diffusion" and "diffusion models" are not both shown.

Surface forms keep acronyms and mixed case ("LLM", "GPT-4", "ViT") and lower-case ordinary
capitalised words. `extract` works on a batch so every candidate of the batch is embedded in
one `encode` call. Pure computation: storing and scheduling are services/keyphrases.py.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from dailypapers.domain.search import STOPWORDS
from dailypapers.search.embedder import Embedder

# Words that do not make a topic on their own edge: academic filler and vague modifiers.
FILLER = frozenset(
    """yet thus hence therefore however although though whereas whether via also often still
    even many much well without within across among upon toward towards including
    paper papers work works propose proposes proposed present presents presented show shows
    shown demonstrate demonstrates introduce introduces introduced novel new based using
    use used uses approach approaches method methods result results existing extensive
    experiments experiment experimental achieve achieves achieved outperform outperforms
    significantly significant various several different state art effective effectively
    performance improve improves improved improving address addresses challenge challenges
    task tasks make makes first one two three however furthermore moreover code available
    publicly github https http com www et al e g i e can may might us our
    """.split()  # noqa: SIM905
)

# a word has a letter; it may start with digits ("3D", "3d-aware") and hold hyphens
_WORD = re.compile(r"(?<![A-Za-z0-9])[0-9]*[A-Za-z][A-Za-z0-9]*(?:[-'][A-Za-z0-9]+)*")
_BREAK = re.compile(r"[.,;:!?()\[\]{}\"“”/]|\s[-–—]\s")
_URL = re.compile(r"(?:https?://|www\.)\S+")  # links are not topics


@dataclass(frozen=True, slots=True)
class KeyphraseParams:
    top: int = 5  # keyphrases kept per paper
    candidates: int = 20  # candidates embedded per paper
    diversity_weight: float = 0.6  # MMR: 1.0 = similarity only, lower = more diverse
    max_words: int = 3


# Too vague to be a keyphrase alone (fine inside one: "world models").
GENERIC = frozenset(
    """model models modeling modelling framework frameworks system systems data dataset
    datasets research learning evaluation evaluating analysis benchmark benchmarks memory
    generative training inference accuracy quality problem problems study studies network
    networks information features feature level levels large small high low""".split()  # noqa: SIM905
)


def _surface(word: str) -> str:
    """'Large' -> 'large', 'User-Generated' -> 'user-generated'; 'LLM', 'GPT-4', 'ViT',
    'Multi-BERT' keep their acronyms."""
    return "-".join(_part(p) for p in word.split("-"))


def _part(part: str) -> str:
    if part[:1].isupper() and part[1:] == part[1:].lower() and not any(c.isdigit() for c in part):
        return part.lower()
    return part


def _is_edge(word: str) -> bool:
    low = word.lower()
    return low in STOPWORDS or low in FILLER or len(low) < 2 or "'" in low  # "isn't"


def candidates(title: str, abstract: str, params: KeyphraseParams = KeyphraseParams()) -> list[str]:
    """The most promising candidate phrases of a paper, best first (see the module doc)."""
    stats: dict[str, list] = {}  # key -> [surface, in title, count, first position]
    position = 0
    for in_title, text in ((True, title), (False, abstract)):
        for chunk in _BREAK.split(_URL.sub(" . ", text or "")):
            words = _WORD.findall(chunk)
            for i in range(len(words)):
                for n in range(1, params.max_words + 1):
                    gram = words[i : i + n]
                    if len(gram) < n or _is_edge(gram[0]) or _is_edge(gram[-1]):
                        continue
                    if any(_is_edge(w) for w in gram):  # "of", "using" inside
                        continue
                    if n == 1 and (len(gram[0]) < 3 or gram[0].lower() in GENERIC):
                        continue
                    surface = " ".join(_surface(w) for w in gram)
                    key = surface.casefold()
                    entry = stats.setdefault(key, [surface, False, 0, position])
                    entry[1] = entry[1] or in_title
                    entry[2] += 1
                position += 1
    ranked = sorted(stats.values(), key=lambda e: (not e[1], -e[2], e[3]))
    return [e[0] for e in ranked[: params.candidates]]


def mmr(
    paper: np.ndarray,
    phrases: Sequence[str],
    matrix: np.ndarray,
    params: KeyphraseParams = KeyphraseParams(),
) -> list[str]:
    """`params.top` of `phrases` (rows of `matrix`, unit vectors) by maximal marginal
    relevance to the unit vector `paper`."""
    if not len(phrases):
        return []
    relevance = matrix @ paper
    between = matrix @ matrix.T
    chosen: list[int] = []
    left = list(range(len(phrases)))
    lam = params.diversity_weight
    while left and len(chosen) < params.top:
        redundancy = between[np.ix_(left, chosen)].max(axis=1) if chosen else 0.0
        best = left[int(np.argmax(lam * relevance[left] - (1 - lam) * redundancy))]
        chosen.append(best)
        picked = phrases[best].casefold()
        left = [
            i
            for i in left
            if i != best
            and phrases[i].casefold() not in picked
            and picked not in phrases[i].casefold()
        ]
    return [phrases[i] for i in chosen]


def extract(
    embedder: Embedder,
    papers: Sequence[tuple[str, str, np.ndarray]],
    params: KeyphraseParams = KeyphraseParams(),
) -> list[list[str]]:
    """Keyphrases for each (title, abstract, paper vector), in order: one `encode` call
    for the candidates of the whole batch."""
    found = [candidates(title, abstract, params) for title, abstract, _ in papers]
    flat = [phrase for phrases in found for phrase in phrases]
    matrix = embedder.encode(flat, batch_size=128) if flat else np.zeros((0, embedder.dim))
    out: list[list[str]] = []
    at = 0
    for (_, _, vector), phrases in zip(papers, found, strict=True):
        rows = matrix[at : at + len(phrases)]
        at += len(phrases)
        out.append(mmr(np.asarray(vector, np.float32), phrases, rows, params))
    return out
