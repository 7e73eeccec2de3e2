"""The 👍/👎 links of digest mails: one click from the mail, no login, nothing forgeable.

Each "For you" paper in a digest carries two links (services/digests.py makes them):
`/digest/feedback/up/<token>?paper=<id>` and `.../down/...`. The token is the one token
helper's (`services.tokens.new_token`: 256 random bits); the database keeps its SHA-256 with
the user, paper and verdict it stands for (storage/feedback_links.py), so a link can't be
guessed, and it can't be turned into another one: the verdict and the paper in its URL
must be the ones stored with its token (a 👍 token at the 👎 address is refused), and it
acts for the account it was mailed to only (a visitor logged in as someone else is refused
rather than have their click recorded on another's profile).

Mail scanners open links: a GET only shows the paper and a button; the POST records. A link
works once (`redeem` is one conditional UPDATE with the verdict's upsert): a replay, a double
click or a retrying client answers "already recorded" and changes nothing. Links expire
after `digest_feedback_link_days` (wall clock: they are real-time promises, like leases).
The pages are CSRF-exempt as the subscription pages are (app.py, `CSRF_EXEMPT_PATHS`): the
secret in the URL authorises them, not a cookie.
"""

from __future__ import annotations

from dailypapers.domain.arxiv_ids import parse_arxiv_id
from dailypapers.domain.community import User
from dailypapers.domain.digests import FeedbackLinkState
from dailypapers.errors import Forbidden, InvalidArxivId, NotFound
from dailypapers.services.clock import Clock, utc_now
from dailypapers.services.tokens import hash_token
from dailypapers.storage.feedback_links import FeedbackLinkStore, StoredLink
from dailypapers.storage.papers import PaperStore

VERDICTS = {"up": 1, "down": -1}
INVALID = (
    "This 👍/👎 link is not valid: it was changed on the way, or belongs to another paper or "
    "button. Open For you on the site to tell us what you think instead."
)
EXPIRED = "This 👍/👎 link has expired. Open For you on the site to tell us what you think instead."
OTHER_ACCOUNT = (
    "This link was mailed to another account, so it can't be used while you are logged in "
    "as yourself. Use the links in your own digest, or log out first."
)
MAX_TOKEN = 200


class FeedbackLinkService:
    def __init__(
        self, store: FeedbackLinkStore, papers: PaperStore, wall_clock: Clock = utc_now
    ) -> None:
        self.store = store
        self.papers = papers
        self.wall_clock = wall_clock

    def _link(self, token: str, verdict: str, paper: str, viewer: User | None) -> StoredLink:
        if not token or len(token) > MAX_TOKEN or verdict not in VERDICTS:
            raise NotFound(INVALID)
        try:
            base = parse_arxiv_id(paper).base
        except InvalidArxivId:
            raise NotFound(INVALID) from None
        link = self.store.get(hash_token(token))
        if link is None or link.verdict != VERDICTS[verdict] or link.arxiv_id != base:
            raise NotFound(INVALID)
        if viewer is not None and viewer.id != link.user_id:
            raise Forbidden(OTHER_ACCOUNT)
        if link.used_at is None and link.expires_at <= self.wall_clock():
            raise NotFound(EXPIRED)
        return link

    def _state(self, link: StoredLink, status: str) -> FeedbackLinkState:
        found = self.papers.get(link.arxiv_id)
        if found is None:
            raise NotFound("That paper is no longer on this site.")
        return FeedbackLinkState(found, link.verdict, status)  # type: ignore[arg-type]

    def show(self, token: str, verdict: str, paper: str, viewer: User | None) -> FeedbackLinkState:
        """What the link's page shows (a GET: nothing changes)."""
        link = self._link(token, verdict, paper, viewer)
        return self._state(link, "ready" if link.used_at is None else "already_recorded")

    def use(self, token: str, verdict: str, paper: str, viewer: User | None) -> FeedbackLinkState:
        """Record the link's verdict, once; a used link answers "already_recorded"."""
        link = self._link(token, verdict, paper, viewer)
        result = self.store.redeem(hash_token(token), now=self.wall_clock())
        if result == "invalid":
            raise NotFound(EXPIRED)
        return self._state(link, "recorded" if result == "recorded" else "already_recorded")
