"""A real SMTP server for tests: aiosmtpd on 127.0.0.1 and a free port, collecting messages.

The server can be scripted: `data_replies` answers the end of DATA in order (e.g. a 451
then the default 250), `refuse` answers RCPT TO of those addresses with a 550. `attempts`
counts every DATA the server saw, accepted or not. Import the `smtp` fixture into a test
module (`from tests.mail_support import smtp  # noqa: F401`) to use it.
"""

from __future__ import annotations

import email
import email.policy
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        return email.message_from_bytes(self.data, policy=email.policy.default)  # type: ignore[return-value]


@dataclass
class Inbox:
    messages: list[Received] = field(default_factory=list)
    data_replies: list[str] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    attempts: int = 0  # DATA commands seen
    rcpt_attempts: int = 0  # RCPT TO commands seen
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self.lock:
            self.rcpt_attempts += 1
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.attempts += 1
            reply = self.data_replies.pop(0) if self.data_replies else "250 2.0.0 queued"
            if reply.startswith("250"):
                self.messages.append(
                    Received(envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.content))
                )
        return reply

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [r.message for r in self.messages if address in r.rcpt_tos]

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            time.sleep(0.02)
        raise AssertionError(f"expected {count} messages, got {len(self.messages)}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class SmtpServer:
    host: str
    port: int
    inbox: Inbox

    def settings(self, **overrides: object) -> dict[str, object]:
        """Settings that send through this server."""
        return {
            "mail_backend": "smtp",
            "smtp_host": self.host,
            "smtp_port": self.port,
            "smtp_security": "none",
            "mail_from": "Daily Papers <papers@example.org>",
            "base_url": "https://papers.example.org",
            **overrides,
        }

    def env(self, **overrides: object) -> dict[str, str]:
        """The same as DAILYPAPERS_* environment variables, for subprocesses."""
        return {f"DAILYPAPERS_{k.upper()}": str(v) for k, v in self.settings(**overrides).items()}


def start_server(inbox: Inbox | None = None) -> tuple[Controller, SmtpServer]:
    inbox = inbox or Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, SmtpServer("127.0.0.1", port, inbox)


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    controller, server = start_server()
    try:
        yield server
    finally:
        controller.stop()
