"""Every setting is documented (datasette's rule): docs/settings.md names each field."""

from __future__ import annotations

from pathlib import Path

from dailypapers.config import Settings

DOC = Path(__file__).resolve().parents[2] / "docs" / "settings.md"


def test_every_setting_is_in_docs_settings_md() -> None:
    text = DOC.read_text(encoding="utf-8")
    missing = [name for name in Settings.model_fields if f"`{name}`" not in text]
    assert missing == [], f"document these settings in docs/settings.md: {missing}"


def test_every_setting_has_a_description() -> None:
    assert [n for n, f in Settings.model_fields.items() if not f.description] == []
