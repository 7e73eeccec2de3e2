"""Typed OpenAPI schemas of the Hugging Face-shaped answers (documentation, not a filter).

The routes return the dicts `hf_shape` builds; these models only describe them in
`/openapi.json` (as `responses={200: {"model": ...}}`), so a client generator or a validator
sees real types instead of `{}`. They allow extra keys (`extra="allow"`): HF adds fields
over time and an import keeps whatever HF sent, so a stricter schema would turn HF's next
field into a validation failure. tests/clients checks live answers against these schemas.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class HfUser(_Open):
    """A Hugging Face user (a submitter, or an author who claimed the paper)."""

    id: str | None = Field(None, alias="_id", description="HF's user id.")
    user: str | None = Field(None, description="Username (in `paper.submittedOnDailyBy`).")
    name: str | None = Field(None, description="Username (in `submittedBy`).")
    fullname: str | None = Field(None, description="Display name.")
    avatarUrl: str | None = None
    type: str | None = Field(None, description="`user`.")
    isPro: bool | None = None
    isHf: bool | None = None
    isHfAdmin: bool | None = None
    isMod: bool | None = None
    followerCount: int | None = None
    isUserFollowing: bool | None = None


class HfAuthor(_Open):
    id: str | None = Field(None, alias="_id")
    name: str
    hidden: bool | None = None
    status: str | None = Field(None, description="Claim status, e.g. `claimed_verified`.")
    statusLastChangedAt: str | None = None
    user: HfUser | None = Field(None, description="The HF user who claimed this authorship.")


class HfOrganization(_Open):
    id: str | None = Field(None, alias="_id")
    name: str | None = None
    fullname: str | None = None
    avatar: str | None = None


class HfPaper(_Open):
    """HF's `paper` object; also the body of `GET /api/papers/{id}`."""

    id: str = Field(description="arXiv id without version.")
    authors: list[HfAuthor]
    mediaUrls: list[str] | None = None
    publishedAt: str | None = Field(None, description="arXiv publication time (ISO 8601).")
    submittedOnDailyAt: str | None = Field(None, description="When it was featured.")
    title: str
    submittedOnDailyBy: HfUser | None = None
    summary: str = Field(description="The abstract.")
    upvotes: int
    discussionId: str = Field(description="HF's discussion id, else the arXiv id.")
    projectPage: str | None = None
    githubRepo: str | None = None
    githubRepoAddedBy: str | None = None
    ai_summary: str | None = None
    ai_keywords: list[str] | None = None
    ai_summary_model: str | None = None
    githubStars: int | None = None
    organization: HfOrganization | None = None


class HfDailyItem(_Open):
    """One element of `GET /api/daily_papers`."""

    paper: HfPaper
    publishedAt: str
    title: str
    summary: str | None = None
    mediaUrl: str | None = Field(None, description="The thumbnail, in HF's 2024 responses.")
    mediaUrls: list[str] | None = None
    thumbnail: str | None = None
    numComments: int
    submittedBy: HfUser | None
    organization: HfOrganization | None = None
    isAuthorParticipating: bool


class HfSearchItem(_Open):
    """One element of `GET /api/papers/search`."""

    paper: HfPaper
    publishedAt: str | None = None
    title: str
    summary: str
    thumbnail: str | None = None
    numComments: int
    organization: HfOrganization | None = None
    isAuthorParticipating: bool


class HfError(BaseModel):
    """An error on a Hugging Face route, in HF's shape (`code` is ours)."""

    error: str = Field(description="What went wrong, for a person.")
    code: str = Field(description="A stable machine-readable code, e.g. `not_found`.")


def hf_errors(*statuses: int) -> dict[int | str, dict]:
    """`responses=` entries for HF routes' errors, each documented with `HfError`."""
    described = {
        400: "A malformed parameter.",
        404: "No such paper here.",
        422: "A parameter of the wrong type.",
    }
    return {s: {"model": HfError, "description": described.get(s, "Error.")} for s in statuses}
