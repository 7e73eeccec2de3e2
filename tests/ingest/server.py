"""A real threaded HTTP server on 127.0.0.1 that plays recorded upstream responses.

Each test scripts it: `server.script("/oai", [Reply(...), Reply(...)], resumptionToken="x")`
answers requests to /oai whose query has resumptionToken=x with those replies in turn (the
last one repeats). Replies can misbehave the ways real servers do: a status with Retry-After,
a delay before the headers (to trip the read timeout), a body cut short under a full
Content-Length followed by a TCP reset, a chunked body that never ends properly. Every request
is logged (path, query, headers, time) so tests can check what the client sent.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ingest"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@dataclass
class Reply:
    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/xml; charset=utf-8"
    delay_s: float = 0.0  # before the status line: a slow server
    cut_at: int | None = None  # send only this many bytes of the body, then reset the connection
    chunked: bool = False  # send the body chunked (with cut_at: never send the last chunk)


def xml(body: bytes | str, **kwargs) -> Reply:
    return Reply(body.encode() if isinstance(body, str) else body, **kwargs)


def json_reply(body: bytes | str, **kwargs) -> Reply:
    data = body.encode() if isinstance(body, str) else body
    return Reply(data, content_type="application/json; charset=utf-8", **kwargs)


@dataclass
class Route:
    path: str
    match: dict[str, str]
    replies: list[Reply]
    served: int = 0


@dataclass(frozen=True)
class Seen:
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    at: float


class RecordedServer:
    def __init__(self) -> None:
        self.routes: list[Route] = []
        self.seen: list[Seen] = []
        self._lock = threading.Lock()
        handler = _handler_for(self)
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> RecordedServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def script(self, path: str, replies: list[Reply], **match: str) -> None:
        """Answer GET `path` (when its query has these values) with `replies` in order.

        Later scripts for the same path and query take precedence over earlier ones.
        """
        with self._lock:
            self.routes.insert(0, Route(path, dict(match), list(replies)))

    def requests(self, path: str | None = None) -> list[Seen]:
        with self._lock:
            return [s for s in self.seen if path is None or s.path == path]

    def _next(self, path: str, query: dict[str, str], headers: dict[str, str]) -> Reply | None:
        with self._lock:
            self.seen.append(Seen(path, query, headers, time.monotonic()))
            for route in self.routes:
                if route.path == path and all(query.get(k) == v for k, v in route.match.items()):
                    reply = route.replies[min(route.served, len(route.replies) - 1)]
                    route.served += 1
                    return reply
        return None


def _handler_for(server: RecordedServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *_args) -> None:  # keep test output quiet
            pass

        def handle(self) -> None:
            # We reset connections on purpose, and clients give up on slow replies.
            with contextlib.suppress(OSError, ValueError):
                super().handle()

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
            reply = server._next(parts.path, query, dict(self.headers.items()))
            if reply is None:
                reply = Reply(b"no scripted reply", status=404, content_type="text/plain")
            if reply.delay_s:
                time.sleep(reply.delay_s)
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.content_type)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            body = reply.body
            if reply.chunked:
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                half = body if reply.cut_at is None else body[: reply.cut_at]
                self.wfile.write(f"{len(half):x}\r\n".encode() + half + b"\r\n")
                if reply.cut_at is None:
                    self.wfile.write(b"0\r\n\r\n")
                    self.wfile.flush()
                    return
                self.wfile.flush()
                self._reset()
                return
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if reply.cut_at is None:
                self.wfile.write(body)
                self.wfile.flush()
                return
            self.wfile.write(body[: reply.cut_at])
            self.wfile.flush()
            self._reset()

        def _reset(self) -> None:
            """Close with a TCP RST (SO_LINGER 0): the peer sees 'connection reset'."""
            self.close_connection = True
            try:
                self.connection.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                )
                self.connection.close()
            except OSError:
                pass

    return Handler
