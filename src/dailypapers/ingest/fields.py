"""Field-level validation shared by every source: ids, text, authors, dates, counts.

Each function raises RecordError with a message that names the field, so a skipped record
says exactly why.

Every value that reaches the database passes through here, for file imports and live ingest
alike, so a value both databases store identically is decided in one place: text holds no
NUL (PostgreSQL refuses it) and no lone surrogate (it can't be encoded as UTF-8); dates lie
in [EARLIEST, LATEST) (Python can't even shift `0001-01-01T00:00:00+01:00` to UTC, and the
period pages can't step past year 9999); counts fit a signed 32-bit column (PostgreSQL's
INTEGER; SQLite would take up to 2^63 - 1, and the two must agree).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from dailypapers.config import IngestSettings
from dailypapers.domain.arxiv_ids import ArxivId, parse_arxiv_id
from dailypapers.errors import InvalidArxivId, RecordError

_CATEGORY = re.compile(r"[a-z][a-z\-]*(?:\.[A-Za-z][A-Za-z\-]*)?")

# Bounds of a plausible paper date: arXiv began in 1991, HF Daily Papers in 2023.
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)
MAX_COUNT = 2**31 - 1  # PostgreSQL INTEGER; upvotes, comments and stars stay far below


@dataclass(frozen=True, slots=True)
class RecordLimits:
    max_title_chars: int = 1000
    max_abstract_chars: int = 20_000
    max_authors: int = 5000

    @classmethod
    def from_settings(cls, settings: IngestSettings) -> RecordLimits:
        return cls(settings.max_title_chars, settings.max_abstract_chars, settings.max_authors)


def arxiv_id(value: Any, field: str = "id") -> ArxivId:
    if value is None or value == "":
        raise RecordError(f"missing {field}")
    if not isinstance(value, str):
        # A number loses digits (2401.00010 -> 2401.0001): refuse it rather than guess.
        raise RecordError(f"{field} must be a string, not {type(value).__name__}")
    try:
        return parse_arxiv_id(value)
    except InvalidArxivId as exc:
        raise RecordError(f"{field}: {exc.message}") from None


def storable(value: str, field: str) -> str:
    """The text itself, if both databases can store it exactly; else a RecordError."""
    if "\x00" in value:
        raise RecordError(f"{field} contains a NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise RecordError(
            f"{field} contains a lone surrogate ({value[exc.start]!r} at {exc.start})"
        ) from None
    return value


def clean_text(value: Any, field: str, *, limit: int, required: bool = True) -> str:
    """Collapse arXiv's hard line-wraps into single spaces; LaTeX is kept as it is."""
    if value is None:
        if required:
            raise RecordError(f"missing {field}")
        return ""
    if not isinstance(value, str):
        raise RecordError(f"{field} must be a string, not {type(value).__name__}")
    text = " ".join(storable(value, field).split())
    if required and not text:
        raise RecordError(f"empty {field}")
    if len(text) > limit:
        raise RecordError(f"{field} is longer than {limit} characters")
    return text


def optional_text(value: Any, field: str, limit: int = 2000) -> str | None:
    if value is None:
        return None
    return clean_text(value, field, limit=limit, required=False) or None


def authors(value: Any, *, limit: int) -> list[str]:
    """A list of names, of {"name": ...} objects (HF), or one comma/'and' separated string."""
    if value is None:
        return []
    if isinstance(value, str):
        storable(value, "authors")
        parts = re.split(r",\s*(?:and\s+)?|\s+and\s+", " ".join(value.split()))
        names = [p.strip() for p in parts]
    elif isinstance(value, list):
        names = []
        for item in value:
            if isinstance(item, dict):
                if item.get("hidden"):
                    continue
                item = item.get("name")
            if not isinstance(item, str):
                raise RecordError("authors must be names (strings or {name} objects)")
            names.append(" ".join(storable(item, "authors").split()))
    else:
        raise RecordError(f"authors must be a list or a string, not {type(value).__name__}")
    return [n for n in names if n][:limit]


def categories(value: Any) -> list[str]:
    """arXiv categories; ACM/MSC codes that some listings mix in are dropped."""
    if value is None:
        return []
    if isinstance(value, str):
        value = value.split()
    if not isinstance(value, list):
        raise RecordError("categories must be a list or a space-separated string")
    seen: list[str] = []
    for item in value:
        if isinstance(item, str) and _CATEGORY.fullmatch(item) and item not in seen:
            seen.append(item)
    return seen


def timestamp(value: Any, field: str) -> datetime | None:
    """ISO 8601 (with or without Z) or RFC 2822 (Kaggle's versions); always UTC."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise RecordError(f"{field} must be a date string")
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError, OverflowError):
            raise RecordError(f"{field}: unparsable date {value!r}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        parsed = parsed.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00:00+01:00 is before datetime.min in UTC
        raise RecordError(f"{field}: date out of range {value!r}") from None
    if not EARLIEST <= parsed < LATEST:
        raise RecordError(f"{field}: date out of range {value!r}")
    return parsed


def day(value: Any, field: str) -> date:
    if not isinstance(value, str):
        raise RecordError(f"missing {field}")
    try:
        parsed = date.fromisoformat(value.strip()[:10])
    except ValueError:
        raise RecordError(f"{field}: unparsable date {value!r}") from None
    if not EARLIEST.date() <= parsed < LATEST.date():
        raise RecordError(f"{field}: date out of range {value!r}")
    return parsed


def count(value: Any, field: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise RecordError(f"{field} must be a non-negative integer")
    if value > MAX_COUNT:
        raise RecordError(f"{field} is larger than {MAX_COUNT}")
    return value


def url(value: Any, field: str) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = value.strip() if isinstance(value, str) else value
    if (
        not isinstance(text, str)
        or not text.startswith(("https://", "http://"))
        or len(text) > 2000
    ):
        raise RecordError(f"{field} must be an http(s) URL of at most 2000 characters")
    return storable(text, field)


def keywords(value: Any) -> list[str] | None:
    if value is None:
        return None
    if not isinstance(value, list):
        raise RecordError("ai_keywords must be a list")
    kept = [str(k) for k in value if isinstance(k, str | int | float)][:100]
    return [storable(k, "ai_keywords") for k in kept]
