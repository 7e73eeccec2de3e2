"""The mails the site sends, built from templates in mail/templates/: digests, subscription
confirmations, and the account links (email verification, password reset). Services build
every message here and hand it to the one `Mailer` (mail/mailer.py).

Every mail is multipart/alternative: a plain-text part and an HTML part with inline CSS only,
no images and nothing loaded from elsewhere, so it reads the same in a client that blocks
remote content. Bodies are quoted-printable (7-bit safe on any relay). Digest headers carry
RFC 8058 one-click unsubscribe (`List-Unsubscribe` + `List-Unsubscribe-Post`), a Message-ID
chosen by the caller (deterministic per subscription and period) and a `List-Id`.

`digest_context` is the view model a digest is rendered from; the web preview shows it too.
"""

from __future__ import annotations

import binascii
import hashlib
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.header import Header
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import format_datetime, formataddr, make_msgid, parseaddr
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2
from markupsafe import escape

from dailypapers.config import DigestSettings, SiteSettings
from dailypapers.domain.digests import DigestItem, DigestPrefs
from dailypapers.domain.periods import parse_day, parse_week
from dailypapers.presenters.digests import digest_item

TEMPLATES_DIR = Path(__file__).parent / "templates"
SECTION_TITLES = {
    "for_you": "For you",
    "trending": "Trending",
    "query": "Matching your searches",
    "category": "New in your categories",
}


@dataclass(frozen=True, slots=True)
class MailSite:
    """What every mail needs to know about the site that sends it."""

    site_name: str
    base_url: str
    from_address: str
    unsubscribe_mailto: str | None = None
    abstract_chars: int = 500

    @property
    def root(self) -> str:
        return self.base_url.rstrip("/")

    @property
    def domain(self) -> str:
        """For Message-IDs and List-Id: the From address's domain, else the site's host."""
        address = parseaddr(self.from_address)[1]
        if "@" in address:
            return address.rsplit("@", 1)[1].lower()
        return urlsplit(self.base_url).hostname or "localhost"

    def url(self, path: str) -> str:
        return f"{self.root}{path}"


def mail_site(site: SiteSettings, mail: DigestSettings) -> MailSite:
    """The site as the settings describe it (`site_name`, `base_url`, `mail_from`, ...)."""
    return MailSite(
        site_name=site.site_name,
        base_url=site.base_url,
        from_address=mail.mail_from,
        unsubscribe_mailto=mail.mail_unsubscribe_mailto,
        abstract_chars=mail.digest_abstract_chars,
    )


def _wrap(text: str, indent: str = "   ", first: str | None = None, width: int = 76) -> str:
    """Plain-text paragraphs at 76 columns; URLs and long words are never broken."""
    return textwrap.fill(
        text,
        width=width,
        initial_indent=indent if first is None else first,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    )


def _marked(run: tuple[str, bool]) -> str:
    """A snippet run for plain text: matched words between stars."""
    piece, hit = run
    return f"*{piece}*" if hit else piece


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["wrap"] = _wrap
    env.filters["marked"] = _marked
    return env


_ENV = _environment()


def render(name: str, context: dict[str, Any]) -> str:
    return _ENV.get_template(name).render(context)


def period_title(period: str) -> str:
    """`Friday, 21 August 2026` or `Week 34, 2026` for a delivery's period label."""
    if "-W" in period:
        start = parse_week(period).start
        year, week, _ = start.isocalendar()
        return f"Week {week}, {year}"
    day = parse_day(period)
    return f"{day:%A}, {day.day} {day:%B %Y}"


def item_view(site: MailSite, item: DigestItem, number: int) -> dict[str, Any]:
    """A digest item as the templates render it: shaped by `presenters.digests`."""
    return digest_item(item, number, site_root=site.root, abstract_chars=site.abstract_chars)


def digest_context(
    site: MailSite,
    *,
    email: str,
    prefs: DigestPrefs,
    period: str,
    items: Sequence[DigestItem],
    manage_url: str,
    unsubscribe_url: str,
    feedback: Mapping[str, Mapping[str, str]] | None = None,
) -> dict[str, Any]:
    """`feedback`: a "For you" paper's 👍/👎 links by its base id (`up`, `down`): a mail
    carries them, a preview doesn't (its links would act for the reader)."""
    feedback = feedback or {}
    views = [
        {**item_view(site, item, n), "feedback": dict(feedback.get(item.key) or {}) or None}
        for n, item in enumerate(items, start=1)
    ]
    sections = [
        {"kind": kind, "title": title, "items": [v for v in views if v["section"] == kind]}
        for kind, title in SECTION_TITLES.items()
    ]
    title = period_title(period)
    return {
        "site_name": site.site_name,
        "site_url": site.root,
        "email": email,
        "frequency": prefs.frequency,
        "schedule": prefs.describe(),
        "period": period,
        "period_title": title,
        "heading": f"Your {prefs.frequency} papers: {title}",
        "count": len(views),
        "items": views,
        "sections": [s for s in sections if s["items"]],
        "manage_url": manage_url,
        "unsubscribe_url": unsubscribe_url,
    }


def digest_subject(context: dict[str, Any]) -> str:
    count = context["count"]
    noun = "paper" if count == 1 else "papers"
    return f"{context['site_name']}: {count} new {noun}, {context['period_title']}"


def _message(
    site: MailSite,
    *,
    to: str,
    subject: str,
    text: str,
    html: str,
    date: datetime,
    message_id: str | None = None,
) -> EmailMessage:
    message = EmailMessage(policy=SMTP_POLICY)
    message["Subject"] = subject
    message["From"] = site.from_address
    message["To"] = to
    message["Date"] = format_datetime(date)
    message["Message-ID"] = message_id or make_msgid(domain=site.domain)
    message.set_content(text, cte="quoted-printable")
    message.add_alternative(html, subtype="html", cte="quoted-printable")
    return message


class RawMessage:
    """A message already serialised (CRLF, 7-bit): what digests are sent as.

    Building a digest through `EmailMessage` costs more than everything else a send does
    (header objects, the generator); a digest's MIME is simple enough to write directly.
    It offers what mailers use of a message: `get`/`get_all`/`[]` for headers, `as_bytes`.
    """

    def __init__(self, headers: list[tuple[str, str]], body: bytes) -> None:
        self.headers = headers
        self.body = body

    def get(self, name: str, default: str | None = None) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), default)

    def get_all(self, name: str, default: list[str] | None = None) -> list[str] | None:
        found = [v for k, v in self.headers if k.lower() == name.lower()]
        return found or default

    def __getitem__(self, name: str) -> str | None:
        return self.get(name)

    def as_bytes(self, policy: object = None) -> bytes:
        head = "".join(f"{name}: {value}\r\n" for name, value in self.headers)
        return head.encode("ascii") + b"\r\n" + self.body


def _qp(text: str) -> bytes:
    """Quoted-printable (RFC 2045: 76-character lines), CRLF line ends."""
    data = text.replace("\r\n", "\n").encode("utf-8")
    return binascii.b2a_qp(data, quotetabs=False, istext=True).replace(b"\n", b"\r\n")


def _header(value: str) -> str:
    """An unstructured header value, RFC 2047-encoded only if it isn't ASCII."""
    if value.isascii():
        return value
    return Header(value, "utf-8").encode(maxlinelen=998)


def _address(value: str) -> str:
    name, address = parseaddr(value)
    return formataddr((name, address), charset="utf-8")


def _part(content_type: str, text: str) -> bytes:
    return (
        f'Content-Type: {content_type}; charset="utf-8"\r\n'
        "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
    ).encode("ascii") + _qp(text)


def digest_message(
    site: MailSite,
    *,
    to: str,
    subject: str,
    text: str,
    html: str,
    unsubscribe_url: str,
    message_id: str,
    date: datetime,
) -> RawMessage:
    """multipart/alternative (plain text, then HTML) with the list headers of RFC 2369/8058."""
    targets = [f"<{unsubscribe_url}>"]
    if site.unsubscribe_mailto:
        targets.append(f"<mailto:{site.unsubscribe_mailto}?subject=unsubscribe>")
    boundary = "=_digest_" + hashlib.sha256(message_id.encode()).hexdigest()[:24]
    headers = [
        ("Subject", _header(subject)),
        ("From", _address(site.from_address)),
        ("To", to),
        ("Date", format_datetime(date)),
        ("Message-ID", message_id),
        ("List-Unsubscribe", ", ".join(targets)),
        ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
        ("List-Id", _header(f"{site.site_name} digest <digest.{site.domain}>")),
        ("Auto-Submitted", "auto-generated"),
        ("MIME-Version", "1.0"),
        ("Content-Type", f'multipart/alternative; boundary="{boundary}"'),
    ]
    delimiter = f"--{boundary}\r\n".encode()
    body = (
        delimiter
        + _part("text/plain", text)
        + b"\r\n"
        + delimiter
        + _part("text/html", html)
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return RawMessage(headers, body)


_EMAIL, _MANAGE, _UNSUBSCRIBE = "\x01email\x01", "\x01manage\x01", "\x01unsubscribe\x01"


class DigestComposer:
    """Renders digests, once per distinct content: subscribers who get the same papers for
    the same reasons (most trending-only ones) share one rendering, and only their address
    and link tokens are filled in. Use one per sending run, so edits to papers show up."""

    def __init__(self, site: MailSite, *, cache_size: int = 256) -> None:
        self.site = site
        self.cache_size = cache_size
        self._cache: dict[tuple, tuple[str, str, str]] = {}

    def compose(
        self,
        *,
        email: str,
        prefs: DigestPrefs,
        period: str,
        items: Sequence[DigestItem],
        manage_url: str,
        unsubscribe_url: str,
        message_id: str,
        date: datetime,
        feedback: Mapping[str, Mapping[str, str]] | None = None,
    ) -> RawMessage:
        # A digest with 👍/👎 links is its reader's alone: the links are part of its key.
        key = (
            period,
            prefs.frequency,
            prefs.describe(),
            tuple((item.key, tuple(item.reasons)) for item in items),
            tuple(sorted((k, tuple(sorted(v.items()))) for k, v in (feedback or {}).items())),
        )
        rendered = self._cache.get(key)
        if rendered is None:
            context = digest_context(
                self.site,
                email=_EMAIL,
                prefs=prefs,
                period=period,
                items=items,
                manage_url=_MANAGE,
                unsubscribe_url=_UNSUBSCRIBE,
                feedback=feedback,
            )
            rendered = (
                digest_subject(context),
                render("digest.txt", context),
                render("digest.html", context),
            )
            if len(self._cache) >= self.cache_size:
                self._cache.pop(next(iter(self._cache)))
            self._cache[key] = rendered
        subject, text, html = rendered
        for placeholder, value in (
            (_EMAIL, email),
            (_MANAGE, manage_url),
            (_UNSUBSCRIBE, unsubscribe_url),
        ):
            text = text.replace(placeholder, value)
            html = html.replace(placeholder, str(escape(value)))
        return digest_message(
            self.site,
            to=email,
            subject=subject,
            text=text,
            html=html,
            unsubscribe_url=unsubscribe_url,
            message_id=message_id,
            date=date,
        )


def _templated(
    site: MailSite, template: str, *, to: str, subject: str, date: datetime, **values: Any
) -> EmailMessage:
    """A short mail from `template`.txt and `template`.html, which see the site too."""
    context = {"site_name": site.site_name, "site_url": site.root, **values}
    return _message(
        site,
        to=to,
        subject=subject,
        text=render(f"{template}.txt", context),
        html=render(f"{template}.html", context),
        date=date,
    )


def confirmation_message(
    site: MailSite,
    *,
    email: str,
    prefs: DigestPrefs,
    confirm_url: str,
    expires_hours: int,
    date: datetime,
) -> EmailMessage:
    return _templated(
        site,
        "confirm",
        to=email,
        subject=f"Confirm your {site.site_name} digest",
        date=date,
        email=email,
        schedule=prefs.describe(),
        confirm_url=confirm_url,
        expires_hours=expires_hours,
    )


def already_subscribed_message(
    site: MailSite, *, email: str, manage_url: str, date: datetime
) -> EmailMessage:
    return _templated(
        site,
        "already_subscribed",
        to=email,
        subject=f"Your {site.site_name} digest subscription",
        date=date,
        email=email,
        manage_url=manage_url,
    )


def verification_message(
    site: MailSite,
    *,
    username: str,
    email: str,
    verify_url: str,
    expires_hours: int,
    date: datetime,
) -> EmailMessage:
    """The link that confirms a new account's address (accounts: sign-up)."""
    return _templated(
        site,
        "verify_email",
        to=email,
        subject=f"Confirm your email address · {site.site_name}",
        date=date,
        username=username,
        verify_url=verify_url,
        expires_hours=expires_hours,
    )


def password_reset_message(
    site: MailSite,
    *,
    username: str,
    email: str,
    reset_url: str,
    expires_minutes: int,
    date: datetime,
) -> EmailMessage:
    """The link that sets a new password (accounts: forgotten password)."""
    return _templated(
        site,
        "reset_password",
        to=email,
        subject=f"Reset your password · {site.site_name}",
        date=date,
        username=username,
        reset_url=reset_url,
        expires_minutes=expires_minutes,
    )


def signup_attempt_message(
    site: MailSite, *, username: str, email: str, date: datetime
) -> EmailMessage:
    """To the owner of an address someone tried to sign up with (accounts: sign-up answers
    alike whether or not the address has an account, so the owner is told here instead)."""
    return _templated(
        site,
        "signup_attempt",
        to=email,
        subject=f"Someone tried to sign up with your address · {site.site_name}",
        date=date,
        username=username,
        email=email,
        login_url=site.url("/login"),
        forgot_url=site.url("/forgot-password"),
    )


def unlock_login_message(
    site: MailSite,
    *,
    username: str,
    email: str,
    unlock_url: str,
    expires_minutes: int,
    date: datetime,
) -> EmailMessage:
    """The link that lifts a login lockout for one account (accounts: too many failures)."""
    return _templated(
        site,
        "unlock_login",
        to=email,
        subject=f"Unlock logging in · {site.site_name}",
        date=date,
        username=username,
        unlock_url=unlock_url,
        expires_minutes=expires_minutes,
        forgot_url=site.url("/forgot-password"),
    )
