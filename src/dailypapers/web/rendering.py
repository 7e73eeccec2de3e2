"""Jinja2 set-up and template helpers (dates, author lists, numbers, TeX).

Autoescape is on for every template, so any `<`, `&` or `<script>` in imported text is shown,
never run. Titles and abstracts keep their LaTeX in the data (and the JSON twins); templates
show them through `tex` (formulas as MathML, escaped; domain/tex.py) or `tex_plain`. Pages
get `site_name`, the search limit and the active nav item from one context processor.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

import jinja2
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response

from dailypapers import deps
from dailypapers.domain import tex as _tex
from dailypapers.presenters.papers import short_authors

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"


def _as_date(value: str | date | datetime) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(value[:10])


def long_day(value: str | date | datetime) -> str:
    """`Friday, 21 August 2026`."""
    day = _as_date(value)
    return f"{day:%A}, {day.day} {day:%B %Y}"


def short_day(value: str | date | datetime) -> str:
    """`21 Aug 2026`."""
    day = _as_date(value)
    return f"{day.day} {day:%b %Y}"


def thousands(value: int | None) -> str:
    return "" if value is None else f"{value:,}"


def compact_number(value: int | None) -> str:
    """`950`, `1.2k`, `34k`, `1.5M`: for star counts in tight rows."""
    if value is None:
        return ""
    for divisor, suffix in ((1_000_000, "M"), (1_000, "k")):
        if abs(value) >= divisor:
            scaled = value / divisor
            text = f"{scaled:.1f}" if scaled < 10 else f"{scaled:.0f}"
            return text.removesuffix(".0") + suffix
    return str(value)


def http_url(value: str | None) -> str | None:
    """The URL if it is http(s), else None: only those become links."""
    if isinstance(value, str) and value.startswith(("https://", "http://")):
        return value
    return None


def github_name(url: str) -> str:
    """`owner/repo` from a GitHub URL, for link text."""
    tail = url.split("github.com/", 1)[-1].strip("/")
    return tail or url


_NAV = (
    ("/date", "today"),
    ("/week", "week"),
    ("/month", "month"),
    ("/trending", "trending"),
    ("/for-you", "for-you"),
    ("/about", "about"),
)


def tex(value: str | None) -> Markup:
    """A title or abstract with its TeX typeset: formulas as MathML (domain/tex.py)."""
    return Markup(_tex.to_html(value or ""))


def tex_plain(value: str | None) -> str:
    """A title or abstract with its TeX cleaned, for `<title>` and attributes."""
    return _tex.to_plain(value or "")


def _active_nav(path: str) -> str | None:
    if path == "/":
        return "today"
    return next((name for prefix, name in _NAV if path.startswith(prefix)), None)


def _page_context(request: Request) -> dict[str, Any]:
    settings = deps.site_settings(request)
    return {
        "site_name": settings.site_name,
        "max_query_length": settings.max_query_length,
        "nav_active": _active_nav(request.url.path),
    }


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        # Templates ship inside the package: don't stat every one on every render.
        auto_reload=False,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        long_day=long_day,
        short_day=short_day,
        short_authors=short_authors,
        thousands=thousands,
        compact_number=compact_number,
        http_url=http_url,
        github_name=github_name,
        tex=tex,
        tex_plain=tex_plain,
    )
    return env


templates = Jinja2Templates(env=_environment(), context_processors=[_page_context])


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any],
    *,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
) -> Response:
    return templates.TemplateResponse(
        request, template, dict(context), status_code=status, headers=dict(headers or {})
    )
