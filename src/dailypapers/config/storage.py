"""Where state lives: the database, its connections and retries, the data folder."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator

from dailypapers.config.section import Section


class StorageSettings(Section):
    data_dir: Path = Field(
        Path("data"),
        description="Folder for the SQLite database, the embedding model cache and other state.",
    )
    database_url: str | None = Field(
        None,
        description="SQLAlchemy URL: `sqlite:///path.db` or `postgresql://user:pw@host/db`. "
        "Default: a SQLite file `dailypapers.db` inside data_dir.",
    )
    sqlite_busy_timeout_ms: int = Field(
        5000, ge=0, description="How long a SQLite connection waits for a lock before failing."
    )
    sqlite_wal_limit_mb: int = Field(
        64,
        ge=1,
        description="SQLite's write-ahead log is cut back to this size after each checkpoint "
        "(PRAGMA journal_size_limit), and imports checkpoint it when they finish, so bulk "
        "writes under load can't leave it growing without bound.",
    )
    sql_time_limit_ms: int = Field(
        2000,
        ge=0,
        description="A read query on SQLite that has used this much CPU time is cut off (0: no "
        "limit). CPU time, not wall time: on a busy machine ordinary queries wait for a core "
        "and would be cut off with a 503.",
    )
    db_pool_size: int = Field(5, ge=1, description="Read connections kept open per process.")
    db_connect_timeout_s: int = Field(
        5,
        ge=1,
        description="How long a PostgreSQL connection attempt may take before the database "
        "counts as unavailable.",
    )
    db_unavailable_retry_after_s: int = Field(
        5,
        ge=1,
        description="`Retry-After` (seconds) on the 503 a request gets while the database is "
        "unreachable or locked.",
    )
    db_retry_attempts: int = Field(
        30,
        ge=0,
        description="How many times an import or ingest retries a batch whose write failed "
        "because the database was unavailable (0: fail at once).",
    )
    db_retry_delay_s: float = Field(
        1.0,
        ge=0,
        description="First wait before retrying such a batch; it doubles on each try up to "
        "db_retry_max_delay_s.",
    )
    db_retry_max_delay_s: float = Field(
        10.0, ge=0, description="Longest wait between two retries of a batch."
    )

    @field_validator("database_url")
    @classmethod
    def _known_scheme(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip()
        if value.startswith("postgres://"):
            value = "postgresql://" + value.removeprefix("postgres://")
        if not value.startswith(("sqlite:", "postgresql:", "postgresql+psycopg:")):
            raise ValueError("database_url must start with sqlite:/// or postgresql://")
        return value

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'dailypapers.db').resolve()}"

    @property
    def model_cache_dir(self) -> Path:
        return self.data_dir / "models"
