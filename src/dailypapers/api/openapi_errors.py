"""Make `/openapi.json` describe the error bodies this site really sends.

FastAPI documents every route with parameters as answering 422 with its own
`HTTPValidationError` (`{"detail": [...]}`), a body this site never sends: the app's one
exception translator answers `{"error": {"code", "message"}}` (and Hugging Face's
`{"error": "message"}` on HF's routes, which declare `HfError` themselves). This rewrites the
`HTTPValidationError` component into our shape once, when the document is first built.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel, Field


class ErrorDetail(BaseModel):
    code: str = Field(description="A stable machine-readable code, e.g. `validation_error`.")
    message: str = Field(description="What went wrong, for a person.")


class ApiError(BaseModel):
    """An error on this site's own JSON routes."""

    error: ErrorDetail


def document_real_error_bodies(app: FastAPI) -> None:
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = build()
        components = schema.get("components", {}).get("schemas", {})
        if "HTTPValidationError" in components:
            ours = ApiError.model_json_schema(ref_template="#/components/schemas/{model}")
            components.update(ours.pop("$defs", {}))
            components["HTTPValidationError"] = {**ours, "title": "ApiError"}
            components.pop("ValidationError", None)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
