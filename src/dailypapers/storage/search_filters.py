"""Search filters as SQL: the WHERE terms every search path shares (keyword, vectors).

Visibility (hidden papers never show) and the user's filters (published range, category,
has code) are written once here, so keyword hits, nearest vectors and similar papers filter
the same way on both databases.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, time, timedelta

import sqlalchemy as sa

from dailypapers.domain.search import SearchFilters
from dailypapers.storage.tables import papers


def filter_clauses(filters: SearchFilters, dialect: str) -> list[sa.ColumnElement[bool]]:
    """WHERE terms on `papers` for visibility and the user's filters."""
    where: list[sa.ColumnElement[bool]] = [papers.c.hidden == sa.false()]
    if filters.published_from:
        where.append(papers.c.published_at >= _start_of(filters.published_from))
    if filters.published_to:
        where.append(papers.c.published_at < _start_of(filters.published_to) + timedelta(days=1))
    if filters.category:
        where.append(_has_category(filters.category, dialect))
    if filters.has_code:
        where.append(sa.and_(papers.c.github_repo.is_not(None), papers.c.github_repo != ""))
    return where


def _start_of(day) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def _has_category(category: str, dialect: str) -> sa.ColumnElement[bool]:
    if dialect == "postgresql":
        return sa.cast(papers.c.categories, sa.dialects.postgresql.JSONB).has_key(category)
    # The JSON text holds `"cs.CL"` with its quotes: a LIKE over it is exact for category
    # names (no quotes in them) and ~10x faster than json_each() on every row.
    needle = json.dumps(category).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return sa.cast(papers.c.categories, sa.Text).like(f"%{needle}%", escape="\\")
