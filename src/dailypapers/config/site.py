"""What every page, API answer, feed and mail of the site shares: its name and address, paging
limits, the trending window.
"""

from __future__ import annotations

from pydantic import Field

from dailypapers.config.section import Section


class SiteSettings(Section):
    base_url: str = Field(
        "http://127.0.0.1:8000",
        description="Public URL of the site, used in absolute links (feeds, emails).",
    )
    site_name: str = Field("Daily Papers", description="Name shown in page titles and feeds.")
    page_size: int = Field(50, ge=1, description="Papers per page when `limit` is not given.")
    max_page_size: int = Field(100, ge=1, description="Largest `limit` a request may ask for.")
    max_page_number: int = Field(
        1000, ge=1, description="Largest page number (`p`) a request may ask for."
    )
    max_query_length: int = Field(250, ge=1, description="Longest search query, in characters.")
    trending_gravity: float = Field(
        1.8, gt=0, description="Exponent of the age penalty in the trending score."
    )
    trending_window_days: int = Field(
        7, ge=1, description="Only papers featured within this many days can trend."
    )
