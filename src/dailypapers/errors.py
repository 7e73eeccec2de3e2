"""The one error hierarchy.

Routes, services and importers raise these; a single translator in `app` turns them into an
HTML page or a JSON error with the right status, so nobody formats errors by hand.
"""

from __future__ import annotations


class DailyPapersError(Exception):
    """Base class. `status` is the HTTP status an entry point should answer with."""

    status: int = 500
    code: str = "internal_error"

    def __init__(self, message: str, *, detail: object | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail


class BadRequest(DailyPapersError):
    status = 400
    code = "bad_request"


class InvalidArxivId(BadRequest):
    code = "invalid_arxiv_id"


class Unauthorized(DailyPapersError):
    status = 401
    code = "unauthorized"


class Forbidden(DailyPapersError):
    status = 403
    code = "forbidden"


class NotFound(DailyPapersError):
    status = 404
    code = "not_found"


class Conflict(DailyPapersError):
    status = 409
    code = "conflict"


class PayloadTooLarge(DailyPapersError):
    status = 413
    code = "payload_too_large"


class RateLimited(DailyPapersError):
    status = 429
    code = "rate_limited"


class RecordError(DailyPapersError):
    """One malformed input record (a JSONL line, an Atom entry). Counted and skipped."""

    status = 422
    code = "malformed_record"

    def __init__(self, message: str, *, position: str | None = None) -> None:
        super().__init__(f"{position}: {message}" if position else message)
        self.reason = message
        self.position = position


class SourceError(DailyPapersError):
    """An upstream source failed (network, HTTP status, truncated body)."""

    status = 502
    code = "source_error"


class ConfigurationError(DailyPapersError):
    code = "configuration_error"


class QueryTimeout(DailyPapersError):
    """A read query ran past `sql_time_limit_ms` and was cut off."""

    status = 503
    code = "query_timeout"


class DatabaseUnavailable(DailyPapersError):
    """The database can't be reached (stopped, restarting, network) or stays locked.

    Answered with 503 and `Retry-After: retry_after_s`; batch writers retry it (bounded).
    """

    status = 503
    code = "database_unavailable"

    def __init__(self, message: str, *, retry_after_s: int = 5) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s
