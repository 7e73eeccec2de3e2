"""The paging parameters the API routes share: declared in `dailypapers.deps.params`, where
the web pages (which may not import this package) share them too."""

from __future__ import annotations

from dailypapers.deps.params import PageNumber, PageSize

__all__ = ["PageNumber", "PageSize"]
