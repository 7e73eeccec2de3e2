"""Where log lines go and how they look: text for a terminal, JSON for a log collector.

`log_format = "text"` (the default) keeps the readable lines a terminal wants. `"json"` makes
`serve` (every process of `--workers N`), `worker` and every other command write one JSON
object per line to stderr, for journald / Loki / Elasticsearch to parse without a regex:
`timestamp` (ISO 8601 UTC), `level`, `logger`, `message`, `exception` (the traceback, when
there is one), `request_id` for anything logged while a request was being answered, and for
the access lines (logger `dailypapers.access`, written by web/access_log.py) `method`, `path`,
`status`, `duration_ms` and `client`. In JSON mode uvicorn's own access lines are off (the
app's carry the request id and the duration); its other lines use the same JSON shape.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

from rich.console import Console

from dailypapers.config import Settings
from dailypapers.web.access_log import ACCESS_FIELDS, current_request_id

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
CLI_LOGGER = "dailypapers.cli"

# The attributes every LogRecord has; anything else on a record came from `extra=`.
_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "color_message"}


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line (newlines inside values are escaped)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None) or current_request_id()
        if request_id:
            entry["request_id"] = request_id
        for key, value in record.__dict__.items():
            if key not in _STANDARD and key not in entry and not key.startswith("_"):
                entry[key] = value if key in ACCESS_FIELDS else _plain(value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def _plain(value: Any) -> Any:
    return value if isinstance(value, str | int | float | bool | type(None)) else str(value)


def logging_config(
    settings: Settings, level: int = logging.INFO, text_format: str = TEXT_FORMAT
) -> dict[str, Any]:
    """A `logging.config.dictConfig` dict for this process (and uvicorn's, which applies it
    in each of its worker processes): the root logger and uvicorn's loggers to stderr."""
    if settings.log_format == "json":
        formatter: dict[str, Any] = {"()": f"{__name__}.JsonFormatter"}
    else:
        formatter = {"format": text_format}
    handler = {"class": "logging.StreamHandler", "formatter": "main", "stream": "ext://sys.stderr"}
    uvicorn = {"handlers": ["stderr"], "level": "INFO", "propagate": False}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"main": formatter},
        "handlers": {"stderr": handler},
        "root": {"handlers": ["stderr"], "level": logging.getLevelName(level)},
        "loggers": {
            "uvicorn": uvicorn,
            "uvicorn.error": {"level": "INFO"},
            "uvicorn.access": uvicorn,
            "dailypapers.access": {**uvicorn},
            CLI_LOGGER: {"level": "INFO"},
        },
    }


def configure_logging(
    settings: Settings, level: int = logging.WARNING, text_format: str = TEXT_FORMAT
) -> None:
    """Send this process's log records to stderr in the configured format: one handler of
    ours on the root logger (replacing the one an earlier call added; others are left)."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, _StderrHandler)]:
        root.removeHandler(handler)
    handler = _StderrHandler()
    handler.setFormatter(
        JsonFormatter() if settings.log_format == "json" else logging.Formatter(text_format)
    )
    root.addHandler(handler)
    if root.level > level or root.level == logging.NOTSET:
        root.setLevel(level)
    logging.getLogger(CLI_LOGGER).setLevel(logging.INFO)  # announce()'s lines


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever `sys.stderr` is when a record comes (a test runner swaps it)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property  # type: ignore[override]
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


def announce(settings: Settings, console: Console, message: str) -> None:
    """A command's own status line (serving on..., worker stopped): printed for a terminal,
    or, with JSON logs, an INFO record of `dailypapers.cli` so stderr stays all JSON."""
    if settings.log_format == "json":
        logging.getLogger(CLI_LOGGER).info(message)
    else:
        console.print(message)


def uvicorn_logging(settings: Settings) -> dict[str, Any]:
    """uvicorn's `log_config` / `access_log` options for the configured format: its own
    defaults for text, the JSON shape (and the app's access lines instead of its own) for
    JSON."""
    if settings.log_format != "json":
        return {}
    return {"log_config": logging_config(settings), "access_log": False}
