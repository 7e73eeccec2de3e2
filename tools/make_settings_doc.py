"""Regenerate docs/settings.md from the settings sections: `python tools/make_settings_doc.py`."""

from __future__ import annotations

import inspect
from pathlib import Path

from dailypapers.config import SECTIONS

HEADER = """# Settings

Every limit and knob is a setting. Set it as an environment variable `DAILYPAPERS_<NAME>`
(upper case), or in a `.env` file in the working directory. `dailypapers settings` prints the
values in force. A test fails if a setting is missing from this page.

The settings are grouped by the feature that reads them: each section is a typed object of its
own (`src/dailypapers/config/<section>.py`), and a component receives only its section. The
environment variables are flat, whatever the section.
"""


def main() -> None:
    lines = [HEADER]
    for key, section in SECTIONS.items():
        module = inspect.getmodule(section)
        about = (module.__doc__ or "").strip() if module else ""
        lines.append(f"\n## {key}\n\n`{section.__name__}` (`config/{key}.py`): {about}\n\n")
        lines.append("| setting | env | default | meaning |\n|---|---|---|---|\n")
        for name, field in section.model_fields.items():
            default = field.default if field.default is not None else "(none)"
            lines.append(
                f"| `{name}` | `DAILYPAPERS_{name.upper()}` | `{default}` | {field.description} |\n"
            )
    target = Path(__file__).resolve().parents[1] / "docs" / "settings.md"
    target.write_text("".join(lines), encoding="utf-8")
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
