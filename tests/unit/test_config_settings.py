"""dailypapers.config.Settings: the one settings object, read from DAILYPAPERS_* variables."""

from __future__ import annotations

import os

import pytest
from pydantic import ValidationError

from dailypapers.config import Settings


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch):
    """Settings read the process environment; start each test from none of ours."""
    for name in list(os.environ):
        if name.upper().startswith("DAILYPAPERS_"):
            monkeypatch.delenv(name)


def _settings(**values) -> Settings:
    return Settings(_env_file=None, **values)


def test_postgres_scheme_is_normalised_to_postgresql():
    settings = _settings(database_url="postgres://app:secret@db:5432/papers")
    assert settings.database_url == "postgresql://app:secret@db:5432/papers"
    assert settings.resolved_database_url == "postgresql://app:secret@db:5432/papers"


@pytest.mark.parametrize(
    "url",
    [
        "sqlite:///data/papers.db",
        "postgresql://app@localhost/papers",
        "postgresql+psycopg://app@localhost/papers",
    ],
)
def test_known_schemes_are_kept_as_given(url):
    assert _settings(database_url=url).database_url == url


@pytest.mark.parametrize(
    "url", ["mysql://app@localhost/papers", "papers.db", "http://localhost/papers"]
)
def test_unknown_scheme_is_refused(url):
    with pytest.raises(
        ValidationError, match="database_url must start with sqlite:/// or postgresql://"
    ):
        _settings(database_url=url)


def test_database_defaults_to_a_sqlite_file_in_the_data_dir(tmp_path):
    settings = _settings(data_dir=tmp_path / "state")
    expected = (tmp_path / "state" / "dailypapers.db").resolve()
    assert settings.database_url is None
    assert settings.resolved_database_url == f"sqlite:///{expected}"


def test_default_sqlite_path_is_absolute_even_for_a_relative_data_dir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    url = _settings(data_dir="data").resolved_database_url
    assert url == f"sqlite:///{(tmp_path / 'data' / 'dailypapers.db').resolve()}"


def test_model_cache_lives_in_the_data_dir(tmp_path):
    assert _settings(data_dir=tmp_path).model_cache_dir == tmp_path / "models"


def test_page_size_is_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("DAILYPAPERS_PAGE_SIZE", "25")
    assert _settings().page_size == 25


def test_database_url_from_the_environment_is_normalised(monkeypatch):
    monkeypatch.setenv("DAILYPAPERS_DATABASE_URL", "postgres://u@h/db")
    assert _settings().resolved_database_url == "postgresql://u@h/db"


def test_page_size_default_is_50():
    assert _settings().page_size == 50


def test_nonsense_page_size_in_the_environment_is_refused(monkeypatch):
    monkeypatch.setenv("DAILYPAPERS_PAGE_SIZE", "0")
    with pytest.raises(ValidationError):
        _settings()


def test_gravity_must_be_positive():
    with pytest.raises(ValidationError):
        _settings(trending_gravity=0)


def test_settings_are_frozen():
    settings = _settings()
    with pytest.raises(ValidationError):
        settings.page_size = 10  # type: ignore[misc]
