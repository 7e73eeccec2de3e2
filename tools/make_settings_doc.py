"""Regenerate docs/settings.md from the Settings model: `python tools/make_settings_doc.py`."""

from __future__ import annotations

from pathlib import Path

from dailypapers.config import Settings

HEADER = """# Settings

Every limit and knob is a setting. Set it as an environment variable `DAILYPAPERS_<NAME>`
(upper case), or in a `.env` file in the working directory. `dailypapers settings` prints the
values in force. A test fails if a setting is missing from this page.

| setting | env | default | meaning |
|---|---|---|---|
"""


def main() -> None:
    lines = [HEADER]
    for name, field in Settings.model_fields.items():
        default = field.default if field.default is not None else "(none)"
        lines.append(
            f"| `{name}` | `DAILYPAPERS_{name.upper()}` | `{default}` | {field.description} |\n"
        )
    target = Path(__file__).resolve().parents[1] / "docs" / "settings.md"
    target.write_text("".join(lines), encoding="utf-8")
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
