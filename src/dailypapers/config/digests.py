"""Mail and what is sent by it or read as a feed: the mail backend and SMTP, digests and their
delivery, subscriptions, Atom feeds.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr

from dailypapers.config.section import Section


class DigestSettings(Section):
    mail_backend: Literal["console", "smtp"] = Field(
        "console",
        description="How mail leaves: `smtp` (the smtp_* settings) or `console` (printed to "
        "stdout, for development).",
    )
    mail_from: str = Field(
        "Daily Papers <papers@localhost>",
        description="From address of every mail (digests, confirmations); its domain also "
        "ends each Message-ID.",
    )
    mail_unsubscribe_mailto: str | None = Field(
        None,
        description="An address that unsubscribes whoever mails it, added to List-Unsubscribe "
        "as a mailto: (only if something processes that mailbox; the one-click URL always is).",
    )
    smtp_host: str = Field("localhost", description="SMTP server (mail_backend=smtp).")
    smtp_port: int = Field(587, ge=1, le=65535, description="SMTP server port.")
    smtp_security: Literal["starttls", "ssl", "none"] = Field(
        "starttls",
        description="`starttls` (upgrade on connect, port 587), `ssl` (implicit TLS, port 465) "
        "or `none` (a local relay only).",
    )
    smtp_username: str | None = Field(None, description="SMTP login name; no login when unset.")
    smtp_password: SecretStr | None = Field(None, description="SMTP login password.")
    smtp_timeout_s: float = Field(
        30, gt=0, description="Seconds to wait for the SMTP server at each step."
    )
    smtp_rate_limit_per_s: float = Field(
        0,
        ge=0,
        description="Most messages per second one process sends (0: no limit); the provider's "
        "sending limit divided by the number of sending processes.",
    )
    smtp_max_attempts: int = Field(
        4, ge=1, description="Tries per digest on temporary (4xx) failures before it fails."
    )
    smtp_retry_backoff_s: float = Field(
        30, ge=0, description="Wait before the first retry of a temporary failure; doubles."
    )
    digest_max_bounces: int = Field(
        3,
        ge=1,
        description="Permanent failures (5xx) in a row after which an address is suspended.",
    )
    digest_lease_s: float = Field(
        300,
        gt=0,
        description="How long a sender's claim on a digest lasts; a dead sender's unsent "
        "digests are taken over after this.",
    )
    digest_claim_batch: int = Field(20, ge=1, description="Digests a sender claims at a time.")
    digest_resend_uncertain: bool = Field(
        False,
        description="Send again a digest whose sender died after transferring it but before "
        "recording the reply (at least once, may duplicate) instead of not (at most once).",
    )
    digest_max_items: int = Field(20, ge=1, description="Most papers in one digest.")
    digest_section_items: int = Field(
        10,
        ge=1,
        description="Most papers per section of a digest (For you, trending, each search, "
        "each category).",
    )
    digest_feedback_link_days: int = Field(
        30,
        ge=1,
        le=366,
        description="Days a 👍/👎 link in a digest mail works (each works once); after that "
        "its page says the link expired.",
    )
    digest_abstract_chars: int = Field(
        500, ge=50, description="Abstracts in digests are trimmed to this many characters."
    )
    digest_max_lookback_days: int = Field(
        14,
        ge=1,
        description="A digest looks back to the previous one sent, but never further than this.",
    )
    subscription_confirm_hours: int = Field(
        48, ge=1, description="A subscription's confirmation link works for this long."
    )
    subscription_resend_interval_s: int = Field(
        600,
        ge=0,
        description="At most one subscribe mail per address in this many seconds, however "
        "often the form is sent.",
    )
    subscription_max_queries: int = Field(
        5, ge=0, description="Saved searches one subscription may hold."
    )
    subscription_max_categories: int = Field(
        20, ge=0, description="arXiv categories one subscription may follow."
    )
    feed_max_entries: int = Field(50, ge=1, description="Entries in each Atom feed.")
    feed_search_days: int = Field(
        30, ge=1, description="A search feed lists papers of the last this many days."
    )
    feed_tag_authority: str = Field(
        "localhost,2026",
        pattern=r"^[A-Za-z0-9.\-@]+,\d{4}(-\d{2}(-\d{2})?)?$",
        description="`domain,date` of the tag: URIs (RFC 4151) that identify feeds and entries, "
        "e.g. `papers.example.org,2026`. Set it once and never change it: readers use the ids "
        "to tell new entries from seen ones.",
    )
