"""Reading line-oriented inputs: JSON Lines (plain or gzip) and whole JSON documents.

Every yielded item carries its position (`file:line`), so a malformed record can be reported
where it is, counted and skipped while the rest of the file still lands.
"""

from __future__ import annotations

import gzip
import io
import json
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dailypapers.errors import BadRequest, RecordError


@dataclass(slots=True)
class RawRecord:
    position: str
    value: Any = None
    error: RecordError | None = None
    bytes_read: int = 0  # of the file on disk (compressed, for .gz): drives progress bars


def open_text(path: Path) -> io.TextIOBase:
    """Open a plain or gzip file as UTF-8 text (gzip is detected by its magic bytes)."""
    with open(path, "rb") as probe:
        magic = probe.read(2)
    if magic == b"\x1f\x8b":
        return gzip.open(path, "rt", encoding="utf-8", errors="replace")  # type: ignore[return-value]
    return open(path, encoding="utf-8", errors="replace")


def first_char(path: Path) -> str:
    """The first non-blank character of a file: '[' or '{' tell a JSON document from JSONL."""
    with open_text(path) as handle:
        while chunk := handle.read(4096):
            stripped = chunk.lstrip()
            if stripped:
                return stripped[0]
    return ""


def read_jsonl(path: Path, *, max_line_bytes: int) -> Iterator[RawRecord]:
    """Yield one RawRecord per non-blank line; bad lines carry an error instead of a value.

    Lines are read with a length cap, so one enormous line can't exhaust memory.
    """
    with open(path, "rb") as raw:
        compressed = raw.read(2) == b"\x1f\x8b"
        raw.seek(0)
        stream = gzip.GzipFile(fileobj=raw) if compressed else raw
        number = 0
        while True:
            try:
                line = stream.readline(max_line_bytes + 1)
            except (EOFError, OSError, zlib.error) as exc:
                position = f"{path.name}:{number + 1}"
                yield RawRecord(
                    position,
                    error=RecordError(f"file is truncated or corrupt ({exc})", position=position),
                    bytes_read=raw.tell(),
                )
                break
            if not line:
                break
            number += 1
            position = f"{path.name}:{number}"
            if len(line) > max_line_bytes and not line.endswith(b"\n"):
                try:
                    while line and not line.endswith(b"\n"):  # skip the rest of the long line
                        line = stream.readline(max_line_bytes + 1)
                except (EOFError, OSError, zlib.error) as exc:
                    yield RawRecord(
                        position,
                        error=RecordError(
                            f"file is truncated or corrupt ({exc})", position=position
                        ),
                        bytes_read=raw.tell(),
                    )
                    break
                yield RawRecord(
                    position,
                    error=RecordError(
                        f"line is longer than import_max_line_bytes ({max_line_bytes})",
                        position=position,
                    ),
                    bytes_read=raw.tell(),
                )
                continue
            if not line.strip():
                continue
            try:
                value = json.loads(line.decode("utf-8", errors="replace"))
            except json.JSONDecodeError as exc:
                yield RawRecord(
                    position,
                    error=RecordError(f"invalid JSON: {exc.msg}", position=position),
                    bytes_read=raw.tell(),
                )
                continue
            yield RawRecord(position, value, bytes_read=raw.tell())


def read_json_document(path: Path, *, max_bytes: int) -> Any:
    """Load a whole JSON document (an API response saved to a file)."""
    if path.stat().st_size > max_bytes and not path.name.endswith(".gz"):
        raise BadRequest(f"{path.name} is larger than {max_bytes} bytes")
    with open_text(path) as handle:
        text = handle.read(max_bytes + 1)
    if len(text) > max_bytes:
        raise BadRequest(f"{path.name} is larger than {max_bytes} bytes")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadRequest(f"{path.name} is not valid JSON: {exc.msg} (line {exc.lineno})") from None
