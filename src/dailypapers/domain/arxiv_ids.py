"""arXiv identifiers: parse every form people paste (ids, versions, abs/pdf URLs, old style).

New-style ids are `YYMM.NNNN` (2007-2014) or `YYMM.NNNNN` (2015-), optionally `vN`.
Old-style ids are `archive(.SUBJ)/YYMMNNN`, e.g. `hep-th/9901001` or `math.GT/0309136`.
Either way the id names the month arXiv assigned it (`id_month`), so how old a paper is can be
told from its id alone, before asking arXiv anything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from dailypapers.errors import InvalidArxivId

_NEW = re.compile(r"(?P<yymm>\d{4})\.(?P<num>\d{4,5})(?:v(?P<v>\d+))?")
_OLD = re.compile(r"(?P<archive>[a-z][a-z\-]+(?:\.[A-Za-z\-]{2,})?)/(?P<num>\d{7})(?:v(?P<v>\d+))?")
_PREFIXES = (
    "arxiv.org/abs/",
    "arxiv.org/pdf/",
    "arxiv.org/html/",
    "export.arxiv.org/abs/",
    "huggingface.co/papers/",
)


@dataclass(frozen=True, slots=True)
class ArxivId:
    """An arXiv id without its version (`base`) and the version asked for, if any."""

    base: str
    version: int | None = None

    def __str__(self) -> str:
        return self.base if self.version is None else f"{self.base}v{self.version}"


def parse_arxiv_id(raw: str) -> ArxivId:
    """Parse an id or URL; raise InvalidArxivId with a message a user can act on."""
    if not isinstance(raw, str):
        raise InvalidArxivId(f"arXiv id must be a string, got {type(raw).__name__}")
    text = raw.strip()
    if len(text) > 200:
        raise InvalidArxivId("arXiv id is too long")
    lowered = text.lower()
    for scheme in ("https://", "http://"):
        if lowered.startswith(scheme):
            text, lowered = text[len(scheme) :], lowered[len(scheme) :]
    if lowered.startswith("www."):
        text, lowered = text[4:], lowered[4:]
    for prefix in _PREFIXES:
        if lowered.startswith(prefix):
            text = text[len(prefix) :]
            break
    else:
        if lowered.startswith("arxiv:"):
            text = text[6:]
    text = text.split("?", 1)[0].split("#", 1)[0].rstrip("/")
    if text.lower().endswith(".pdf"):
        text = text[:-4]

    match = _NEW.fullmatch(text)
    if match:
        month = int(match["yymm"][2:])
        if not 1 <= month <= 12:
            raise InvalidArxivId(f"{raw!r} is not an arXiv id: month {month:02d} does not exist")
        year = int(match["yymm"][:2])
        if len(match["num"]) == 4 and year >= 15:
            raise InvalidArxivId(f"{raw!r} is not an arXiv id: since 2015 ids have 5 digits")
        if len(match["num"]) == 5 and year < 15:
            raise InvalidArxivId(f"{raw!r} is not an arXiv id: before 2015 ids have 4 digits")
        version = int(match["v"]) if match["v"] else None
        if version == 0:
            raise InvalidArxivId(f"{raw!r} is not an arXiv id: versions start at 1")
        return ArxivId(f"{match['yymm']}.{match['num']}", version)
    match = _OLD.fullmatch(text)
    if match:
        month = int(match["num"][2:4])
        if not 1 <= month <= 12:
            raise InvalidArxivId(f"{raw!r} is not an arXiv id: month {month:02d} does not exist")
        version = int(match["v"]) if match["v"] else None
        if version == 0:
            raise InvalidArxivId(f"{raw!r} is not an arXiv id: versions start at 1")
        return ArxivId(f"{match['archive']}/{match['num']}", version)
    raise InvalidArxivId(f"{raw!r} is not an arXiv id (expected e.g. 2405.15738 or hep-th/9901001)")


def id_month(base: str) -> datetime:
    """The first instant (UTC) of the month a parsed id's `YYMM` names.

    arXiv numbers a paper in the month it is announced, so its first version was submitted
    in that month or shortly before, never after the month ends: a submission check can
    refuse an id whose month ended too long ago without fetching it.
    """
    digits = base.rsplit("/", 1)[-1].split(".", 1)[0][:4]
    yy, mm = int(digits[:2]), int(digits[2:4])
    year = 1900 + yy if "/" in base and yy >= 91 else 2000 + yy
    return datetime(year, mm, 1, tzinfo=UTC)


def month_after(moment: datetime) -> datetime:
    """The first instant of the month after `moment`'s."""
    if moment.month == 12:
        return moment.replace(year=moment.year + 1, month=1, day=1)
    return moment.replace(month=moment.month + 1, day=1)


def abs_url(base: str) -> str:
    return f"https://arxiv.org/abs/{base}"


def pdf_url(base: str) -> str:
    return f"https://arxiv.org/pdf/{base}"
