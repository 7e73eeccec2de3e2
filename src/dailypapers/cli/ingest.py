"""Live ingest commands: `ingest arxiv|oai|hf|status` and the long-running `worker`.

dailypapers ingest arxiv [--since D] [--until D] [--categories cs.CL,cs.LG] [--json]
dailypapers ingest oai   [--since D] [--until D] [--set cs] [--format arXiv|arXivRaw] [--json]
dailypapers ingest hf    [--since D] [--until D] [--json]
dailypapers ingest status [--limit N] [--json]
dailypapers worker [--once] [--no-migrate]  # runs the daily schedule until SIGTERM
"""

from __future__ import annotations

import json
import logging
import signal
import sys
from datetime import date

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from dailypapers.cli.context import day_option, services_for
from dailypapers.cli.logs import announce, configure_logging
from dailypapers.domain.ingest import IngestRun

console = Console(stderr=True)


def _day(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date | None:
    return day_option(value)


since_option = click.option(
    "--since", callback=_day, help="First day (YYYY-MM-DD, UTC). Default: where the last run ended."
)
until_option = click.option("--until", callback=_day, help="Last day, inclusive. Default: today.")
json_option = click.option("--json", "as_json", is_flag=True, help="Print the run as JSON.")


@click.group("ingest")
def ingest_group() -> None:
    """Fetch new papers from arXiv and Hugging Face (resumable; one run per source at a time)."""


def _run(
    ctx: click.Context,
    source: str,
    since: date | None,
    until: date | None,
    as_json: bool,
    **options: object,
) -> None:
    configure_logging(ctx.obj, logging.WARNING, "%(levelname)s %(name)s: %(message)s")
    with services_for(ctx) as services:
        services.upgrade_schema()
        with Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            disable=as_json,
        ) as bar:
            task = bar.add_task(f"ingest {source}", total=None)

            def progress(done: int, total: int | None, label: str) -> None:
                bar.update(task, completed=done, total=total, description=f"{source}: {label}")

            run = services.ingest.run(
                source, since=since, until=until, progress=progress, **options
            )
    if as_json:
        click.echo(json.dumps(run.as_dict(), indent=2))
    else:
        _print_run(run)
    if run.status != "succeeded":
        sys.exit(1)


def _print_run(run: IngestRun) -> None:
    colour = {"succeeded": "green", "failed": "red"}.get(run.status, "yellow")
    window = f"{run.since} .. {run.until}" if run.since else ""
    resumed = f" (resumed run {run.resumed_from})" if run.resumed_from else ""
    console.print(
        f"[bold]ingest {run.source}[/bold] run {run.id} {window}{resumed}: "
        f"[{colour}]{run.status}[/{colour}]"
    )
    table = Table(show_header=False)
    c = run.counts
    for name in ("pages", "fetched", "inserted", "updated", "unchanged", "skipped"):
        table.add_row(name, f"{getattr(c, name):,}")
    table.add_row("daily entries added", f"{c.entries_added:,}")
    table.add_row("versions added", f"{c.versions_added:,}")
    console.print(table)
    for reason, n in c.reasons.most_common(10):
        console.print(f"  skipped {n:,} × {reason}")
    for line in c.errors[:10]:
        console.print(f"  [yellow]{line}[/yellow]")
    if run.error:
        console.print(f"[red]error:[/red] {run.error}")


def _categories(_ctx: click.Context, _param: click.Parameter, value: str | None) -> list | None:
    if value is None:
        return None
    names = [c.strip() for c in value.split(",") if c.strip()]
    if not names:
        raise click.BadParameter("name at least one category, e.g. cs.CL,cs.LG")
    return names


@ingest_group.command("arxiv")
@since_option
@until_option
@click.option(
    "--categories",
    callback=_categories,
    help="Comma-separated arXiv categories (default: setting arxiv_categories).",
)
@json_option
@click.pass_context
def ingest_arxiv(
    ctx: click.Context,
    since: date | None,
    until: date | None,
    categories: list[str] | None,
    as_json: bool,
) -> None:
    """arXiv API: papers submitted in the window, in the chosen categories."""
    _run(ctx, "arxiv", since, until, as_json, categories=categories)


@ingest_group.command("oai")
@since_option
@until_option
@click.option("--set", "oai_set", default=None, help="OAI-PMH set, e.g. cs (setting: oai_set).")
@click.option(
    "--format",
    "oai_format",
    type=click.Choice(["arXiv", "arXivRaw"]),
    default=None,
    help="Metadata format; arXivRaw lists every version (setting: oai_metadata_prefix).",
)
@json_option
@click.pass_context
def ingest_oai(
    ctx: click.Context,
    since: date | None,
    until: date | None,
    oai_set: str | None,
    oai_format: str | None,
    as_json: bool,
) -> None:
    """arXiv OAI-PMH: every record of the set modified in the window (resumable)."""
    _run(ctx, "oai", since, until, as_json, oai_set=oai_set, oai_format=oai_format)


@ingest_group.command("hf")
@since_option
@until_option
@json_option
@click.pass_context
def ingest_hf(ctx: click.Context, since: date | None, until: date | None, as_json: bool) -> None:
    """Hugging Face daily papers: each day's featured papers, upvotes, repos and submitters."""
    _run(ctx, "hf", since, until, as_json)


@ingest_group.command("status")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 1000))
@click.option("--source", default=None, help="Only runs of this source (arxiv, oai, hf, import).")
@json_option
@click.pass_context
def ingest_status(ctx: click.Context, limit: int, source: str | None, as_json: bool) -> None:
    """Recent runs (newest first) and who holds each source's lease."""
    with services_for(ctx) as services:
        services.upgrade_schema()
        runs = services.ingest.status(limit=limit, source=source)
        leases = services.ingest.leases()
    if as_json:
        click.echo(
            json.dumps(
                {
                    "runs": [r.as_dict() for r in runs],
                    "leases": {
                        s: {
                            "owner": lease.owner,
                            "run_id": lease.run_id,
                            "expires_at": lease.expires_at.isoformat(),
                        }
                        for s, lease in leases.items()
                    },
                },
                indent=2,
            )
        )
        return
    out = Console()
    if not runs:
        out.print("no ingest runs yet")
    for r in runs:
        c = r.counts
        colour = {"succeeded": "green", "failed": "red"}.get(r.status, "yellow")
        window = f" {r.since}..{r.until}" if r.since else ""
        finished = f", finished {r.finished_at:%H:%M:%S}" if r.finished_at else ""
        out.print(
            f"#{r.id} [bold]{r.source}[/bold] [{colour}]{r.status}[/{colour}]{window} "
            f"({r.trigger}): fetched {c.fetched:,}, inserted {c.inserted:,}, "
            f"updated {c.updated:,}, unchanged {c.unchanged:,}, skipped {c.skipped:,}; "
            f"started {r.started_at:%Y-%m-%d %H:%M:%S}{finished}",
            highlight=False,
        )
        if r.error:
            out.print(f"    error: {r.error}", highlight=False)
        elif r.cursor:
            out.print(f"    resumes at: {r.cursor}", highlight=False)
    for source_name, lease in leases.items():
        if lease.owner:
            out.print(
                f"{source_name}: held by {lease.owner} until {lease.expires_at:%Y-%m-%d %H:%M:%S}"
            )


@click.command("worker")
@click.option("--once", is_flag=True, help="Run the due jobs once and exit (for cron).")
@click.option("--no-migrate", is_flag=True, help="Do not upgrade the schema first.")
@click.pass_context
def worker(ctx: click.Context, once: bool, no_migrate: bool) -> None:
    """Run the scheduled jobs (daily ingest, ...) until SIGTERM; any number may run at once."""
    configure_logging(ctx.obj, logging.INFO)
    with services_for(ctx) as services:
        if not no_migrate:
            services.upgrade_schema()
        scheduler = services.scheduler
        names = ", ".join(job.name for job in scheduler.jobs) or "none"
        settings = ctx.obj
        announce(settings, console, f"worker: jobs {names}; checks every {scheduler.tick_s:g} s")
        if once:
            ran = scheduler.tick()
            announce(settings, console, f"ran: {', '.join(ran) or 'nothing was due'}")
            return

        def _stop(signum: int, _frame: object) -> None:
            name = signal.Signals(signum).name
            announce(settings, console, f"worker: {name}, stopping after this page")
            scheduler.request_stop()

        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
        scheduler.run_forever()
        announce(settings, console, "worker: stopped")
