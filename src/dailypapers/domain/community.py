"""People and what they do here: users, sessions, comments, collections, API tokens.

Plain dataclasses and the rules that need no database: what a username, an email address or a
password may look like, who may edit what, and how comments fold into one level of replies.
Secrets (passwords, session ids, tokens) never appear in these objects, only their hashes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from dailypapers.domain.email_addresses import check_email_address
from dailypapers.errors import BadRequest, Forbidden, Unauthorized

USERNAME_RULE = "2 to 32 letters, digits, '-' or '_', starting with a letter or digit"
_USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{1,31}")


@dataclass(frozen=True, slots=True)
class User:
    id: int
    username: str
    email: str
    email_verified: bool = False
    is_admin: bool = False
    disabled: bool = False
    upvotes_public: bool = True
    created_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Session:
    """A browser session: anonymous (user None, it only carries a CSRF token) or logged in."""

    id_hash: str
    csrf_token: str
    expires_at: datetime
    user: User | None = None


@dataclass(frozen=True, slots=True)
class VoteState:
    """A paper's upvotes, kept apart by where they were cast (Hugging Face, counted at import;
    here, one per user), and whether the asking user's vote is among them."""

    arxiv_id: str
    voted: bool
    local_upvotes: int
    external_upvotes: int

    @property
    def upvotes(self) -> int:
        return self.local_upvotes + self.external_upvotes


@dataclass(frozen=True, slots=True)
class ApiToken:
    """An API token as its owner sees it later: a name and a prefix, never the secret."""

    id: int
    user_id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Comment:
    id: int
    arxiv_id: str
    user_id: int
    author: str
    body: str
    created_at: datetime
    parent_id: int | None = None
    edited_at: datetime | None = None
    deleted: bool = False
    hidden: bool = False

    @property
    def visible(self) -> bool:
        return not (self.deleted or self.hidden)


@dataclass(slots=True)
class CommentThread:
    """A top-level comment and its replies (one level, oldest first)."""

    comment: Comment
    replies: list[Comment] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Collection:
    id: int
    user_id: int
    owner: str
    name: str
    description: str
    is_public: bool
    created_at: datetime
    updated_at: datetime
    paper_count: int = 0


# --- rules -------------------------------------------------------------------------------
def check_username(raw: object) -> str:
    if not isinstance(raw, str) or not _USERNAME.fullmatch(raw.strip()):
        raise BadRequest(f"a username is {USERNAME_RULE}")
    return raw.strip()


def username_key(username: str) -> str:
    """Usernames are unique regardless of case: `Alice` and `alice` are one account."""
    return username.strip().lower()


def check_email(raw: object) -> str:
    """An account's address, case kept: the one rule in domain.email_addresses."""
    return check_email_address(raw)


def email_key(email: str) -> str:
    return email.strip().lower()


def check_password(password: object, *, min_chars: int, max_chars: int) -> str:
    if not isinstance(password, str) or len(password) < min_chars:
        raise BadRequest(f"a password needs at least {min_chars} characters")
    if len(password) > max_chars:
        raise BadRequest(f"a password may have at most {max_chars} characters")
    return password


def check_text(raw: object, what: str, *, max_chars: int, required: bool = True) -> str:
    """Free text a user typed (a comment, a collection name): trimmed, bounded, no NULs."""
    text = raw.strip() if isinstance(raw, str) else ""
    if required and not text:
        raise BadRequest(f"{what} is empty")
    if len(text) > max_chars:
        raise BadRequest(f"{what} is longer than {max_chars:,} characters")
    if "\x00" in text:
        raise BadRequest(f"{what} contains a NUL character")
    if any("\ud800" <= ch <= "\udfff" for ch in text):  # JSON's "\ud800": not storable text
        raise BadRequest(f"{what} contains a lone surrogate (not a character)")
    return text


# Row ids are INTEGER columns: PostgreSQL's stop at 2^31 - 1 (SQLite's at 2^63 - 1). A larger
# id in a URL or a form names nothing; it is a 404, not a database error.
MAX_ROW_ID = 2**31 - 1


def is_row_id(value: int) -> bool:
    """Could `value` be the id of a stored row (on either database)?"""
    return 0 < value <= MAX_ROW_ID


def require_contributor(user: User | None, *, verified_email_required: bool) -> User:
    """Votes, submissions, comments and collections need an enabled account (and a
    verified address where the site asks for one)."""
    if user is None:
        raise Unauthorized("log in first")
    if user.disabled:
        raise Forbidden("this account is disabled")
    if verified_email_required and not user.email_verified:
        raise Forbidden("confirm your email address first (see your settings page)")
    return user


def require_owner(user: User, owner_id: int, what: str) -> None:
    """Only its author may change a thing; being an admin does not make you its author."""
    if user.id != owner_id:
        raise Forbidden(f"only its author may change this {what}")


def thread_comments(comments: list[Comment]) -> list[CommentThread]:
    """Fold comments (oldest first) into threads; removed comments stay only as placeholders
    where they still have visible replies."""
    threads: dict[int, CommentThread] = {}
    for comment in comments:
        if comment.parent_id is None:
            threads[comment.id] = CommentThread(comment)
    for comment in comments:
        if comment.parent_id is not None and comment.visible:
            thread = threads.get(comment.parent_id)
            if thread is not None:
                thread.replies.append(comment)
    return [t for t in threads.values() if t.comment.visible or t.replies]
