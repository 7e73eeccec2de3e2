"""The one place that knows SQL for what authenticates a request: sessions and API tokens.

Rows hold SHA-256 digests of the secrets; lookups join the user and ignore disabled users, so
disabling someone locks them out on their next request.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from dailypapers.domain.community import ApiToken, Session, User
from dailypapers.storage.community_tables import api_tokens, sessions, users
from dailypapers.storage.database import Database
from dailypapers.storage.tables import as_utc
from dailypapers.storage.users import USER_COLUMNS, user_from_row


class SessionStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    # --- browser sessions ----------------------------------------------------------------
    def create(
        self,
        id_hash: str,
        csrf_token: str,
        *,
        user_id: int | None,
        now: datetime,
        expires_at: datetime,
        replaces: str | None = None,
    ) -> None:
        """Start a session; `replaces` (the pre-login session) ends in the same transaction."""
        with self.db.write() as conn:
            conn.execute(sessions.delete().where(sessions.c.expires_at <= now))
            if replaces is not None:
                conn.execute(sessions.delete().where(sessions.c.id_hash == replaces))
            conn.execute(
                sessions.insert().values(
                    id_hash=id_hash,
                    user_id=user_id,
                    csrf_token=csrf_token,
                    created_at=now,
                    expires_at=expires_at,
                )
            )

    def get(self, id_hash: str, *, now: datetime) -> Session | None:
        """A live session (with its user, unless anonymous); None if unknown, expired, or its
        user is disabled."""
        query = (
            sa.select(
                sessions.c.id_hash,
                sessions.c.csrf_token,
                sessions.c.expires_at,
                sessions.c.user_id,
                *[c.label(f"u_{c.name}") for c in USER_COLUMNS],
            )
            .select_from(sessions.outerjoin(users, users.c.id == sessions.c.user_id))
            .where(sessions.c.id_hash == id_hash, sessions.c.expires_at > now)
        )
        with self.db.read() as conn:
            row = conn.execute(query).first()
        if row is None:
            return None
        m = row._mapping
        user = None
        if m["user_id"] is not None:
            user = user_from_row(_Prefixed(m))
            if user.disabled:
                return None
        return Session(
            id_hash=m["id_hash"],
            csrf_token=m["csrf_token"],
            expires_at=as_utc(m["expires_at"]),  # type: ignore[arg-type]
            user=user,
        )

    def delete(self, id_hash: str) -> None:
        with self.db.write() as conn:
            conn.execute(sessions.delete().where(sessions.c.id_hash == id_hash))

    # --- API tokens ----------------------------------------------------------------------
    def add_token(
        self, user_id: int, name: str, token_hash: str, prefix: str, *, now: datetime
    ) -> ApiToken:
        with self.db.write() as conn:
            new_id = conn.execute(
                api_tokens.insert()
                .values(
                    user_id=user_id,
                    name=name,
                    token_hash=token_hash,
                    prefix=prefix,
                    created_at=now,
                )
                .returning(api_tokens.c.id)
            ).scalar_one()
        return ApiToken(new_id, user_id, name, prefix, now)

    def tokens_of(self, user_id: int) -> list[ApiToken]:
        query = (
            sa.select(api_tokens)
            .where(api_tokens.c.user_id == user_id)
            .order_by(api_tokens.c.id.desc())
        )
        with self.db.read() as conn:
            return [
                ApiToken(
                    r.id,
                    r.user_id,
                    r.name,
                    r.prefix,
                    as_utc(r.created_at),  # type: ignore[arg-type]
                    as_utc(r.last_used_at),
                )
                for r in conn.execute(query)
            ]

    def delete_token(self, user_id: int, token_id: int) -> bool:
        with self.db.write() as conn:
            return bool(
                conn.execute(
                    api_tokens.delete().where(
                        api_tokens.c.id == token_id, api_tokens.c.user_id == user_id
                    )
                ).rowcount
            )

    def user_for_token(self, token_hash: str) -> tuple[User, int, datetime | None] | None:
        """(user, token id, last used) for a token of an enabled user."""
        query = (
            sa.select(*USER_COLUMNS, api_tokens.c.id.label("token_id"), api_tokens.c.last_used_at)
            .select_from(api_tokens.join(users, users.c.id == api_tokens.c.user_id))
            .where(api_tokens.c.token_hash == token_hash, users.c.disabled_at.is_(None))
        )
        with self.db.read() as conn:
            row = conn.execute(query).first()
        if row is None:
            return None
        return user_from_row(row), row.token_id, as_utc(row.last_used_at)

    def touch_token(self, token_id: int, *, now: datetime) -> None:
        with self.db.write() as conn:
            conn.execute(
                api_tokens.update().where(api_tokens.c.id == token_id).values(last_used_at=now)
            )


class _Prefixed:
    """Reads the `u_`-labelled user columns of a joined row as if they were a users row."""

    def __init__(self, mapping) -> None:
        self._mapping = {c.name: mapping[f"u_{c.name}"] for c in USER_COLUMNS}
