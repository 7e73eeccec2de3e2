"""Digest commands: send what is due (or one period), with progress; look at the state.

dailypapers digest send [--period 2026-08-21|2026-W34] [--at ISO-TIME] [--dry-run]
                        [--no-wait] [--json]
dailypapers digest status [--period P] [--json]

`send` is safe to run in several processes at once and to kill at any moment: rerunning it
sends what is left, never a digest twice (see services/digests.py).
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from dailypapers.cli.context import services_for
from dailypapers.services.digests import DigestRunReport

console = Console(stderr=True)


def _at(_ctx: click.Context, _param: click.Parameter, value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a time (e.g. 2026-08-21T09:00)") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


@click.group("digest")
def digest_group() -> None:
    """Email digests: send them, look at their state."""


@digest_group.command("send")
@click.option("--period", help="Send this period (2026-08-21 daily, 2026-W34 weekly) to all.")
@click.option("--at", "at", callback=_at, help="Send what is due at this UTC time (default: now).")
@click.option("--dry-run", is_flag=True, help="Show what would be sent; send and record nothing.")
@click.option(
    "--no-wait",
    is_flag=True,
    help="Stop when nothing is claimable instead of waiting for retries and other senders.",
)
@click.option("--no-migrate", is_flag=True, help="Do not upgrade the schema first.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.pass_context
def send(
    ctx: click.Context,
    period: str | None,
    at: datetime | None,
    dry_run: bool,
    no_wait: bool,
    no_migrate: bool,
    as_json: bool,
) -> None:
    """Send every due digest (idempotent: rerun after a crash, run in parallel)."""
    if period and at:
        raise click.UsageError("give --period or --at, not both")
    with services_for(ctx) as services:
        if not no_migrate:
            services.upgrade_schema()
        digests = services.digests
        if dry_run:
            rows = digests.dry_run(now=at, period=period)
            states = Counter(row.state or "new" for row in rows)
            if as_json:
                click.echo(
                    json.dumps(
                        {
                            "digests": len(rows),
                            "by_state": dict(states),
                            "papers": sum(r.items for r in rows),
                            "rows": [vars(r) for r in rows[:1000]],
                        },
                        indent=2,
                    )
                )
                return
            table = Table("subscriber", "period", "state", "papers")
            for row in rows[:30]:
                table.add_row(row.email, row.period, row.state or "new", str(row.items))
            console.print(table)
            by_state = ", ".join(f"{n:,} {s}" for s, n in states.items())
            console.print(f"{len(rows):,} digests due ({by_state}); nothing was sent or recorded.")
            return
        with Progress(
            TextColumn("[bold]digests"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn(
                "sent {task.fields[sent]:,} · skipped {task.fields[skipped]:,} · "
                "failed {task.fields[failed]:,}"
            ),
            TimeElapsedColumn(),
            console=console,
            disable=as_json,
        ) as bar:
            task = bar.add_task("send", total=None, sent=0, skipped=0, failed=0)

            def progress(report: DigestRunReport) -> None:
                bar.update(
                    task,
                    total=max(report.outstanding, report.done) or None,
                    completed=report.done,
                    sent=report.sent,
                    skipped=report.skipped,
                    failed=report.failed,
                )

            if period:
                report = digests.send_period(period, wait=not no_wait, progress=progress)
            else:
                report = digests.send_due(at, wait=not no_wait, progress=progress)
        if as_json:
            click.echo(json.dumps(report.as_dict(), indent=2))
        else:
            table = Table(show_header=False)
            for name in ("planned", "sent", "skipped", "retried", "failed", "uncertain"):
                table.add_row(name, f"{getattr(report, name):,}")
            table.add_row("suspended addresses", f"{report.suspended:,}")
            console.print(table)
        if report.stopped:
            console.print(f"[red]stopped early:[/red] {report.stopped}; rerun to send the rest")
            ctx.exit(1)


@digest_group.command("status")
@click.option("--period", help="Only deliveries of this period.")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_context
def status(ctx: click.Context, period: str | None, as_json: bool) -> None:
    """Deliveries by state, subscriptions by status."""
    with services_for(ctx) as services:
        summary = services.digests.status(period)
    if as_json:
        click.echo(json.dumps(summary, indent=2))
        return
    for title, counts in summary.items():
        table = Table(title, "count")
        for name, count in sorted(counts.items()):
            table.add_row(name, f"{count:,}")
        Console().print(table)
