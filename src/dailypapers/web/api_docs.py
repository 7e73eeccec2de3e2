"""`/docs`: interactive API documentation (Swagger UI) served from this site, under the CSP.

FastAPI's own `/docs` loads Swagger UI from a CDN and starts it with an inline script, both
of which the Content-Security-Policy (app.py) forbids, so it stays off. Here the page loads
Swagger UI's files from the `swagger-ui-bundle-v2` package (`/docs/assets/...`, an allow-list
of names, never a path from the request) and starts it with a static file
(`static/api_docs/init.js`). It reads `/openapi.json`, which `api/hf_schemas.py` types.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from starlette.exceptions import HTTPException
from starlette.responses import FileResponse, HTMLResponse
from swagger_ui_bundle import swagger_ui_path

from dailypapers.web.rendering import STATIC_DIR

router = APIRouter(include_in_schema=False)

_ASSETS = {
    "swagger-ui.css": Path(swagger_ui_path) / "swagger-ui.css",
    "swagger-ui-bundle.js": Path(swagger_ui_path) / "swagger-ui-bundle.js",
    "init.js": Path(STATIC_DIR) / "api_docs" / "init.js",
}
_MEDIA = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>API documentation</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<noscript><p>The API is described in <a href="/openapi.json">/openapi.json</a>.</p></noscript>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/assets/init.js"></script>
</body>
</html>
"""


@router.get("/docs")
def docs() -> HTMLResponse:
    return HTMLResponse(_PAGE)


@router.get("/docs/assets/{name}")
def docs_asset(name: str) -> FileResponse:
    path = _ASSETS.get(name)
    if path is None:
        raise HTTPException(404, f"there is no docs asset {name}")
    return FileResponse(
        path, media_type=_MEDIA[path.suffix], headers={"cache-control": "public, max-age=86400"}
    )
