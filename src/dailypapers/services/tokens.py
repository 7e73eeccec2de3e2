"""Random secrets and what the database keeps of them: the one token helper.

Session ids, CSRF tokens, API tokens, email-verification and password-reset links, and the
digest's confirm/manage/unsubscribe links are all `new_token()`: 256 random bits, URL-safe.
The database keeps only `hash_token(raw)`, a SHA-256: enough for 256-bit secrets (there is
nothing to brute-force; passwords get argon2 instead), so a leaked table opens nothing.
`same_token` compares a presented secret with a known one in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets


def new_token() -> str:
    """256 random bits, URL-safe (43 characters)."""
    return secrets.token_urlsafe(32)


def hash_token(raw: str) -> str:
    """What the database keeps of a random token: its SHA-256, hex."""
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def same_token(known: str, presented: str) -> bool:
    """True if `presented` equals `known`, in time that doesn't depend on where they differ."""
    return hmac.compare_digest(known.encode(), presented.encode("utf-8", "replace"))
