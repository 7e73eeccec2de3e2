"""Reading line-oriented inputs: JSON Lines (plain or gzip) and whole JSON documents.

Every yielded item carries its position (`file:line`), so a malformed record can be reported
where it is, counted and skipped while the rest of the file still lands.

Text is decoded strictly: invalid UTF-8 is a skipped line (or, in a whole JSON document, a
file-level error), never silently replaced with U+FFFD. A byte-order mark at the start of a
line is dropped (files concatenated from BOM-marked parts carry one per part). JSON nested
deeper than Python's parser can follow is a skipped line, not a RecursionError.
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

BOM = "\ufeff"
_UNREADABLE = (EOFError, OSError, zlib.error)  # gzip.BadGzipFile is an OSError


@dataclass(slots=True)
class RawRecord:
    position: str
    value: Any = None
    error: RecordError | None = None
    bytes_read: int = 0  # of the file on disk (compressed, for .gz): drives progress bars


def open_text(path: Path) -> io.TextIOBase:
    """Open a plain or gzip file as strict UTF-8 text (gzip is detected by its magic bytes)."""
    with open(path, "rb") as probe:
        magic = probe.read(2)
    if magic == b"\x1f\x8b":
        return gzip.open(path, "rt", encoding="utf-8")  # type: ignore[return-value]
    return open(path, encoding="utf-8")


def first_char(path: Path) -> str:
    """The first non-blank character of a file: '[' or '{' tell a JSON document from JSONL.

    A file that can't be read as (gzip'd) text is a file-level BadRequest; a line-level fault
    further in is left to the line reader, which reports it in place.
    """
    try:
        with open(path, "rb") as raw:
            compressed = raw.read(2) == b"\x1f\x8b"
            raw.seek(0)
            stream = gzip.GzipFile(fileobj=raw) if compressed else raw
            at_start = True
            while chunk := stream.read(4096):
                if at_start:
                    chunk, at_start = chunk.removeprefix(BOM.encode()), False
                stripped = chunk.lstrip(b" \t\r\n")
                if stripped:
                    return chr(stripped[0])
    except _UNREADABLE as exc:
        raise BadRequest(f"{path.name} is truncated or corrupt ({exc})") from None
    return ""


def decode_json_line(line: bytes, position: str) -> tuple[Any, RecordError | None]:
    """One JSON Lines record, or the reason it can't be one (value, None) | (None, error)."""
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, RecordError(f"invalid UTF-8 at byte {exc.start}", position=position)
    try:
        return json.loads(text.removeprefix(BOM)), None
    except json.JSONDecodeError as exc:
        return None, RecordError(f"invalid JSON: {exc.msg}", position=position)
    except RecursionError:
        return None, RecordError("JSON nested too deeply", position=position)


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
            except _UNREADABLE as exc:
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
                except _UNREADABLE as exc:
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
            value, error = decode_json_line(line, position)
            yield RawRecord(position, value, error, bytes_read=raw.tell())


def read_json_document(path: Path, *, max_bytes: int) -> Any:
    """Load a whole JSON document (an API response saved to a file)."""
    if path.stat().st_size > max_bytes and not path.name.endswith(".gz"):
        raise BadRequest(f"{path.name} is larger than {max_bytes} bytes")
    try:
        with open_text(path) as handle:
            text = handle.read(max_bytes + 1)
    except UnicodeDecodeError as exc:
        raise BadRequest(f"{path.name} is not valid UTF-8 ({exc.reason})") from None
    except _UNREADABLE as exc:
        raise BadRequest(f"{path.name} is truncated or corrupt ({exc})") from None
    if len(text) > max_bytes:
        raise BadRequest(f"{path.name} is larger than {max_bytes} bytes")
    try:
        return json.loads(text.removeprefix(BOM))
    except json.JSONDecodeError as exc:
        raise BadRequest(f"{path.name} is not valid JSON: {exc.msg} (line {exc.lineno})") from None
    except RecursionError:
        raise BadRequest(f"{path.name} is JSON nested too deeply") from None
