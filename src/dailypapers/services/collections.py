"""Collections: named reading lists, public or private.

A private collection is only its owner's business: to anyone else (admins included) it does
not exist, so they get 404, never 403, and can't even learn its id is taken.
"""

from __future__ import annotations

from dataclasses import dataclass

from dailypapers.config import CommunitySettings
from dailypapers.domain.arxiv_ids import parse_arxiv_id
from dailypapers.domain.community import (
    Collection,
    User,
    check_text,
    is_row_id,
    require_contributor,
)
from dailypapers.domain.papers import Paper
from dailypapers.errors import Forbidden, NotFound
from dailypapers.services.clock import Clock
from dailypapers.storage.collections import CollectionStore
from dailypapers.storage.papers import PaperStore


@dataclass(frozen=True, slots=True)
class CollectionView:
    collection: Collection
    papers: list[Paper]
    mine: bool


class CollectionService:
    def __init__(
        self,
        settings: CommunitySettings,
        papers: PaperStore,
        collections: CollectionStore,
        clock: Clock,
    ) -> None:
        self.settings = settings
        self.papers = papers
        self.collections = collections
        self.clock = clock

    def _fields(self, name: object, description: object) -> tuple[str, str]:
        return (
            check_text(name, "the name", max_chars=self.settings.max_collection_name_chars),
            check_text(
                description,
                "the description",
                max_chars=self.settings.max_collection_description_chars,
                required=False,
            ),
        )

    def _contributor(self, user: User | None) -> User:
        return require_contributor(
            user, verified_email_required=self.settings.require_verified_email
        )

    def _visible(self, viewer: User | None, collection_id: int) -> Collection:
        collection = self.collections.get(collection_id) if is_row_id(collection_id) else None
        if collection is None or not (
            collection.is_public or (viewer is not None and viewer.id == collection.user_id)
        ):
            raise NotFound(f"there is no collection {collection_id}")
        return collection

    def _own(self, user: User | None, collection_id: int) -> tuple[User, Collection]:
        """A collection the user may change: their own. Anyone else's is 404 (private) or
        403 (public)."""
        user = self._contributor(user)
        collection = self._visible(user, collection_id)
        if collection.user_id != user.id:
            raise Forbidden("only its owner may change a collection")
        return user, collection

    def create(
        self, user: User | None, name: str, description: str = "", *, public: bool = False
    ) -> Collection:
        user = self._contributor(user)
        name, description = self._fields(name, description)
        return self.collections.create(user.id, name, description, public, now=self.clock())

    def update(
        self, user: User | None, collection_id: int, name: str, description: str, public: bool
    ) -> Collection:
        _, collection = self._own(user, collection_id)
        name, description = self._fields(name, description)
        self.collections.update(
            collection.id, name=name, description=description, is_public=public, now=self.clock()
        )
        return self._visible(user, collection.id)

    def delete(self, user: User | None, collection_id: int) -> Collection:
        _, collection = self._own(user, collection_id)
        self.collections.delete(collection.id)
        return collection

    def add_paper(self, user: User | None, collection_id: int, arxiv_id: str) -> Collection:
        _, collection = self._own(user, collection_id)
        base = parse_arxiv_id(arxiv_id).base
        if self.papers.get(base) is None:
            raise NotFound(f"paper {base} is not in this database")
        self.collections.add_paper(collection.id, base, now=self.clock())
        return collection

    def remove_paper(self, user: User | None, collection_id: int, arxiv_id: str) -> Collection:
        _, collection = self._own(user, collection_id)
        base = parse_arxiv_id(arxiv_id).base
        self.collections.remove_paper(collection.id, base, now=self.clock())
        return collection

    def view(self, viewer: User | None, collection_id: int) -> CollectionView:
        collection = self._visible(viewer, collection_id)
        mine = viewer is not None and viewer.id == collection.user_id
        return CollectionView(collection, self.collections.papers_in(collection.id), mine)

    def of_user(self, owner: User, viewer: User | None) -> list[Collection]:
        """The owner sees all their collections, everyone else only the public ones."""
        mine = viewer is not None and viewer.id == owner.id
        return self.collections.of_user(owner.id, public_only=not mine)

    def for_paper(self, viewer: User | None, arxiv_id: str) -> list[tuple[Collection, bool]]:
        """The viewer's collections, each with whether it holds this paper (the paper page's
        add/remove list)."""
        if viewer is None:
            return []
        holding = self.collections.containing(viewer.id, arxiv_id)
        return [
            (c, c.id in holding) for c in self.collections.of_user(viewer.id, public_only=False)
        ]
