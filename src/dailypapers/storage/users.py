"""The one place that knows SQL for users and the single-use tokens emailed to them.

Emailed tokens are consumed by one conditional UPDATE (`used_at IS NULL AND expires_at > now`),
so two clicks racing on the same link can't both succeed.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row
from sqlalchemy.exc import IntegrityError

from dailypapers.domain.community import User, email_key, username_key
from dailypapers.errors import Conflict
from dailypapers.storage.community_tables import email_tokens, sessions, users
from dailypapers.storage.database import Database
from dailypapers.storage.tables import as_utc

USER_COLUMNS = (
    users.c.id,
    users.c.username,
    users.c.email,
    users.c.email_verified_at,
    users.c.is_admin,
    users.c.disabled_at,
    users.c.upvotes_public,
    users.c.created_at,
)


def user_from_row(row: Row) -> User:
    m = row._mapping
    return User(
        id=m["id"],
        username=m["username"],
        email=m["email"],
        email_verified=m["email_verified_at"] is not None,
        is_admin=bool(m["is_admin"]),
        disabled=m["disabled_at"] is not None,
        upvotes_public=bool(m["upvotes_public"]),
        created_at=as_utc(m["created_at"]),
    )


class UserStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    # --- users ---------------------------------------------------------------------------
    def create(
        self,
        username: str,
        email: str,
        password_hash: str,
        *,
        now: datetime,
        is_admin: bool = False,
        email_verified: bool = False,
    ) -> User:
        values = {
            "username": username,
            "username_key": username_key(username),
            "email": email,
            "email_key": email_key(email),
            "password_hash": password_hash,
            "is_admin": is_admin,
            "email_verified_at": now if email_verified else None,
            "created_at": now,
        }
        try:
            with self.db.write() as conn:
                self._check_free(conn, username, email)
                new_id = conn.execute(users.insert().returning(users.c.id), values).scalar_one()
        except IntegrityError:  # a concurrent sign-up took the name or address first
            raise Conflict("that username or email address is already registered") from None
        user = self.get(new_id)
        assert user is not None
        return user

    def _check_free(self, conn: Connection, username: str, email: str) -> None:
        taken = conn.execute(
            sa.select(users.c.username_key, users.c.email_key).where(
                sa.or_(
                    users.c.username_key == username_key(username),
                    users.c.email_key == email_key(email),
                )
            )
        ).first()
        if taken is None:
            return
        if taken.username_key == username_key(username):
            raise Conflict(f"the username {username!r} is taken")
        raise Conflict("that email address is already registered")

    def get(self, user_id: int) -> User | None:
        with self.db.read() as conn:
            row = conn.execute(sa.select(*USER_COLUMNS).where(users.c.id == user_id)).first()
        return user_from_row(row) if row else None

    def by_username(self, username: str) -> User | None:
        query = sa.select(*USER_COLUMNS).where(users.c.username_key == username_key(username))
        with self.db.read() as conn:
            row = conn.execute(query).first()
        return user_from_row(row) if row else None

    def by_email(self, email: str) -> User | None:
        query = sa.select(*USER_COLUMNS).where(users.c.email_key == email_key(email))
        with self.db.read() as conn:
            row = conn.execute(query).first()
        return user_from_row(row) if row else None

    def credentials(self, login: str) -> tuple[User, str] | None:
        """The user a login name (username or email address) names, and its password hash."""
        key = login.strip().lower()
        column = users.c.email_key if "@" in key else users.c.username_key
        query = sa.select(*USER_COLUMNS, users.c.password_hash).where(column == key)
        with self.db.read() as conn:
            row = conn.execute(query).first()
        return (user_from_row(row), row.password_hash) if row else None

    def password_hash(self, user_id: int) -> str | None:
        with self.db.read() as conn:
            return conn.execute(
                sa.select(users.c.password_hash).where(users.c.id == user_id)
            ).scalar()

    def set_password_hash(self, user_id: int, password_hash: str, *, keep_session: str | None):
        """A new password ends every other session of the user (and pending reset links)."""
        with self.db.write() as conn:
            conn.execute(
                users.update().where(users.c.id == user_id).values(password_hash=password_hash)
            )
            drop = sessions.delete().where(sessions.c.user_id == user_id)
            if keep_session is not None:
                drop = drop.where(sessions.c.id_hash != keep_session)
            conn.execute(drop)
            conn.execute(
                email_tokens.delete().where(
                    email_tokens.c.user_id == user_id, email_tokens.c.purpose == "reset"
                )
            )

    def set_flags(self, user_id: int, **values: object) -> bool:
        """Update admin/visibility flags; False when there is no such user."""
        with self.db.write() as conn:
            return bool(
                conn.execute(users.update().where(users.c.id == user_id).values(**values)).rowcount
            )

    def set_disabled(self, user_id: int, disabled_at: datetime | None) -> bool:
        """Disable (or re-enable) a user; disabling ends their sessions at once."""
        with self.db.write() as conn:
            found = conn.execute(
                users.update().where(users.c.id == user_id).values(disabled_at=disabled_at)
            ).rowcount
            if disabled_at is not None:
                conn.execute(sessions.delete().where(sessions.c.user_id == user_id))
        return bool(found)

    def discard_new(self, user_id: int) -> None:
        """Remove an account that never got going (its verification mail could not be sent),
        so the same username and address can sign up again; its tokens and sessions go too."""
        with self.db.write() as conn:
            conn.execute(email_tokens.delete().where(email_tokens.c.user_id == user_id))
            conn.execute(sessions.delete().where(sessions.c.user_id == user_id))
            conn.execute(users.delete().where(users.c.id == user_id))

    def count(self) -> int:
        with self.db.read() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(users)).scalar_one()

    # --- emailed tokens ------------------------------------------------------------------
    def add_email_token(
        self,
        token_hash: str,
        user_id: int,
        purpose: str,
        email: str,
        *,
        now: datetime,
        expires_at: datetime,
    ) -> None:
        with self.db.write() as conn:
            conn.execute(
                email_tokens.delete().where(
                    sa.or_(email_tokens.c.expires_at < now, email_tokens.c.used_at.is_not(None))
                )
            )
            conn.execute(
                email_tokens.insert().values(
                    token_hash=token_hash,
                    user_id=user_id,
                    purpose=purpose,
                    email=email,
                    created_at=now,
                    expires_at=expires_at,
                )
            )

    def peek_email_token(self, token_hash: str, purpose: str, *, now: datetime) -> int | None:
        """The user a still-usable token belongs to, without using it up."""
        query = sa.select(email_tokens.c.user_id).where(
            email_tokens.c.token_hash == token_hash,
            email_tokens.c.purpose == purpose,
            email_tokens.c.used_at.is_(None),
            email_tokens.c.expires_at > now,
        )
        with self.db.read() as conn:
            return conn.execute(query).scalar()

    def verify_email(self, token_hash: str, *, now: datetime) -> User | None:
        """Use a verification token; the address it was sent to becomes verified if it is
        still the user's address. None when the token is unknown, used or expired."""
        with self.db.write() as conn:
            found = self._consume(conn, token_hash, "verify", now)
            if found is None:
                return None
            user_id, address = found
            conn.execute(
                users.update()
                .where(users.c.id == user_id, users.c.email_key == email_key(address))
                .values(email_verified_at=now)
            )
        return self.get(user_id)

    def reset_password(self, token_hash: str, password_hash: str, *, now: datetime) -> User | None:
        """Use a reset token and set the new password, ending every session of the user."""
        with self.db.write() as conn:
            found = self._consume(conn, token_hash, "reset", now)
            if found is None:
                return None
            user_id, _ = found
            conn.execute(
                users.update().where(users.c.id == user_id).values(password_hash=password_hash)
            )
            conn.execute(sessions.delete().where(sessions.c.user_id == user_id))
            conn.execute(
                email_tokens.update()
                .where(
                    email_tokens.c.user_id == user_id,
                    email_tokens.c.purpose == "reset",
                    email_tokens.c.used_at.is_(None),
                )
                .values(used_at=now)
            )
        return self.get(user_id)

    def use_email_token(self, token_hash: str, purpose: str, *, now: datetime) -> int | None:
        """Use up a still-usable token of `purpose` (once); the user it was for, or None."""
        with self.db.write() as conn:
            found = self._consume(conn, token_hash, purpose, now)
        return found[0] if found else None

    def _consume(
        self, conn: Connection, token_hash: str, purpose: str, now: datetime
    ) -> tuple[int, str] | None:
        row = conn.execute(
            email_tokens.update()
            .where(
                email_tokens.c.token_hash == token_hash,
                email_tokens.c.purpose == purpose,
                email_tokens.c.used_at.is_(None),
                email_tokens.c.expires_at > now,
            )
            .values(used_at=now)
            .returning(email_tokens.c.user_id, email_tokens.c.email)
        ).first()
        return (row.user_id, row.email) if row else None
