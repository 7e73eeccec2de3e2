"""The one settings object, read from the environment, and its sections by feature.

Every limit and knob of the service is a field of one section (config/<feature>.py): storage,
site, web, ingest, jobs, search, recommendations, community, digests. `Settings` composes them
and reads every field from the environment (`DAILYPAPERS_<NAME>`, the same flat names as
always) or a `.env` file; docs/settings.md documents each one, by section, and a test fails
if a field is missing there. Nothing else reads environment variables.

Only the composition (services/bootstrap.py, app.py, the CLI) holds the whole `Settings`. A
component receives its section, `settings.search`, or the few values it needs, so its
constructor says what it reads; the domain reads none.
"""

from __future__ import annotations

from typing import TypeVar

from pydantic_settings import BaseSettings, SettingsConfigDict

from dailypapers.config.community import CommunitySettings
from dailypapers.config.digests import DigestSettings
from dailypapers.config.ingest import IngestSettings
from dailypapers.config.jobs import JobSettings
from dailypapers.config.recommendations import RecommendationSettings
from dailypapers.config.search import SearchSettings
from dailypapers.config.section import Section
from dailypapers.config.site import SiteSettings
from dailypapers.config.storage import StorageSettings
from dailypapers.config.web import WebSettings

_S = TypeVar("_S", bound=Section)

# The sections in the order docs/settings.md and `dailypapers settings` list them.
SECTIONS: dict[str, type[Section]] = {
    "storage": StorageSettings,
    "site": SiteSettings,
    "web": WebSettings,
    "ingest": IngestSettings,
    "jobs": JobSettings,
    "search": SearchSettings,
    "recommendations": RecommendationSettings,
    "community": CommunitySettings,
    "digests": DigestSettings,
}


class Settings(  # pydantic collects the fields of the last base first: SECTIONS reversed
    BaseSettings,
    DigestSettings,
    CommunitySettings,
    RecommendationSettings,
    SearchSettings,
    JobSettings,
    IngestSettings,
    WebSettings,
    SiteSettings,
    StorageSettings,
):
    model_config = SettingsConfigDict(
        env_prefix="DAILYPAPERS_", env_file=".env", extra="ignore", frozen=True
    )

    def _section(self, kind: type[_S]) -> _S:
        # Values were validated when Settings was read: build the section without again.
        # (A property, not cached: `model_copy(update=...)` must not carry stale sections.)
        return kind.model_construct(**{name: getattr(self, name) for name in kind.model_fields})

    @property
    def storage(self) -> StorageSettings:
        return self._section(StorageSettings)

    @property
    def site(self) -> SiteSettings:
        return self._section(SiteSettings)

    @property
    def web(self) -> WebSettings:
        return self._section(WebSettings)

    @property
    def ingest(self) -> IngestSettings:
        return self._section(IngestSettings)

    @property
    def jobs(self) -> JobSettings:
        return self._section(JobSettings)

    @property
    def search(self) -> SearchSettings:
        return self._section(SearchSettings)

    @property
    def recommendations(self) -> RecommendationSettings:
        return self._section(RecommendationSettings)

    @property
    def community(self) -> CommunitySettings:
        return self._section(CommunitySettings)

    @property
    def digests(self) -> DigestSettings:
        return self._section(DigestSettings)


__all__ = [
    "SECTIONS",
    "CommunitySettings",
    "DigestSettings",
    "IngestSettings",
    "JobSettings",
    "RecommendationSettings",
    "SearchSettings",
    "Section",
    "Settings",
    "SiteSettings",
    "StorageSettings",
    "WebSettings",
]
