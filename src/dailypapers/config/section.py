"""The base of every settings section: a frozen, typed group of the settings one feature reads."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Section(BaseModel):
    """A feature's settings. `Settings` (config/__init__.py) reads them all from the flat
    `DAILYPAPERS_<NAME>` variables; a component is handed only its own section
    (`settings.search`, `settings.community`, ...), so its constructor shows what it reads."""

    model_config = ConfigDict(frozen=True)
