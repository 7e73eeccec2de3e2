"""Paging parameters every paged route shares (the web pages and the API), declared once so
the OpenAPI document states them alike.

The bounds are documented here (`minimum`) and enforced by the services with a 400 in our or
HF's error shape, so a bad value reads the same from every route.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

PageNumber = Annotated[
    int, Query(description="Page number, from 0.", json_schema_extra={"minimum": 0})
]
PageSize = Annotated[
    int | None,
    Query(
        description="Items per page, 1 to the `max_page_size` setting.",
        json_schema_extra={"minimum": 1},  # enforced (400) by the service
    ),
]
