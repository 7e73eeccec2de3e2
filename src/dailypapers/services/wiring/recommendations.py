"""The recommendations feature: For you, 👍/👎, followed authors and categories."""

from __future__ import annotations

from dailypapers.config import RecommendationSettings, SiteSettings
from dailypapers.services.clock import Clock
from dailypapers.services.listings import ListingService
from dailypapers.services.recommendations import RecommendationService
from dailypapers.services.wiring.search import SearchFeature
from dailypapers.services.wiring.storage import Storage
from dailypapers.storage.recommendations import RecommendationStore


def build_recommendations(
    settings: RecommendationSettings,
    site: SiteSettings,
    storage: Storage,
    clock: Clock,
    *,
    search: SearchFeature,
    listings: ListingService,
) -> RecommendationService:
    return RecommendationService(
        settings,
        site,
        RecommendationStore(storage.db),
        storage.papers,
        search.vectors,
        search.model,
        listings,
        clock,
        storage.keyphrases,
    )
