"""What a recommendation is, and why it was made: the shapes the For-you page shows.

A reader's history is what they did here (upvoted, saved to a collection, submitted, 👍);
each recommended paper carries one `Reason`, said in one line by `reason_line` (the same
words on the page, in its JSON twin and in the API).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from dailypapers.domain.papers import Paper

HistorySource = Literal["upvoted", "saved", "submitted", "liked"]
# When one paper is in the history several ways, the strongest word names it.
SOURCE_ORDER: tuple[HistorySource, ...] = ("liked", "upvoted", "submitted", "saved")
ReasonKind = Literal["author", "category", "history", "keyphrases", "trending"]


@dataclass(frozen=True, slots=True)
class HistoryItem:
    arxiv_id: str
    source: HistorySource
    at: datetime


@dataclass(frozen=True, slots=True)
class Neighbour:
    """A history paper a recommendation is close to."""

    arxiv_id: str
    title: str
    source: HistorySource
    similarity: float


@dataclass(frozen=True, slots=True)
class Reason:
    kind: ReasonKind
    neighbours: tuple[Neighbour, ...] = ()
    authors: tuple[str, ...] = ()  # followed authors of the paper
    keyphrases: tuple[str, ...] = ()  # shared with the nearest history papers
    categories: tuple[str, ...] = ()  # followed arXiv categories the paper is in


@dataclass(frozen=True, slots=True)
class Recommendation:
    paper: Paper
    score: float
    reason: Reason


@dataclass(frozen=True, slots=True)
class Recommendations:
    items: list[Recommendation]
    cold_start: bool  # no history and no follows: trending papers instead
    window: tuple[datetime, datetime] | None = None  # featured days scored (None: no data)
    history_size: int = 0
    followed: list[str] = field(default_factory=list)
    followed_categories: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Learned:
    """What the recommender knows about a reader, to show them and let them change it."""

    liked: list[Paper]  # 👍
    disliked: list[Paper]  # 👎
    followed: list[str]
    keyphrases: list[tuple[str, int]]  # from the history papers, most frequent first
    categories: list[tuple[str, int]]
    history_size: int
    followed_categories: list[str] = field(default_factory=list)


def top_counts(values: list[str], most: int) -> list[tuple[str, int]]:
    """The most frequent values with their counts (ties alphabetically)."""
    counts: dict[str, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:most]


def author_key(name: str) -> str:
    """How author names are compared: case and spacing don't matter."""
    return " ".join(name.split()).casefold()


def merge_history(items: list[HistoryItem]) -> list[HistoryItem]:
    """One item per paper, named by its strongest source, most recent first."""
    best: dict[str, HistoryItem] = {}
    for item in items:
        known = best.get(item.arxiv_id)
        if known is None or SOURCE_ORDER.index(item.source) < SOURCE_ORDER.index(known.source):
            best[item.arxiv_id] = item
    return sorted(best.values(), key=lambda i: (i.at, i.arxiv_id), reverse=True)


def _quoted(titles: list[str]) -> str:
    quoted = [f"“{t}”" for t in titles]
    return (
        " and ".join(quoted) if len(quoted) <= 2 else ", ".join(quoted[:-1]) + " and " + quoted[-1]
    )


def _listed(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def reason_line(reason: Reason) -> str:
    """The one line a recommendation shows."""
    if reason.kind == "author":
        return "New paper by an author you follow: " + ", ".join(reason.authors)
    if reason.kind == "category" and reason.categories:
        return f"New in {_listed(list(reason.categories))}, which you follow"
    if reason.kind == "history" and reason.neighbours:
        by_source: dict[str, list[str]] = {}
        for n in reason.neighbours:
            by_source.setdefault(n.source, []).append(n.title)
        parts = [f"you {source} {_quoted(titles)}" for source, titles in by_source.items()]
        return "Because " + " and ".join(parts)
    if reason.kind == "keyphrases" and reason.keyphrases:
        return "Shares keyphrases with your papers: " + ", ".join(reason.keyphrases)
    return "Trending now"
