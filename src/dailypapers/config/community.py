"""Accounts, sessions, logins, passwords, rate limits on sign-ups and account mail, votes,
comments, collections, submissions, API tokens.
"""

from __future__ import annotations

from pydantic import Field

from dailypapers.config.section import Section


class CommunitySettings(Section):
    cookie_secure: bool | None = Field(
        None,
        description="Mark session cookies Secure (sent over HTTPS only). Default: on, unless "
        "base_url is http://127.0.0.1, http://localhost or http://[::1] (local development).",
    )
    session_days: int = Field(
        30, ge=1, description="A login lasts this many days; then the user logs in again."
    )
    anonymous_session_hours: int = Field(
        12,
        ge=1,
        description="Lifetime of the pre-login session cookie that carries a logged-out "
        "visitor's CSRF token (login, sign-up and reset forms); nothing is stored for it.",
    )
    signups_open: bool = Field(
        True, description="Anyone may sign up; when off, only `dailypapers users create` adds."
    )
    require_verified_email: bool = Field(
        False,
        description="Users must verify their email address before they vote, submit, comment "
        "or make collections.",
    )
    password_min_chars: int = Field(8, ge=1, description="Shortest password accepted.")
    password_max_chars: int = Field(
        256, ge=8, description="Longest password accepted (hashing cost grows with it)."
    )
    argon2_time_cost: int = Field(
        3, ge=1, description="argon2id passes over memory when hashing a password."
    )
    argon2_memory_cost_kib: int = Field(
        65536, ge=8, description="argon2id memory per password hash, in KiB (64 MiB by default)."
    )
    argon2_parallelism: int = Field(4, ge=1, description="argon2id lanes per password hash.")
    login_max_attempts_per_account: int = Field(
        5,
        ge=1,
        description="Failed logins to one account within login_window_minutes before further "
        "tries are refused with 429; also caps password-reset emails per account.",
    )
    login_max_attempts_per_ip: int = Field(
        30,
        ge=1,
        description="Failed logins from one client address within login_window_minutes before "
        "further tries are refused with 429.",
    )
    login_window_minutes: int = Field(
        15,
        ge=1,
        description="The sliding window the login limits count failures in; an emailed link "
        "that lifts an account's lockout lives as long.",
    )
    mail_sends_per_address_per_hour: int = Field(
        5,
        ge=1,
        description="Mail one action may send to one address (verification resends, reset "
        "and unlock links) within an hour; more are refused with 429 (resets and unlock "
        "links stay silent).",
    )
    mail_sends_per_ip_per_hour: int = Field(
        20,
        ge=1,
        description="Mail-sending actions (sign-up, verification resend, password reset, "
        "login unlock, subscribe) one client address may trigger within an hour; more get 429.",
    )
    signups_per_ip_per_hour: int = Field(
        5, ge=1, description="Accounts one client address may create within an hour (429 after)."
    )
    signups_per_hour: int = Field(
        200, ge=1, description="Accounts the whole site may create within an hour (429 after)."
    )
    password_hash_concurrency: int = Field(
        2,
        ge=1,
        description="Password hashes (argon2id, argon2_memory_cost_kib each) computed at once "
        "per process; more wait their turn, so a sign-up or login flood can't exhaust memory.",
    )
    password_reset_minutes: int = Field(
        60, ge=1, description="A password-reset link works for this long, and only once."
    )
    email_verification_hours: int = Field(
        48, ge=1, description="An email-verification link works for this long, and only once."
    )
    submission_max_age_days: int = Field(
        14,
        ge=0,
        description="Only papers first published on arXiv at most this many days ago can be "
        "submitted to the daily page.",
    )
    max_comment_chars: int = Field(5000, ge=1, description="Longest comment, in characters.")
    max_collection_name_chars: int = Field(
        100, ge=1, description="Longest collection name, in characters."
    )
    max_collection_description_chars: int = Field(
        1000, ge=0, description="Longest collection description, in characters."
    )
    max_api_tokens_per_user: int = Field(
        20, ge=1, description="API tokens one user may hold at once."
    )
