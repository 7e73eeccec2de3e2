"""The `dailypapers` command: one entry point, a subcommand per job, `--help` on each.

dailypapers serve [--host H] [--port P] [--demo]
dailypapers import hf-daily PATH...        # HF /api/daily_papers JSON or JSONL rows
dailypapers import arxiv-snapshot PATH...  # Kaggle arXiv snapshot or daily-listing JSONL
dailypapers db upgrade | db current
dailypapers settings                       # every setting, its value and meaning
dailypapers users create|promote|disable   # accounts and admins
dailypapers digest send [--period P] [--dry-run] | digest status   # email digests
dailypapers search "QUERY" [--mode M] [--json] | similar ID   # hybrid search
dailypapers index                          # embed papers (resumable)
dailypapers eval beir DIR --split NAME     # search quality on a judged collection
dailypapers export PATH [--with-secrets] | import-dump PATH   # the site as portable JSONL
"""

from __future__ import annotations

from dailypapers.cli.commands import db, import_group, serve, settings_command
from dailypapers.cli.context import cli
from dailypapers.cli.digest import digest_group
from dailypapers.cli.export import export_command, import_dump_command
from dailypapers.cli.ingest import ingest_group, worker
from dailypapers.cli.search_commands import (
    eval_group,
    index_command,
    search_command,
    similar_command,
)
from dailypapers.cli.users_commands import users_group

cli.add_command(serve)
cli.add_command(import_group)
cli.add_command(db)
cli.add_command(settings_command)
cli.add_command(ingest_group)
cli.add_command(worker)
cli.add_command(users_group)
cli.add_command(digest_group)
cli.add_command(search_command)
cli.add_command(similar_command)
cli.add_command(index_command)
cli.add_command(eval_group)
cli.add_command(export_command)
cli.add_command(import_dump_command)


def main() -> None:
    cli(prog_name="dailypapers")


__all__ = ["cli", "main"]
