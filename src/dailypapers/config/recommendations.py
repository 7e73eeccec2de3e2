"""For you: the reader's model, its window, boosts and reasons; author pages."""

from __future__ import annotations

from pydantic import Field

from dailypapers.config.section import Section


class RecommendationSettings(Section):
    recs_window_days: int = Field(
        7,
        ge=1,
        le=366,
        description="For-you ranks papers featured within this many days of the newest day "
        "with papers (today on a live site).",
    )
    recs_page_size: int = Field(
        30, ge=1, le=200, description="Recommendations on the For-you page and in the API."
    )
    recs_history_limit: int = Field(
        500,
        ge=1,
        description="Most recent papers per source (upvotes, collections, submissions, 👍) "
        "the model learns from.",
    )
    recs_background_limit: int = Field(
        2000,
        ge=10,
        description="Ordinary papers the model contrasts the history with (a fixed sample "
        "of the window beyond this).",
    )
    recs_author_boost: float = Field(
        1.0, ge=0, description="Score added to a paper by an author the reader follows."
    )
    recs_category_boost: float = Field(
        0.75,
        ge=0,
        description="Score added to a paper in an arXiv category the reader follows (less "
        "than an author's: a category holds many papers). The model's scores of a window "
        "spread over about 1.5 (a standard deviation of about 0.25), so 0.75 lifts a "
        "category's better papers to the top without burying everything else.",
    )
    recs_reason_floor: float = Field(
        0.3,
        ge=-1,
        le=1,
        description="A history paper is named as a reason only this similar (cosine) or more.",
    )
    author_page_size: int = Field(
        100, ge=1, le=1000, description="Papers listed on an author's page."
    )
