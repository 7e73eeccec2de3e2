"""Sending mail: the `Mailer` interface, SMTP delivery (smtplib) and a console mailer.

A session keeps one SMTP connection open for many messages (digests) and throttles to
`smtp_rate_limit_per_s` (per process). `send` reports the outcome as a receipt or one of:
`TemporaryFailure` (4xx, connection trouble: retry later), `PermanentFailure` (5xx: don't;
`bounce` says whether the recipient's address was refused), `UncertainDelivery` (the transfer
was finished and no reply came: maybe delivered) and `MailConfigError` (authentication or TLS
set-up failed: nobody's fault but the settings', so no address is blamed).

`before_final`: called after the whole message has been transferred and right before the
terminating `.` that makes the server accept it. Digests commit their "sending" mark there,
so the span in which a crash leaves the outcome unknown is the server's reply to that one
line. If the hook raises, the connection is dropped without the `.`, and the server discards
the message (RFC 5321 §4.1.1.4: an unterminated DATA is not delivered).
"""

from __future__ import annotations

import email
import re
import smtplib
import socket
import ssl
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.policy import default as DEFAULT
from email.utils import parseaddr
from typing import Literal, Protocol, TextIO

from dailypapers.config import DigestSettings
from dailypapers.domain.email_addresses import is_email_address
from dailypapers.mail.messages import RawMessage

Message = EmailMessage | RawMessage  # what mailers send

SmtpSecurity = Literal["starttls", "ssl", "none"]

# How messages go on the wire: CRLF, and headers unfolded up to RFC 5322's 998 characters.
# With the default 78, a long URL in List-Unsubscribe would be turned into an RFC 2047
# encoded-word, which mail providers don't decode there. Bodies are encoded when they are
# built (quoted-printable, 76-character lines), so this only changes header folding.
WIRE_POLICY = SMTP_POLICY.clone(max_line_length=998)


class MailError(Exception):
    def __init__(self, message: str, *, code: int | None = None) -> None:
        super().__init__(message)
        self.code = code


class TemporaryFailure(MailError):
    """Try again later (4xx reply, refused or dropped connection, timeout before the end).
    `connection`: the server could not be reached or dropped us, so the next message would
    likely fail the same way; a 4xx reply to one message is not that."""

    def __init__(self, message: str, *, code: int | None = None, connection: bool = False):
        super().__init__(message, code=code)
        self.connection = connection


class PermanentFailure(MailError):
    """Don't try again (5xx). `bounce`: the recipient was refused, so it counts against it."""

    def __init__(self, message: str, *, code: int | None = None, bounce: bool = True) -> None:
        super().__init__(message, code=code)
        self.bounce = bounce


class UncertainDelivery(MailError):
    """The message was fully transferred but no reply was read: it may have been accepted."""


class MailConfigError(MailError):
    """Login or TLS failed: the settings are wrong; nothing about any recipient is known."""


@dataclass(frozen=True, slots=True)
class SendReceipt:
    code: int
    reply: str

    def __str__(self) -> str:
        return f"{self.code} {self.reply}"


Hook = Callable[[], None]


class MailSession(Protocol):
    def send(self, message: Message, *, before_final: Hook | None = None) -> SendReceipt: ...


class Mailer(Protocol):
    """Delivers messages. Used by digests, and later by account mails."""

    def session(self) -> AbstractContextManager[MailSession]: ...

    def send(self, message: Message) -> SendReceipt: ...


def envelope(message: Message) -> tuple[str, list[str]]:
    """(sender, recipients) of the SMTP envelope: From, and one address per To/Cc header.

    Each To/Cc header must hold exactly one address under the one rule
    (domain.email_addresses), parsed without defects: a header that a parser would decode
    (RFC 2047) into a list, or repair (`<victim@corp.test>x`) into someone else's address,
    is refused rather than sent, so the envelope can never widen past the stored address.
    """
    sender = parseaddr(str(message.get("From", "")))[1]
    recipients = [
        _recipient(value) for name in ("To", "Cc") for value in (message.get_all(name) or [])
    ]
    if not sender or not recipients:
        raise PermanentFailure("a message needs a From and a To address", bounce=False)
    return sender, recipients


def _recipient(value: object) -> str:
    text = str(value).strip()
    parsed = getattr(value, "addresses", None)  # an email.headerregistry address header
    if parsed is not None:
        one = len(parsed) == 1 and not getattr(value, "defects", ())
        text = parsed[0].addr_spec if one else ""
    if not is_email_address(text):
        raise PermanentFailure(
            f"recipient {str(value)[:80]!r} is not one plain email address", bounce=False
        )
    return text


class RateLimiter:
    """At most `per_s` messages a second from this process (0: no limit). Thread-safe."""

    def __init__(self, per_s: float) -> None:
        self.interval = 1.0 / per_s if per_s > 0 else 0.0
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self) -> None:
        if not self.interval:
            return
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._next)
            self._next = slot + self.interval
        if slot > now:
            time.sleep(slot - now)


def _reply_text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


def _failure(code: int, reply: bytes | str, stage: str, *, bounce: bool) -> MailError:
    text = f"{stage}: {code} {_reply_text(reply)}"
    if 400 <= code < 500:
        return TemporaryFailure(text, code=code)
    if 500 <= code < 600:
        return PermanentFailure(text, code=code, bounce=bounce)
    return TemporaryFailure(f"{stage}: unexpected reply {code} {_reply_text(reply)}", code=code)


_LEADING_DOT = re.compile(rb"(?m)^\.")


class SmtpMailer:
    """SMTP with STARTTLS, implicit TLS or neither, and login when a username is set."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        security: SmtpSecurity = "starttls",
        username: str | None = None,
        password: str | None = None,
        timeout_s: float = 30.0,
        rate_per_s: float = 0.0,
        local_hostname: str | None = None,
        tls_context: ssl.SSLContext | None = None,
    ) -> None:
        self.host, self.port, self.security = host, port, security
        self.username, self.password = username, password
        self.timeout_s = timeout_s
        self.local_hostname = local_hostname
        self.tls_context = tls_context
        self.limiter = RateLimiter(rate_per_s)

    @contextmanager
    def session(self) -> Iterator[_SmtpSession]:
        session = _SmtpSession(self)
        try:
            yield session
        finally:
            session.close()

    def send(self, message: Message) -> SendReceipt:
        with self.session() as session:
            return session.send(message)

    def connect(self) -> smtplib.SMTP:
        context = self.tls_context or ssl.create_default_context()
        try:
            if self.security == "ssl":
                conn: smtplib.SMTP = smtplib.SMTP_SSL(
                    self.host,
                    self.port,
                    timeout=self.timeout_s,
                    local_hostname=self.local_hostname,
                    context=context,
                )
            else:
                conn = smtplib.SMTP(
                    self.host, self.port, timeout=self.timeout_s, local_hostname=self.local_hostname
                )
            # The message and its final "." go out as separate writes (see before_final):
            # without TCP_NODELAY, Nagle's algorithm holds the "." until the server's delayed
            # ACK, adding ~40 ms to every message.
            if conn.sock is not None:
                conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            conn.ehlo()
            if self.security == "starttls":
                conn.starttls(context=context)
                conn.ehlo()
        except smtplib.SMTPConnectError as exc:
            failure = _failure(exc.smtp_code, exc.smtp_error, "connect", bounce=False)
            if isinstance(failure, TemporaryFailure):
                failure.connection = True
            raise failure from exc
        except smtplib.SMTPNotSupportedError as exc:
            raise MailConfigError(f"the server does not offer STARTTLS: {exc}") from exc
        except ssl.SSLError as exc:
            raise MailConfigError(f"TLS with {self.host}:{self.port} failed: {exc}") from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise TemporaryFailure(
                f"connecting to {self.host}:{self.port}: {exc}", connection=True
            ) from exc
        if self.username:
            try:
                conn.login(self.username, self.password or "")
            except smtplib.SMTPAuthenticationError as exc:
                conn.close()
                raise MailConfigError(f"SMTP login refused: {exc.smtp_code}") from exc
            except (smtplib.SMTPException, OSError) as exc:
                conn.close()
                raise TemporaryFailure(f"SMTP login failed: {exc}", connection=True) from exc
        return conn


class _SmtpSession:
    def __init__(self, mailer: SmtpMailer) -> None:
        self.mailer = mailer
        self.conn: smtplib.SMTP | None = None

    def close(self) -> None:
        if self.conn is not None:
            try:
                self.conn.quit()
            except (smtplib.SMTPException, OSError):
                self.conn.close()
            self.conn = None

    def _drop(self) -> None:
        """Close the socket without QUIT: an unfinished DATA is discarded by the server."""
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def send(self, message: Message, *, before_final: Hook | None = None) -> SendReceipt:
        sender, recipients = envelope(message)
        payload = message.as_bytes(policy=WIRE_POLICY)
        self.mailer.limiter.wait()
        for fresh in (False, True):
            reused = self.conn is not None and not fresh
            if self.conn is None:
                self.conn = self.mailer.connect()
            try:
                code, reply = self.conn.mail(sender)
            except (smtplib.SMTPServerDisconnected, OSError) as exc:
                self._drop()
                if reused:  # an idle connection the server closed: open another, once
                    continue
                raise TemporaryFailure(
                    f"MAIL FROM: connection lost: {exc}", connection=True
                ) from exc
            break
        conn = self.conn
        assert conn is not None
        transferred = False
        try:
            if code != 250:
                self._reset()
                raise _failure(code, reply, "MAIL FROM", bounce=False)
            for recipient in recipients:
                code, reply = conn.rcpt(recipient)
                if code not in (250, 251):
                    self._reset()
                    raise _failure(code, reply, f"RCPT TO <{recipient}>", bounce=True)
            conn.putcmd("data")
            code, reply = conn.getreply()
            if code != 354:
                self._reset()
                raise _failure(code, reply, "DATA", bounce=False)
            body = _LEADING_DOT.sub(b"..", payload)
            if not body.endswith(b"\r\n"):
                body += b"\r\n"
            conn.send(body)
            if before_final is not None:
                try:
                    before_final()
                except BaseException:
                    self._drop()  # no terminating dot: the server discards the message
                    raise
            conn.send(b".\r\n")
            transferred = True
            code, reply = conn.getreply()
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            self._drop()
            if transferred:
                raise UncertainDelivery(f"no reply after the message was sent: {exc}") from exc
            raise TemporaryFailure(
                f"connection lost during the transfer: {exc}", connection=True
            ) from exc
        if code != 250:
            raise _failure(code, reply, "end of DATA", bounce=True)
        return SendReceipt(code, _reply_text(reply))

    def _reset(self) -> None:
        try:
            assert self.conn is not None
            self.conn.rset()
        except (smtplib.SMTPException, OSError):
            self._drop()


class ConsoleMailer:
    """Development: prints each message instead of sending it (setting mail_backend=console)."""

    def __init__(self, stream: TextIO | None = None, *, rate_per_s: float = 0.0) -> None:
        self.stream = stream
        self.limiter = RateLimiter(rate_per_s)
        self._lock = threading.Lock()

    @contextmanager
    def session(self) -> Iterator[ConsoleMailer]:
        yield self

    def send(self, message: Message, *, before_final: Hook | None = None) -> SendReceipt:
        envelope(message)
        self.limiter.wait()
        if before_final is not None:
            before_final()
        # Headers and the plain-text part decoded, so links can be copied from a terminal.
        parsed = email.message_from_bytes(message.as_bytes(policy=WIRE_POLICY), policy=DEFAULT)
        head = "".join(f"{name}: {value}\n" for name, value in parsed.items())
        body = parsed.get_body(("plain",))
        text = body.get_content() if body is not None else ""
        stream = self.stream or sys.stdout
        with self._lock:
            stream.write(f"----- mail to {message['To']} -----\n{head}\n{text}")
            stream.write("\n----- end of mail -----\n")
            stream.flush()
        return SendReceipt(250, "printed to the console")


def build_mailer(settings: DigestSettings) -> SmtpMailer | ConsoleMailer:
    """The mailer the settings ask for (`mail_backend`)."""
    if settings.mail_backend == "smtp":
        return SmtpMailer(
            settings.smtp_host,
            settings.smtp_port,
            security=settings.smtp_security,
            username=settings.smtp_username,
            password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
            timeout_s=settings.smtp_timeout_s,
            rate_per_s=settings.smtp_rate_limit_per_s,
        )
    return ConsoleMailer(rate_per_s=settings.smtp_rate_limit_per_s)
