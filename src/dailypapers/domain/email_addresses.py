"""The one rule for an email address: what sign-up, settings and subscriptions accept.

An address is copied verbatim into a To header and an SMTP `RCPT TO`, so a loose rule is a
way to mail other people: `[^@\\s]+@[^@\\s]+` let through `=?utf-8?q?v1=40c.test?=,…,me@evil.test`
(an RFC 2047 word that header parsers decode into six recipients) and `<victim@corp.test>x`
(which address parsers read as victim@corp.test, around the unique-email rule). So the rule is
RFC 5322's dot-atom, ASCII only: `atext` characters in dot-separated runs, `@`, then DNS
labels with at least one dot; no spaces, quotes, angle brackets, commas or `=?` (the start
of an encoded word), at most 254 characters (RFC 5321's forward path) and 64 before the `@`.
The mailer sends to the stored text exactly, and refuses a To header that is not one
address under this rule (mail.mailer.envelope).
"""

from __future__ import annotations

import re

from dailypapers.errors import BadRequest

MAX_EMAIL_CHARS = 254
MAX_LOCAL_PART_CHARS = 64
EMAIL_RULE = "an address like name@example.org (ASCII letters, digits and .!#$%&'*+/=?^_`{|}~-)"

_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_EMAIL = re.compile(rf"{_ATEXT}(?:\.{_ATEXT})*@{_LABEL}(?:\.{_LABEL})+")


def is_email_address(text: str) -> bool:
    """True if `text`, exactly as it is (no trimming), is one address under the rule."""
    return (
        len(text) <= MAX_EMAIL_CHARS
        and _EMAIL.fullmatch(text) is not None
        and "=?" not in text
        and len(text.rpartition("@")[0]) <= MAX_LOCAL_PART_CHARS
    )


def check_email_address(raw: object) -> str:
    """The address trimmed of surrounding blanks, case kept; BadRequest if it breaks the rule."""
    text = raw.strip() if isinstance(raw, str) else ""
    if not text:
        raise BadRequest("enter an email address")
    if not is_email_address(text):
        raise BadRequest(f"{text[:80]!r} is not an email address we can send to: use {EMAIL_RULE}")
    return text
