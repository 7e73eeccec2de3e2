"""The `dailypapers` command: one entry point, a subcommand per job, `--help` on each.

dailypapers serve [--host H] [--port P] [--demo]
dailypapers import hf-daily PATH...        # HF /api/daily_papers JSON or JSONL rows
dailypapers import arxiv-snapshot PATH...  # Kaggle arXiv snapshot or daily-listing JSONL
dailypapers db upgrade | db current
dailypapers settings                       # every setting, its value and meaning
"""

from __future__ import annotations

from dailypapers.cli.commands import db, import_group, serve, settings_command
from dailypapers.cli.context import cli

cli.add_command(serve)
cli.add_command(import_group)
cli.add_command(db)
cli.add_command(settings_command)


def main() -> None:
    cli(prog_name="dailypapers")


__all__ = ["cli", "main"]
