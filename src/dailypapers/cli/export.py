"""`dailypapers export` / `import-dump`: the whole site as portable JSONL (services/dump.py).

dailypapers export PATH [--with-secrets]     # PATH.gz is gzip'd; `-` writes to stdout
dailypapers import-dump PATH                 # idempotent; bad records are skipped and counted

Moving from SQLite to PostgreSQL (or back):
    dailypapers export site.jsonl.gz
    DAILYPAPERS_DATABASE_URL=postgresql://... dailypapers import-dump site.jsonl.gz
    DAILYPAPERS_DATABASE_URL=postgresql://... dailypapers index   # embeddings do not travel
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import click

from dailypapers.cli.context import services_for
from dailypapers.services.dump import DumpReport


@click.command("export")
@click.argument("path")
@click.option(
    "--with-secrets",
    is_flag=True,
    help="Also write password hashes, API token hashes and digest link tokens "
    "(keep such a dump as safe as the database).",
)
@click.pass_context
def export_command(ctx: click.Context, path: str, with_secrets: bool) -> None:
    """Write papers, daily entries, users, votes, comments, collections and subscriptions
    as JSONL. Stop writers first: the dump is read a page at a time, not as one snapshot."""
    with services_for(ctx) as services:
        if path == "-":
            out = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="\n")
            report = services.dump.export(out, with_secrets=with_secrets)
            out.flush()
            out.detach()
        else:
            report = services.dump.export_to(Path(path), with_secrets=with_secrets)
    summary = ", ".join(f"{name} {n}" for name, n in report.rows.items() if n)
    click.echo(f"exported {sum(report.rows.values())} rows ({summary or 'nothing'})", err=True)


@click.command("import-dump")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_context
def import_dump_command(ctx: click.Context, path: Path) -> None:
    """Load a dump written by `dailypapers export` (rows already there are left alone)."""
    with services_for(ctx) as services:
        services.upgrade_schema()
        report = services.dump.import_file(path)
    _echo_import(report)
    if report.skipped or not report.complete:
        sys.exit(1)


def _echo_import(report: DumpReport) -> None:
    for name, rows in report.rows.items():
        click.echo(
            f"{name}: {rows} read, {report.inserted[name]} inserted, "
            f"{report.existing[name]} already there"
        )
    if report.skipped:
        reasons = ", ".join(f"{reason} {n}" for reason, n in report.reasons.items())
        click.echo(f"skipped {report.skipped} records ({reasons}):", err=True)
        for message in report.errors:
            click.echo(f"  {message}", err=True)
    if not report.complete:
        click.echo(
            "warning: the dump has no end record, or its counts differ: cut short?", err=True
        )
