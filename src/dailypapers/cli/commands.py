"""Foundation commands: serve, import, db, settings."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from rich.table import Table

from dailypapers.cli.context import services_for
from dailypapers.config import Settings
from dailypapers.domain.ingest import RunCounts
from dailypapers.services.demo import demo_data_path

console = Console(stderr=True)


@click.command()
@click.option("--host", default=None, help="Bind address (setting: host).")
@click.option("--port", default=None, type=int, help="Port (setting: port).")
@click.option("--demo", is_flag=True, help="Load the bundled demo data if the database is empty.")
@click.option("--no-migrate", is_flag=True, help="Do not upgrade the schema before serving.")
@click.option(
    "--workers",
    default=None,
    type=click.IntRange(min=1),
    help="Web processes sharing the port (setting: web_workers).",
)
@click.pass_context
def serve(
    ctx: click.Context,
    host: str | None,
    port: int | None,
    demo: bool,
    no_migrate: bool,
    workers: int | None,
) -> None:
    """Serve the site and the API (in one process, or `--workers N` processes)."""
    import uvicorn

    from dailypapers.app import create_app, server_options
    from dailypapers.cli.logs import announce, uvicorn_logging
    from dailypapers.cli.serving import serve_processes

    settings: Settings = ctx.obj
    workers = workers or settings.web_workers
    host, port = host or settings.host, port or settings.port
    # Take the port first: a busy port fails at once, before the demo loads and before
    # "Serving on" is printed, rather than after both.
    listener = _listen(host, port)
    try:
        with services_for(ctx) as services:
            if not no_migrate:
                services.upgrade_schema()
            if demo:
                report = services.load_demo()
                if report:
                    _print_report(str(demo_data_path()), "hf-daily", report)
            app = create_app(services)
            # The demo is a fixed slice of past days: no scheduled live ingest behind it.
            scheduled = settings.serve_runs_scheduler and not demo
            if scheduled:
                services.scheduler.start()
            announce(
                settings,
                console,
                f"Serving {settings.site_name} on http://{_show_host(host)}:{port}"
                + (f" with {workers} processes" if workers > 1 else "")
                + ("" if scheduled else " (scheduler off: no scheduled ingest or digests)"),
            )
            try:
                if workers > 1:
                    listener.close()  # uvicorn's supervisor binds the port for its processes
                    serve_processes(settings, host, port, workers)
                else:
                    options = server_options(settings)
                    config = uvicorn.Config(
                        app,
                        host=host,
                        port=port,
                        log_level="info",
                        **options,
                        **uvicorn_logging(settings),
                    )
                    uvicorn.Server(config).run(sockets=[listener])
            finally:
                services.scheduler.stop()
    finally:
        listener.close()


def _listen(host: str, port: int) -> socket.socket:
    """A socket bound to host:port, or a ClickException that says the port is taken."""
    from dailypapers.cli.serving import no_delay

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    no_delay(listener)
    try:
        listener.bind((host, port))
    except OSError as exc:
        listener.close()
        raise click.ClickException(
            f"cannot listen on {_show_host(host)}:{port}: {exc.strerror or exc}. Another "
            "server may be running there; choose another port with --port (or the setting "
            "DAILYPAPERS_PORT)."
        ) from None
    return listener


def _show_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


@click.group("import")
def import_group() -> None:
    """Import papers from files (streamed, batched, idempotent)."""


def _import(
    ctx: click.Context,
    kind: str,
    paths: tuple[str, ...],
    as_json: bool,
    bulk: bool | None,
    feature: bool = True,
) -> None:
    reports = []
    with services_for(ctx) as services:
        services.upgrade_schema()
        for path in paths:
            size = Path(path).stat().st_size
            with Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                DownloadColumn(),
                TransferSpeedColumn(),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
                console=console,
                disable=as_json,
            ) as bar:
                task = bar.add_task(Path(path).name, total=size)
                report = services.ingest.import_file(
                    Path(path),
                    kind,  # type: ignore[arg-type]
                    feature=feature,
                    bulk=bulk,
                    progress=lambda done, total, t=task: bar.update(t, completed=done, total=total),
                )
            reports.append(report.as_import_dict(str(Path(path)), kind))
            if not as_json:
                _print_report(str(Path(path)), kind, report)
    if as_json:
        click.echo(json.dumps(reports, indent=2))


def _print_report(path: str, kind: str, report: RunCounts) -> None:
    console.print(f"[bold]import {kind}[/bold] {path}")
    table = Table(show_header=False)
    summary = report.as_import_dict(path, kind)
    names = ("read", "inserted", "updated", "unchanged", "skipped", "entries_added", "retries")
    for name in names:
        table.add_row(name.replace("_", " "), f"{summary[name]:,}")
    console.print(table)
    for reason, n in report.reasons.most_common(10):
        console.print(f"  skipped {n:,} × {reason}")
    for line in report.errors[:10]:
        console.print(f"  [yellow]{line}[/yellow]")


json_option = click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
bulk_option = click.option(
    "--bulk/--no-bulk",
    default=None,
    help="Build the keyword index once at the end (default: for files of "
    "bulk_import_min_bytes or more).",
)
paths_argument = click.argument(
    "paths", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False)
)


@import_group.command("hf-daily")
@paths_argument
@json_option
@bulk_option
@click.pass_context
def import_hf_daily(
    ctx: click.Context, paths: tuple[str, ...], as_json: bool, bulk: bool | None
) -> None:
    """Hugging Face daily papers: /api/daily_papers JSON responses or JSONL rows (.gz or plain)."""
    _import(ctx, "hf-daily", paths, as_json, bulk)


@import_group.command("arxiv-snapshot")
@paths_argument
@json_option
@bulk_option
@click.option(
    "--feature/--no-feature",
    default=True,
    show_default=True,
    help="Put each paper on the daily page of its listing (or v1) day.",
)
@click.pass_context
def import_arxiv_snapshot(
    ctx: click.Context, paths: tuple[str, ...], as_json: bool, bulk: bool | None, feature: bool
) -> None:
    """arXiv metadata JSONL: Kaggle's arxiv-metadata-oai-snapshot or daily-listing rows."""
    _import(ctx, "arxiv-snapshot", paths, as_json, bulk, feature)


@click.group()
def db() -> None:
    """Database schema."""


@db.command()
@click.pass_context
def upgrade(ctx: click.Context) -> None:
    """Create or migrate the schema to the newest version."""
    with services_for(ctx) as services:
        services.upgrade_schema()
        click.echo(f"schema at {services.db.current_revision()} ({services.db.dialect})")


@db.command()
@click.pass_context
def current(ctx: click.Context) -> None:
    """Print the schema version the database is at."""
    with services_for(ctx) as services:
        click.echo(services.db.current_revision() or "empty (run: dailypapers db upgrade)")


@click.command("settings")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_context
def settings_command(ctx: click.Context, as_json: bool) -> None:
    """Every setting, its current value and what it does (env: DAILYPAPERS_<NAME>)."""
    settings: Settings = ctx.obj
    rows = [
        (name, getattr(settings, name), field.description or "")
        for name, field in Settings.model_fields.items()
    ]
    if as_json:
        click.echo(json.dumps({n: v for n, v, _ in rows}, default=str, indent=2))
        return
    table = Table("setting", "value", "meaning")
    for name, value, description in rows:
        table.add_row(name, str(value), description)
    Console().print(table)
