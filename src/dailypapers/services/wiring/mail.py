"""The mail feature, and what is sent by mail or read as a feed: the mailer, digest
subscriptions (double opt-in), digests (each due one exactly once), the digest's 👍/👎 links
and the Atom feeds."""

from __future__ import annotations

from dataclasses import dataclass

from dailypapers.config import CommunitySettings, DigestSettings, SiteSettings
from dailypapers.mail.mailer import Mailer
from dailypapers.mail.messages import MailSite
from dailypapers.services.clock import Clock
from dailypapers.services.digest_for_you import DigestForYou
from dailypapers.services.digests import DigestService
from dailypapers.services.feedback_links import FeedbackLinkService
from dailypapers.services.listings import ListingService
from dailypapers.services.recommendations import RecommendationService
from dailypapers.services.saved_searches import HybridDigestSearch
from dailypapers.services.search import SearchService
from dailypapers.services.subscriptions import SubscriptionService
from dailypapers.services.syndication import SyndicationService
from dailypapers.services.wiring.storage import Storage
from dailypapers.storage.deliveries import DeliveryStore
from dailypapers.storage.feedback_links import FeedbackLinkStore
from dailypapers.storage.subscriptions import SubscriptionStore


@dataclass(frozen=True)
class Mail:
    subscriptions: SubscriptionService  # subscribe (double opt-in), manage, unsubscribe
    digests: DigestService  # send_due(now): every due digest, exactly once
    syndication: SyndicationService  # Atom feeds
    feedback_links: FeedbackLinkService  # the 👍/👎 links in digest mails


def build_mail(
    settings: DigestSettings,
    site: SiteSettings,
    storage: Storage,
    clock: Clock,
    *,
    mailer: Mailer,
    mail_site: MailSite,
    community: CommunitySettings,
    search: SearchService,
    listings: ListingService,
    recommendations: RecommendationService,
) -> Mail:
    """`community` gives the per-address mail limit that subscriptions share with accounts."""
    db, papers = storage.db, storage.papers
    subscription_store, deliveries = SubscriptionStore(db), DeliveryStore(db)
    # Saved searches (digests) and search feeds run through the hybrid search.
    saved_search = HybridDigestSearch(search)
    return Mail(
        subscriptions=SubscriptionService(
            settings,
            subscription_store,
            deliveries,
            mailer,
            clock,
            mail_site,
            max_query_length=site.max_query_length,
            rate_limits=storage.rate_limits,
            mail_sends_per_ip_per_hour=community.mail_sends_per_ip_per_hour,
        ),
        digests=DigestService(
            settings,
            site,
            mail_site,
            papers,
            deliveries,
            subscription_store,
            saved_search,
            storage.categories,
            mailer,
            clock,
            for_you=DigestForYou(storage.users, recommendations),
        ),
        syndication=SyndicationService(
            settings, site, papers, listings, saved_search, storage.categories, clock
        ),
        feedback_links=FeedbackLinkService(FeedbackLinkStore(db), papers),
    )
