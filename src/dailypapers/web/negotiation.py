"""Whether a request wants a page's JSON twin instead of its HTML (datasette style).

`?format=json` always wins; otherwise the Accept header decides, and JSON is chosen only when
`application/json` is explicitly preferred to HTML: a browser's `text/html,...,*/*;q=0.8` and
curl's `*/*` get HTML.
"""

from __future__ import annotations

from starlette.requests import Request


def _quality(params: list[str]) -> float:
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "q":
            try:
                return max(0.0, min(1.0, float(value)))
            except ValueError:
                return 0.0
    return 1.0


def accept_qualities(header: str) -> dict[str, float]:
    """`{"media/type": q}` for each range of an Accept header (the highest q if repeated)."""
    qualities: dict[str, float] = {}
    for part in header.split(",")[:50]:
        media, *params = part.split(";")
        media = media.strip().lower()
        if media:
            qualities[media] = max(qualities.get(media, 0.0), _quality(params))
    return qualities


def prefers_json(accept: str) -> bool:
    qualities = accept_qualities(accept)
    json_q = qualities.get("application/json", 0.0)
    html_q = next(
        (qualities[m] for m in ("text/html", "text/*", "*/*") if m in qualities),
        0.0,
    )
    return json_q > 0 and json_q > html_q


def wants_json(request: Request) -> bool:
    fmt = request.query_params.get("format")
    if fmt is not None:
        return fmt.lower() == "json"
    return prefers_json(request.headers.get("accept", ""))
