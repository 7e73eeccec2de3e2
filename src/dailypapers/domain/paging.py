"""Paging: the one check of a page number and a page size against the settings.

Every list the site pages (day/week/month pages, trending, search, the API) takes `p` (from
0) and `limit` (None: the `page_size` setting); both are bounded by settings so no request
can ask for an unbounded page or an absurd offset.
"""

from __future__ import annotations

from typing import Protocol

from dailypapers.errors import BadRequest


class PageLimits(Protocol):
    """The paging settings (the site section has them); the domain reads no settings
    object, only these three numbers."""

    @property
    def page_size(self) -> int: ...
    @property
    def max_page_size(self) -> int: ...
    @property
    def max_page_number(self) -> int: ...


def check_paging(settings: PageLimits, page: int, limit: int | None) -> tuple[int, int]:
    """Validate `p`/`limit` against `max_page_size` and `max_page_number`; return
    (page, limit), with the default page size filled in."""
    limit = settings.page_size if limit is None else limit
    if not 1 <= limit <= settings.max_page_size:
        raise BadRequest(f"limit must be between 1 and {settings.max_page_size}")
    if not 0 <= page <= settings.max_page_number:
        raise BadRequest(f"p must be between 0 and {settings.max_page_number}")
    return page, limit
