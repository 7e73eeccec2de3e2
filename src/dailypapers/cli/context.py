"""The root command group and how subcommands get their wired-up services."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import click
from pydantic import ValidationError

from dailypapers.cli.logs import configure_logging
from dailypapers.config import Settings
from dailypapers.domain.periods import parse_optional_day
from dailypapers.errors import BadRequest, DailyPapersError
from dailypapers.services.bootstrap import Services, bootstrap


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--database-url",
    envvar="DAILYPAPERS_DATABASE_URL",
    help="sqlite:///path.db or postgresql://... (default: a SQLite file in the data dir).",
)
@click.option(
    "--data-dir",
    envvar="DAILYPAPERS_DATA_DIR",
    type=click.Path(file_okay=False),
    help="Folder for the SQLite database and caches (default: ./data).",
)
@click.version_option(package_name="dailypapers")
@click.pass_context
def cli(ctx: click.Context, database_url: str | None, data_dir: str | None) -> None:
    """dailypapers: a self-hostable Daily Papers service."""
    overrides: dict[str, object] = {}
    if database_url:
        overrides["database_url"] = database_url
    if data_dir:
        overrides["data_dir"] = data_dir
    try:
        ctx.obj = Settings(**overrides)
    except ValidationError as exc:
        raise click.UsageError(f"invalid settings: {exc}") from None
    configure_logging(ctx.obj)  # warnings and errors, as text or JSON (log_format)


@contextmanager
def services_for(ctx: click.Context) -> Iterator[Services]:
    """Wire services from the group's settings; turn domain errors into clean CLI errors."""
    services = bootstrap(ctx.obj)
    try:
        yield services
    except DailyPapersError as exc:
        click.echo(f"error: {exc.message}", err=True)
        sys.exit(2)
    finally:
        services.close()


def day_option(value: str | None) -> date | None:
    """An optional YYYY-MM-DD option (`domain.periods.parse_day`), as a click usage error."""
    try:
        return parse_optional_day(value)
    except BadRequest as exc:
        raise click.BadParameter(exc.message) from None
