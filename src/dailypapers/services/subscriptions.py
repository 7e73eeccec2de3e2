"""Subscribing by email (double opt-in), managing and unsubscribing: no account needed.

Nothing is sent to an address until the link in its confirmation mail is followed and the
confirmation submitted. Links carry random tokens (`services.tokens`), stored hashed:
`confirm` tokens expire (`subscription_confirm_hours`) and are single-use; `manage` and
`unsubscribe` tokens (a fresh pair in every digest) keep working. The subscribe form never
tells whether an address is already subscribed: the answer is always "check your inbox",
and an already active address is mailed a manage link instead of being changed. One client
address may ask for at most `mail_sends_per_ip_per_hour` such mails (429 after); one
recipient gets at most one per `subscription_resend_interval_s` (silently).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from dailypapers.config import DigestSettings
from dailypapers.domain.digests import (
    DigestPrefs,
    Subscription,
    TokenPurpose,
    normalise_email,
)
from dailypapers.errors import NotFound, SourceError
from dailypapers.mail.mailer import Mailer, MailError
from dailypapers.mail.messages import (
    MailSite,
    already_subscribed_message,
    confirmation_message,
)
from dailypapers.services.clock import Clock
from dailypapers.services.rate_limiting import RateGuard
from dailypapers.services.tokens import hash_token, new_token
from dailypapers.storage.deliveries import DeliveryStore
from dailypapers.storage.rate_limits import RateLimitStore
from dailypapers.storage.subscriptions import SubscriptionStore

EXPIRED = "This link has expired or was already used. Subscribe again to get a new one."


class SubscriptionService:
    def __init__(
        self,
        settings: DigestSettings,
        store: SubscriptionStore,
        deliveries: DeliveryStore,
        mailer: Mailer,
        clock: Clock,
        site: MailSite,
        *,
        max_query_length: int,
        rate_limits: RateLimitStore | None = None,
        mail_sends_per_ip_per_hour: int = 0,
    ) -> None:
        self.settings = settings
        self.store = store
        self.deliveries = deliveries
        self.mailer = mailer
        self.clock = clock
        self.guard = RateGuard(rate_limits, clock) if rate_limits is not None else None
        self.site = site
        self.max_query_length = max_query_length
        self.mail_sends_per_ip_per_hour = mail_sends_per_ip_per_hour

    def check(self, prefs: DigestPrefs) -> None:
        prefs.check(
            max_queries=self.settings.subscription_max_queries,
            max_categories=self.settings.subscription_max_categories,
            max_query_length=self.max_query_length,
        )

    def subscribe(self, email: str, prefs: DigestPrefs, *, client: str = "") -> None:
        """Record the request and mail the confirmation (or, if already subscribed, a link
        to manage it). Raises BadRequest for bad input, SourceError if the mail failed,
        RateLimited past `mail_sends_per_ip_per_hour` for `client`."""
        address = normalise_email(email)
        self.check(prefs)
        if self.guard is not None and client:
            limit = self.mail_sends_per_ip_per_hour
            self.guard.take("mail", [(f"ip:{client}", limit)], what="emails")
        now = self.clock()
        token = new_token()
        hours = self.settings.subscription_confirm_hours
        outcome = self.store.subscribe(
            address,
            prefs,
            now=now,
            token_hash=hash_token(token),
            confirm_expires_at=now + timedelta(hours=hours),
            resend_interval_s=self.settings.subscription_resend_interval_s,
        )
        if not outcome.send_mail:
            return
        if outcome.previous_status == "active":
            message = already_subscribed_message(
                self.site,
                email=address,
                manage_url=self.site.url(f"/subscriptions/{token}"),
                date=now,
            )
        else:
            message = confirmation_message(
                self.site,
                email=address,
                prefs=prefs,
                confirm_url=self.site.url(f"/subscribe/confirm/{token}"),
                expires_hours=hours,
                date=now,
            )
        try:
            self.mailer.send(message)
        except MailError as exc:
            self.store.mail_failed(outcome.subscription.id)
            raise SourceError(
                "We could not send the confirmation mail just now. Please try again in a few "
                "minutes.",
                detail=str(exc),
            ) from exc

    def _resolve(self, token: str, purposes: Sequence[TokenPurpose]) -> Subscription:
        if not token or len(token) > 200:
            raise NotFound(EXPIRED)
        found = self.store.resolve_token(hash_token(token), purposes, self.clock())
        if found is None:
            raise NotFound(EXPIRED)
        return found[0]

    def pending(self, token: str) -> Subscription:
        """The subscription a confirmation link is for (the page shows its button)."""
        return self._resolve(token, ("confirm",))

    def confirm(self, token: str) -> str:
        """Activate the subscription; returns a new manage token for the next page."""
        subscription = self._resolve(token, ("confirm",))
        now = self.clock()
        self.store.confirm(subscription.id, now=now)
        manage = new_token()
        self.store.add_token(subscription.id, hash_token(manage), "manage", now=now)
        return manage

    def manage(self, token: str) -> Subscription:
        return self._resolve(token, ("manage",))

    def recent_deliveries(self, subscription: Subscription) -> list[dict]:
        return self.deliveries.for_subscription(subscription.id)

    def update(self, token: str, prefs: DigestPrefs) -> Subscription:
        subscription = self._resolve(token, ("manage",))
        self.check(prefs)
        self.store.update_prefs(subscription.id, prefs, now=self.clock())
        return self._resolve(token, ("manage",))

    def for_unsubscribe(self, token: str) -> Subscription:
        return self._resolve(token, ("unsubscribe", "manage"))

    def unsubscribe(self, token: str) -> Subscription:
        """Idempotent: a second click (or a mail provider's retry) answers the same."""
        subscription = self._resolve(token, ("unsubscribe", "manage"))
        self.store.unsubscribe(subscription.id, now=self.clock())
        return subscription
