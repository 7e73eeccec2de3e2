"""Who is making this request: passwords, sessions, CSRF tokens, login limits, API tokens.

- Passwords are hashed with argon2id (costs are settings; tests use cheap ones). An unknown
  login name still costs one hash, so timing doesn't tell which accounts exist. Each hash
  takes `argon2_memory_cost_kib` (64 MiB), so at most `password_hash_concurrency` run at once
  per process (a semaphore; the rest wait): 40 concurrent sign-ups took a server from 347 MB
  to 2.4 GB without it.
- A session id is 256 random bits; the database keeps only its SHA-256. Logging in always
  starts a *new* session and deletes the one the browser had (no session fixation).
- Each session carries its own CSRF token; every form POST must echo it. A logged-out
  visitor's session is not stored: its token is derived from its cookie.
- Failed logins are rate-limited per account and per client address with rows in the
  database (`RateLimitStore`), so the limit holds across web processes. Too many failures
  for one account pause logging in to it, for everyone, for `login_window_minutes`; its
  owner can lift that early with a one-time link mailed to the account's address
  (services.accounts: `lift_account_lock` clears that account's failures only).
- API tokens (`dp_...`) are shown once, stored hashed, and authenticate the write API.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from dailypapers.config import CommunitySettings
from dailypapers.domain.community import ApiToken, Session, User, check_text, is_row_id
from dailypapers.errors import BadRequest, Conflict, Forbidden, RateLimited, Unauthorized
from dailypapers.services.clock import Clock
from dailypapers.services.tokens import hash_token, new_token, same_token
from dailypapers.storage.rate_limits import RateLimitStore
from dailypapers.storage.sessions import SessionStore
from dailypapers.storage.users import UserStore

API_TOKEN_PREFIX = "dp_"
_LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
_TOUCH_EVERY = timedelta(hours=1)


def cookie_secure(settings: CommunitySettings, base_url: str) -> bool:
    """The `cookie_secure` setting, or by default: on unless the site is served from
    http://localhost (development, where a Secure cookie would never come back)."""
    if settings.cookie_secure is not None:
        return settings.cookie_secure
    parts = urlsplit(base_url)
    return not (parts.scheme == "http" and (parts.hostname or "") in _LOCAL_HOSTS)


def _account_key(user_id: int) -> str:
    return f"user:{user_id}"


def account_locked(
    rate_limits: RateLimitStore, settings: CommunitySettings, user_id: int, *, now: datetime
) -> bool:
    """Whether the account's failed logins have paused logging in to it (any password)."""
    since = now - timedelta(minutes=settings.login_window_minutes)
    failures = rate_limits.count("login", _account_key(user_id), since=since)
    return failures > settings.login_max_attempts_per_account


def lift_account_lock(rate_limits: RateLimitStore, user_id: int) -> None:
    """Forget the account's failed logins (the emailed unlock link); the per-client limit,
    which counts whoever was guessing, stays."""
    rate_limits.forget(kind="login", key=_account_key(user_id))


class PasswordHashing:
    def __init__(self, settings: CommunitySettings) -> None:
        self.hasher = PasswordHasher(
            time_cost=settings.argon2_time_cost,
            memory_cost=settings.argon2_memory_cost_kib,
            parallelism=settings.argon2_parallelism,
        )
        self._dummy: str | None = None
        self._slots = threading.BoundedSemaphore(settings.password_hash_concurrency)

    def hash(self, password: str) -> str:
        with self._slots:
            return self.hasher.hash(password)

    def verify(self, password_hash: str | None, password: str) -> bool:
        if password_hash is None:  # unknown account: spend the same time anyway
            if self._dummy is None:
                self._dummy = self.hash(new_token())
            password_hash = self._dummy
            password = password + "\x00unknown"
        try:
            with self._slots:
                return self.hasher.verify(password_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        return self.hasher.check_needs_rehash(password_hash)


class AuthService:
    def __init__(
        self,
        settings: CommunitySettings,
        users: UserStore,
        sessions: SessionStore,
        rate_limits: RateLimitStore,
        passwords: PasswordHashing,
        clock: Clock,
        *,
        base_url: str,
    ) -> None:
        self.settings = settings
        self.users = users
        self.sessions = sessions
        self.rate_limits = rate_limits
        self.passwords = passwords
        self.clock = clock
        self.cookie_secure = cookie_secure(settings, base_url)
        # The __Host- prefix makes browsers refuse the cookie unless it is Secure, host-only
        # and for path /: no subdomain or plain-http page can plant one.
        self.cookie_name = "__Host-dp_session" if self.cookie_secure else "dp_session"

    # --- sessions ------------------------------------------------------------------------
    def session(self, raw_id: str | None) -> Session | None:
        """The live session a cookie names, or None."""
        if not raw_id or len(raw_id) > 200:
            return None
        return self.sessions.get(hash_token(raw_id), now=self.clock())

    def anonymous_session(self, raw_id: str) -> Session | None:
        """A logged-out visitor's session, which stores nothing: its CSRF token is derived
        from the cookie (which only that browser holds, HttpOnly). A row per cookieless
        request let one client write ~585 session rows a second; now none is written until
        someone logs in. None for a cookie no session could have."""
        if not raw_id or len(raw_id) > 200:
            return None
        expires = self.clock() + timedelta(hours=self.settings.anonymous_session_hours)
        return Session(hash_token(raw_id), hash_token("csrf\x00" + raw_id), expires, None)

    def start_session(
        self, user: User | None, *, replaces: Session | None = None
    ) -> tuple[str, Session]:
        """A new session (a new id, a new CSRF token); the one it replaces is deleted.
        An anonymous one (user None) is not stored (see anonymous_session)."""
        raw = new_token()
        now = self.clock()
        if user is None:
            anonymous = self.anonymous_session(raw)
            assert anonymous is not None
            return raw, anonymous
        expires = now + timedelta(days=self.settings.session_days)
        session = Session(hash_token(raw), new_token(), expires, user)
        self.sessions.create(
            session.id_hash,
            session.csrf_token,
            user_id=user.id,
            now=now,
            expires_at=expires,
            replaces=replaces.id_hash if replaces else None,
        )
        return raw, session

    def end_session(self, session: Session | None) -> None:
        if session is not None:
            self.sessions.delete(session.id_hash)

    def session_max_age(self, session: Session) -> int:
        return max(0, int((session.expires_at - self.clock()).total_seconds()))

    @staticmethod
    def csrf_ok(session: Session | None, token: str | None) -> bool:
        if session is None or not token:
            return False
        return same_token(session.csrf_token, token)

    # --- logging in ----------------------------------------------------------------------
    def login(
        self, login: str, password: str, *, client: str, replaces: Session | None = None
    ) -> tuple[str, Session]:
        """Check a username-or-email and password; a new logged-in session on success.

        The attempt is recorded first and counted after, so racing attempts can't slip past
        the limits; a successful login forgets the account's failures.
        """
        login = (login or "").strip()[:254]
        password = password or ""
        if not login or not password:
            raise BadRequest("enter your username (or email address) and password")
        found = self.users.credentials(login)
        account_key = _account_key(found[0].id) if found else f"login:{login.lower()}"
        client_key = f"ip:{client[:200]}"
        now = self.clock()
        window = timedelta(minutes=self.settings.login_window_minutes)
        ids = self.rate_limits.record(
            "login", [account_key, client_key], now=now, expired_before=now - window
        )
        since = now - window
        if (
            self.rate_limits.count("login", account_key, since=since)
            > self.settings.login_max_attempts_per_account
            or self.rate_limits.count("login", client_key, since=since)
            > self.settings.login_max_attempts_per_ip
        ):
            raise RateLimited(
                "too many failed logins; wait "
                f"{self.settings.login_window_minutes} minutes and try again"
            )
        if len(password) > self.settings.password_max_chars:
            raise Unauthorized("wrong username or password")
        ok = self.passwords.verify(found[1] if found else None, password)
        if not ok or found is None:
            raise Unauthorized("wrong username or password")
        user, password_hash = found
        if user.disabled:
            raise Forbidden("this account is disabled")
        self.rate_limits.forget(ids, kind="login", key=account_key)
        if self.passwords.needs_rehash(password_hash):
            self.users.set_flags(user.id, password_hash=self.passwords.hash(password))
        return self.start_session(user, replaces=replaces)

    # --- API tokens ----------------------------------------------------------------------
    def create_api_token(self, user: User, name: str) -> tuple[str, ApiToken]:
        """A new token; the secret is returned this once and never stored."""
        name = check_text(name or "API token", "the token name", max_chars=100)
        if len(self.sessions.tokens_of(user.id)) >= self.settings.max_api_tokens_per_user:
            raise Conflict(
                f"you already have {self.settings.max_api_tokens_per_user} API tokens; "
                "delete one first"
            )
        raw = API_TOKEN_PREFIX + new_token()
        token = self.sessions.add_token(user.id, name, hash_token(raw), raw[:10], now=self.clock())
        return raw, token

    def api_tokens(self, user: User) -> list[ApiToken]:
        return self.sessions.tokens_of(user.id)

    def revoke_api_token(self, user: User, token_id: int) -> None:
        if not is_row_id(token_id) or not self.sessions.delete_token(user.id, token_id):
            raise Forbidden("that is not one of your API tokens")

    def user_for_bearer(self, authorization: str | None) -> User:
        """The user an `Authorization: Bearer dp_...` header authenticates; 401 otherwise."""
        scheme, _, raw = (authorization or "").partition(" ")
        raw = raw.strip()
        if scheme.lower() != "bearer" or not raw.startswith(API_TOKEN_PREFIX) or len(raw) > 200:
            raise Unauthorized("send an API token: Authorization: Bearer dp_...")
        found = self.sessions.user_for_token(hash_token(raw))
        if found is None:
            raise Unauthorized("the API token is not valid (revoked, or its user disabled)")
        user, token_id, last_used = found
        now = self.clock()
        if last_used is None or now - last_used > _TOUCH_EVERY:  # one write an hour at most
            self.sessions.touch_token(token_id, now=now)
        return user
