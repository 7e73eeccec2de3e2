"""Accounts: sign-up, email verification, password reset and change, profile settings, and
the admin's user switches (promote, disable).

Verification and reset links carry a random token that is stored hashed, works once and
expires (`email_verification_hours`, `password_reset_minutes`).

Neither signing up nor asking for a reset says whether an address has an account: the
answer, and the work done before it (checks, limits, and for a sign-up the password hash),
are the same either way, and the lookup and the mail run after the response. A sign-up with
a registered address makes nothing; its owner gets a mail saying someone tried, with links
to log in and to reset the password. A taken *username* is still said at once (409): names
are public on profiles, so that tells nothing a visitor can't read already, and the visitor
can pick another.

Too many failed logins lock an account for `login_window_minutes` (services.auth); its
owner can ask for a one-time link, mailed to the account's address only while it is locked,
that lifts the lockout for that account (the same answer whoever asks, the mail after the
response, rate-limited like all mail). Every action that sends mail is rate-limited per
recipient address and per client address, and sign-ups per client and for the whole site,
before any password is hashed (services.rate_limiting; the limits are settings). The messages
are built by mail/messages.py and sent by the one `Mailer` (mail/mailer.py: SMTP or console,
setting `mail_backend`), as digests are.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from dailypapers.config import CommunitySettings
from dailypapers.domain.community import User, check_email, check_password, check_username
from dailypapers.errors import BadRequest, Conflict, Forbidden, NotFound
from dailypapers.mail.mailer import Mailer, MailError
from dailypapers.mail.messages import (
    MailSite,
    password_reset_message,
    signup_attempt_message,
    unlock_login_message,
    verification_message,
)
from dailypapers.services.auth import PasswordHashing, account_locked, lift_account_lock
from dailypapers.services.clock import Clock
from dailypapers.services.rate_limiting import RateGuard
from dailypapers.services.tokens import hash_token, new_token
from dailypapers.storage.rate_limits import RateLimitStore
from dailypapers.storage.users import UserStore

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PendingSignUp:
    """A sign-up checked, counted and hashed, waiting for `finish_sign_up`."""

    username: str
    email: str
    password_hash: str = field(repr=False)


class AccountService:
    def __init__(
        self,
        settings: CommunitySettings,
        users: UserStore,
        rate_limits: RateLimitStore,
        passwords: PasswordHashing,
        mailer: Mailer,
        clock: Clock,
        site: MailSite,
    ) -> None:
        self.settings = settings
        self.users = users
        self.rate_limits = rate_limits
        self.passwords = passwords
        self.mailer = mailer
        self.clock = clock
        self.site = site
        self.guard = RateGuard(rate_limits, clock)

    # --- creating accounts ---------------------------------------------------------------
    def _check_password(self, password: object) -> str:
        return check_password(
            password,
            min_chars=self.settings.password_min_chars,
            max_chars=self.settings.password_max_chars,
        )

    def sign_up(self, username: str, email: str, password: str, *, client: str = "") -> User | None:
        """Both halves of a sign-up at once (for callers with no response to send first):
        the new user, or None when the address already had an account (its owner is
        mailed instead)."""
        return self.finish_sign_up(self.accept_sign_up(username, email, password, client=client))

    def accept_sign_up(
        self, username: str, email: str, password: str, *, client: str = ""
    ) -> PendingSignUp:
        """The part of a sign-up the visitor waits for: the same work whether or not the
        address has an account, so neither the answer nor its timing tells.

        Input is checked first (cheap), then the limits (per client, site-wide, and the mail
        limits), then the username (taken names may say so: they are public on profiles),
        and the password is hashed either way. The address is looked up only in
        `finish_sign_up`, after the response."""
        if not self.settings.signups_open:
            raise Forbidden("sign-ups are closed on this site; ask an admin for an account")
        username = check_username(username)
        address = check_email(email)
        self._check_password(password)
        limits = [("site", self.settings.signups_per_hour)]
        if client:
            limits.insert(0, (f"ip:{client}", self.settings.signups_per_ip_per_hour))
        self.guard.take("signup", limits, what="sign-ups")
        self._take_mail(address, client)
        if self.users.by_username(username) is not None:
            raise Conflict(f"the username {username!r} is taken")
        return PendingSignUp(username, address, self.passwords.hash(password))

    def finish_sign_up(self, pending: PendingSignUp) -> User | None:
        """Runs after the response. A new address gets its account and a verification
        link; a registered one gets a mail telling its owner someone tried (with links to
        log in and to reset the password), and nothing else changes. Mail failures are
        logged, never shown (that would tell); a new account whose link could not be sent
        is removed again, so the same sign-up can simply be tried again."""
        try:
            return self._finish_sign_up(pending)
        except MailError as exc:
            log.warning("sign-up mail could not be sent: %s", exc)
            return None

    def _finish_sign_up(self, pending: PendingSignUp) -> User | None:
        owner = self.users.by_email(pending.email)
        if owner is None:
            try:
                user = self.users.create(
                    pending.username, pending.email, pending.password_hash, now=self.clock()
                )
            except Conflict:  # a concurrent sign-up took the name or the address first
                owner = self.users.by_email(pending.email)
                if owner is None:
                    log.warning("sign-up for a username taken meanwhile was dropped")
                    return None
            else:
                try:
                    self.send_verification(user)
                except MailError:
                    self.users.discard_new(user.id)
                    raise
                return user
        if not owner.disabled:
            self.mailer.send(
                signup_attempt_message(
                    self.site, username=owner.username, email=owner.email, date=self.clock()
                )
            )
        return None

    def _take_mail(self, address: str, client: str) -> None:
        """Count one mail to `address` asked for by `client`; RateLimited past either limit."""
        limits = [(f"to:{address.lower()}", self.settings.mail_sends_per_address_per_hour)]
        if client:
            limits.append((f"ip:{client}", self.settings.mail_sends_per_ip_per_hour))
        self.guard.take("mail", limits, what="emails")

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

    def resend_verification(self, user: User, *, client: str = "") -> None:
        """The settings page's "send the link again": rate-limited like every mail action."""
        if user.email_verified:
            return
        self._take_mail(user.email, client)
        self.send_verification(user)

    def verify_email(self, raw_token: str) -> User:
        user = self.users.verify_email(hash_token(raw_token or ""), now=self.clock())
        if user is None:
            raise BadRequest("this verification link is not valid: it was used, or it expired")
        return user

    def request_password_reset(self, email: str, *, client: str = "") -> None:
        """Email a reset link if the address has an account; silent either way."""
        self.send_password_reset(self.accept_reset_request(email, client=client))

    def accept_reset_request(self, email: str, *, client: str = "") -> str:
        """The part of a reset request the asker waits for: the same work whether or not the
        address has an account (check it, count it against the mail limits, which refuse
        with 429 on the count alone), so neither the answer nor its timing tells. The lookup
        and the mail follow in `send_password_reset`, after the response."""
        email = check_email(email)
        self._take_mail(email, client)
        return email

    def send_password_reset(self, email: str) -> None:
        """Mail a reset link if `email` has an account. Runs after the response: a mail
        failure is logged, never shown (it would tell that the account exists)."""
        try:
            self._send_password_reset(email)
        except MailError as exc:
            log.warning("password-reset mail to an account could not be sent: %s", exc)

    def _send_password_reset(self, email: str) -> None:
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

    # --- lifting a login lockout ---------------------------------------------------------
    def accept_unlock_request(self, login: str, *, client: str = "") -> str:
        """The part of an unlock request the asker waits for: the same whether or not the
        name has an account or is locked (check it, count it against the client's mail
        limit). The lookup and the mail follow in `send_unlock_link`, after the response."""
        login = (login or "").strip()[:254]
        if not login:
            raise BadRequest("enter your username or email address")
        if client:
            limit = self.settings.mail_sends_per_ip_per_hour
            self.guard.take("mail", [(f"ip:{client}", limit)], what="emails")
        return login

    def send_unlock_link(self, login: str) -> None:
        """Mail a one-time link that lifts the lockout, if `login` names an account that is
        locked out now; silent otherwise. The link lives as long as the lockout could
        (`login_window_minutes`) and counts against the address's mail limit."""
        try:
            self._send_unlock_link(login)
        except MailError as exc:
            log.warning("unlock mail to an account could not be sent: %s", exc)

    def _send_unlock_link(self, login: str) -> None:
        found = self.users.credentials(login)
        if found is None:
            return
        user = found[0]
        if user.disabled or not account_locked(
            self.rate_limits, self.settings, user.id, now=self.clock()
        ):
            return
        limit = self.settings.mail_sends_per_address_per_hour
        if not self.guard.allows("mail", [(f"to:{user.email.lower()}", limit)]):
            return  # enough mail to that address for now; still silent
        minutes = self.settings.login_window_minutes
        raw = self._new_token(user, "unlock", timedelta(minutes=minutes))
        self.mailer.send(
            unlock_login_message(
                self.site,
                username=user.username,
                email=user.email,
                unlock_url=self.site.url(f"/unlock-login/{raw}"),
                expires_minutes=minutes,
                date=self.clock(),
            )
        )

    def unlock_login(self, raw_token: str) -> User:
        """Use an unlock link: that account's failed logins are forgotten, so its owner can
        log in again at once. Only that account: the per-client limit stays."""
        user_id = self.users.use_email_token(
            hash_token(raw_token or ""), "unlock", now=self.clock()
        )
        user = self.users.get(user_id) if user_id is not None else None
        if user is None:
            raise BadRequest("this unlock link is not valid: it was used, or it expired")
        lift_account_lock(self.rate_limits, user.id)
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
