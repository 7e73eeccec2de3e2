"""Discussion under a paper: Markdown comments, one level of replies, edit and delete your own.

A reply to a reply joins the thread of the top-level comment, so threads stay one level deep.
Bodies are stored as typed and rendered (Markdown subset, then sanitised) when shown.
"""

from __future__ import annotations

from dailypapers.config import CommunitySettings
from dailypapers.domain.arxiv_ids import parse_arxiv_id
from dailypapers.domain.community import (
    Comment,
    CommentThread,
    User,
    check_text,
    is_row_id,
    require_contributor,
    require_owner,
    thread_comments,
)
from dailypapers.errors import BadRequest, NotFound
from dailypapers.services.clock import Clock
from dailypapers.storage.comments import CommentStore
from dailypapers.storage.papers import PaperStore


class CommentService:
    def __init__(
        self,
        settings: CommunitySettings,
        papers: PaperStore,
        comments: CommentStore,
        clock: Clock,
    ) -> None:
        self.settings = settings
        self.papers = papers
        self.comments = comments
        self.clock = clock

    def _body(self, body: object) -> str:
        return check_text(body, "the comment", max_chars=self.settings.max_comment_chars)

    def _contributor(self, user: User | None) -> User:
        return require_contributor(
            user, verified_email_required=self.settings.require_verified_email
        )

    def _visible(self, comment_id: int) -> Comment:
        comment = self.comments.get(comment_id) if is_row_id(comment_id) else None
        if comment is None or not comment.visible or self.papers.get(comment.arxiv_id) is None:
            raise NotFound(f"there is no comment {comment_id}")
        return comment

    def add(
        self, user: User | None, arxiv_id: str, body: str, *, parent_id: int | None = None
    ) -> Comment:
        user = self._contributor(user)
        base = parse_arxiv_id(arxiv_id).base
        if self.papers.get(base) is None:
            raise NotFound(f"paper {base} is not in this database")
        text = self._body(body)
        if parent_id is not None:
            parent = self._visible(parent_id)
            if parent.arxiv_id != base:
                raise BadRequest("a reply must be to a comment on the same paper")
            parent_id = parent.parent_id or parent.id
        return self.comments.add(base, user.id, text, parent_id=parent_id, now=self.clock())

    def edit(self, user: User | None, comment_id: int, body: str) -> Comment:
        user = self._contributor(user)
        comment = self._visible(comment_id)
        require_owner(user, comment.user_id, "comment")
        self.comments.edit(comment.id, self._body(body), now=self.clock())
        return self._visible(comment.id)

    def delete(self, user: User | None, comment_id: int) -> Comment:
        user = self._contributor(user)
        comment = self._visible(comment_id)
        require_owner(user, comment.user_id, "comment")
        self.comments.delete(comment.id, now=self.clock())
        return comment

    def get(self, comment_id: int) -> Comment:
        return self._visible(comment_id)

    def threads(self, arxiv_id: str) -> list[CommentThread]:
        return thread_comments(self.comments.for_paper(parse_arxiv_id(arxiv_id).base))
