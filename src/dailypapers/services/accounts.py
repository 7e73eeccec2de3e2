"""Accounts: sign-up, email verification, password reset and change, profile settings, and
the admin's user switches (promote, disable).

Verification and reset links carry a random token that is stored hashed, works once and
expires (`email_verification_hours`, `password_reset_minutes`). Asking for a reset never says
whether an address has an account. The messages are built by mail/messages.py and sent by the
one `Mailer` (mail/mailer.py: SMTP or console, setting `mail_backend`), as digests are.
"""

from __future__ import annotations

from datetime import timedelta

from dailypapers.config import Settings
from dailypapers.domain.community import User, check_email, check_password, check_username
from dailypapers.errors import BadRequest, Forbidden, NotFound
from dailypapers.mail.mailer import Mailer
from dailypapers.mail.messages import mail_site, password_reset_message, verification_message
from dailypapers.services.auth import PasswordHashing
from dailypapers.services.clock import Clock
from dailypapers.services.tokens import hash_token, new_token
from dailypapers.storage.rate_limits import RateLimitStore
from dailypapers.storage.users import UserStore


class AccountService:
    def __init__(
        self,
        settings: Settings,
        users: UserStore,
        rate_limits: RateLimitStore,
        passwords: PasswordHashing,
        mailer: Mailer,
        clock: Clock,
    ) -> None:
        self.settings = settings
        self.users = users
        self.rate_limits = rate_limits
        self.passwords = passwords
        self.mailer = mailer
        self.clock = clock
        self.site = mail_site(settings)

    # --- creating accounts ---------------------------------------------------------------
    def _check_password(self, password: object) -> str:
        return check_password(
            password,
            min_chars=self.settings.password_min_chars,
            max_chars=self.settings.password_max_chars,
        )

    def sign_up(self, username: str, email: str, password: str) -> User:
        """A new account (open sign-ups only); a verification link is emailed."""
        if not self.settings.signups_open:
            raise Forbidden("sign-ups are closed on this site; ask an admin for an account")
        user = self.create_user(username, email, password)
        self.send_verification(user)
        return user

    def create_user(
        self,
        username: str,
        email: str,
        password: str,
        *,
        admin: bool = False,
        verified: bool = False,
    ) -> User:
        username = check_username(username)
        email = check_email(email)
        password = self._check_password(password)
        return self.users.create(
            username,
            email,
            self.passwords.hash(password),
            now=self.clock(),
            is_admin=admin,
            email_verified=verified,
        )

    # --- emailed links -------------------------------------------------------------------
    def _new_token(self, user: User, purpose: str, lifetime: timedelta) -> str:
        raw = new_token()
        now = self.clock()
        self.users.add_email_token(
            hash_token(raw), user.id, purpose, user.email, now=now, expires_at=now + lifetime
        )
        return raw

    def send_verification(self, user: User) -> None:
        if user.email_verified:
            return
        hours = self.settings.email_verification_hours
        raw = self._new_token(user, "verify", timedelta(hours=hours))
        self.mailer.send(
            verification_message(
                self.site,
                username=user.username,
                email=user.email,
                verify_url=self.site.url(f"/verify-email/{raw}"),
                expires_hours=hours,
                date=self.clock(),
            )
        )

    def verify_email(self, raw_token: str) -> User:
        user = self.users.verify_email(hash_token(raw_token or ""), now=self.clock())
        if user is None:
            raise BadRequest("this verification link is not valid: it was used, or it expired")
        return user

    def request_password_reset(self, email: str) -> None:
        """Email a reset link if the address has an account; silent either way."""
        email = check_email(email)
        user = self.users.by_email(email)
        if user is None or user.disabled:
            return
        now = self.clock()
        window = timedelta(minutes=self.settings.login_window_minutes)
        key = f"user:{user.id}"
        self.rate_limits.record("reset", [key], now=now, expired_before=now - window)
        if (
            self.rate_limits.count("reset", key, since=now - window)
            > self.settings.login_max_attempts_per_account
        ):
            return  # enough reset mail for now; still silent
        minutes = self.settings.password_reset_minutes
        raw = self._new_token(user, "reset", timedelta(minutes=minutes))
        self.mailer.send(
            password_reset_message(
                self.site,
                username=user.username,
                email=user.email,
                reset_url=self.site.url(f"/reset-password/{raw}"),
                expires_minutes=minutes,
                date=self.clock(),
            )
        )

    def reset_token_usable(self, raw_token: str) -> bool:
        return (
            self.users.peek_email_token(hash_token(raw_token or ""), "reset", now=self.clock())
            is not None
        )

    def reset_password(self, raw_token: str, new_password: str) -> User:
        """Set a new password with a reset link; every session of the user ends."""
        password = self._check_password(new_password)
        user = self.users.reset_password(
            hash_token(raw_token or ""), self.passwords.hash(password), now=self.clock()
        )
        if user is None:
            raise BadRequest("this reset link is not valid: it was used, or it expired")
        return user

    # --- settings ------------------------------------------------------------------------
    def change_password(
        self, user: User, current: str, new: str, *, keep_session: str | None
    ) -> None:
        if not self.passwords.verify(self.users.password_hash(user.id), current or ""):
            raise Forbidden("the current password is wrong")
        password = self._check_password(new)
        self.users.set_password_hash(
            user.id, self.passwords.hash(password), keep_session=keep_session
        )

    def set_upvotes_public(self, user: User, public: bool) -> None:
        self.users.set_flags(user.id, upvotes_public=public)

    # --- admin ---------------------------------------------------------------------------
    def user(self, username: str) -> User:
        user = self.users.by_username(username)
        if user is None:
            raise NotFound(f"there is no user {username!r}")
        return user

    def set_admin(self, username: str, admin: bool) -> User:
        user = self.user(username)
        self.users.set_flags(user.id, is_admin=admin)
        return self.user(username)

    def set_disabled(self, username: str, disabled: bool) -> User:
        """Disable (ending every session and locking out API tokens) or re-enable a user."""
        user = self.user(username)
        self.users.set_disabled(user.id, self.clock() if disabled else None)
        return self.user(username)
