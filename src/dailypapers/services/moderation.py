"""The admin's moderation switches: hide or show a paper or a comment, disable a user."""

from __future__ import annotations

from dailypapers.domain.arxiv_ids import parse_arxiv_id
from dailypapers.domain.community import User, is_row_id
from dailypapers.errors import Forbidden, NotFound
from dailypapers.services.accounts import AccountService
from dailypapers.storage.comments import CommentStore
from dailypapers.storage.papers import PaperStore


class ModerationService:
    """What an admin may do: hide or show a paper or a comment, disable or enable a user."""

    def __init__(
        self, papers: PaperStore, comments: CommentStore, accounts: AccountService
    ) -> None:
        self.papers = papers
        self.comments = comments
        self.accounts = accounts

    @staticmethod
    def _admin(user: User | None) -> User:
        if user is None or not user.is_admin or user.disabled:
            raise Forbidden("only an admin may do this")
        return user

    def hide_paper(self, admin: User | None, arxiv_id: str, hidden: bool = True) -> str:
        self._admin(admin)
        base = parse_arxiv_id(arxiv_id).base
        if not self.papers.set_hidden(base, hidden):
            raise NotFound(f"paper {base} is not in this database")
        return base

    def hide_comment(self, admin: User | None, comment_id: int, hidden: bool = True) -> None:
        self._admin(admin)
        if not is_row_id(comment_id) or not self.comments.set_hidden(comment_id, hidden):
            raise NotFound(f"there is no comment {comment_id}")

    def disable_user(self, admin: User | None, username: str, disabled: bool = True) -> User:
        me = self._admin(admin)
        target = self.accounts.user(username)
        if target.id == me.id:
            raise Forbidden("you can't disable your own account")
        return self.accounts.set_disabled(username, disabled)
