"""Settings by feature: every setting belongs to one section, read from the same flat
variables, and only the composition holds the whole settings object."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from dailypapers.config import SECTIONS, Settings

SRC = Path(__file__).resolve().parents[2] / "src" / "dailypapers"
# The composition: what builds the site (or, for an evaluation, a site per collection).
HOLDS_ALL = {
    "config",
    "app.py",
    "cli",
    "services/bootstrap.py",
    "services/evaluation.py",
}


def test_every_setting_is_in_exactly_one_section() -> None:
    owners: dict[str, list[str]] = {}
    for key, section in SECTIONS.items():
        for name in section.model_fields:
            owners.setdefault(name, []).append(key)
    assert sorted(owners) == sorted(Settings.model_fields)
    assert {n: o for n, o in owners.items() if len(o) > 1} == {}


def test_a_section_holds_the_values_read_from_the_flat_variables(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DAILYPAPERS_SMTP_PORT", "2525")
    monkeypatch.setenv("DAILYPAPERS_SEARCH_CANDIDATES", "77")
    monkeypatch.setenv("DAILYPAPERS_INDEX_JOB_BATCH_LIMIT", "9")
    settings = Settings()
    assert settings.digests.smtp_port == 2525
    assert settings.search.search_candidates == 77
    assert settings.jobs.index_job_batch_limit == 9
    # A section holds its own settings and no other feature's.
    assert not hasattr(settings.search, "smtp_port")


def test_a_copy_with_other_values_has_sections_with_those_values() -> None:
    settings = Settings(port=8000)
    assert settings.web.port == 8000
    assert settings.model_copy(update={"port": 8731}).web.port == 8731


def _imports_settings(path: Path) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return any(
        isinstance(node, ast.ImportFrom)
        and node.module == "dailypapers.config"
        and any(alias.name == "Settings" for alias in node.names)
        for node in ast.walk(tree)
    )


def test_only_the_composition_holds_the_whole_settings() -> None:
    holders = {str(path.relative_to(SRC)) for path in SRC.rglob("*.py") if _imports_settings(path)}
    outside = {h for h in holders if not any(h == a or h.startswith(a + "/") for a in HOLDS_ALL)}
    assert outside == set(), f"these receive the whole Settings; give them their section: {outside}"
