"""The one settings object.

Every limit and knob of the service is a field here, read from the environment
(`DAILYPAPERS_<NAME>`) or a `.env` file. docs/settings.md documents each one; a test fails if a
field is missing there. Nothing else reads environment variables.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="DAILYPAPERS_", env_file=".env", extra="ignore", frozen=True
    )

    # --- storage -------------------------------------------------------------------------
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
    sql_time_limit_ms: int = Field(
        2000,
        ge=0,
        description="A read query on SQLite running longer than this is cut off (0: no limit).",
    )
    db_pool_size: int = Field(5, ge=1, description="Read connections kept open per process.")

    # --- web and API ---------------------------------------------------------------------
    host: str = Field("127.0.0.1", description="Address `dailypapers serve` binds to.")
    port: int = Field(8000, ge=1, le=65535, description="Port `dailypapers serve` listens on.")
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
    max_request_body_bytes: int = Field(
        1_000_000, ge=1, description="Requests with a larger body are refused with 413."
    )

    # --- imports -------------------------------------------------------------------------
    import_batch_size: int = Field(
        1000, ge=1, description="Records upserted per transaction by `dailypapers import`."
    )
    import_max_line_bytes: int = Field(
        2_000_000,
        ge=1,
        description="An import line longer than this is counted as malformed and skipped.",
    )
    import_max_document_bytes: int = Field(
        100_000_000,
        ge=1,
        description="Largest whole-JSON file (an HF API response) `dailypapers import` reads.",
    )
    max_title_chars: int = Field(1000, ge=1, description="Longer titles are rejected on import.")
    max_abstract_chars: int = Field(
        20_000, ge=1, description="Longer abstracts are rejected on import."
    )
    max_authors: int = Field(
        5000, ge=1, description="Author lists longer than this are cut to this length."
    )

    # --- ranking -------------------------------------------------------------------------
    trending_gravity: float = Field(
        1.8, gt=0, description="Exponent of the age penalty in the trending score."
    )
    trending_window_days: int = Field(
        7, ge=1, description="Only papers featured within this many days can trend."
    )

    # --- embeddings ----------------------------------------------------------------------
    embedding_max_tokens: int = Field(
        256, ge=16, le=512, description="Tokens of title+abstract the embedding model reads."
    )
    embedding_threads: int | None = Field(
        None, ge=1, description="CPU threads for the embedding model (default: all cores)."
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
