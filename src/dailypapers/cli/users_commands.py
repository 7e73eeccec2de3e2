"""`dailypapers users`: accounts from the command line (the first admin starts here).

dailypapers users create NAME --email E [--admin] [--verified]   # asks for the password
dailypapers users promote NAME [--demote]
dailypapers users disable NAME [--enable]
"""

from __future__ import annotations

import click

from dailypapers.cli.context import services_for


@click.group("users")
def users_group() -> None:
    """Create users, make admins, disable accounts."""


@users_group.command("create")
@click.argument("username")
@click.option("--email", required=True, help="The user's email address.")
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    envvar="DAILYPAPERS_NEW_USER_PASSWORD",
    help="Asked for when not given (or set DAILYPAPERS_NEW_USER_PASSWORD).",
)
@click.option("--admin", is_flag=True, help="Make the user an admin (moderator).")
@click.option("--verified", is_flag=True, help="Mark the email address as already confirmed.")
@click.pass_context
def create(
    ctx: click.Context, username: str, email: str, password: str, admin: bool, verified: bool
) -> None:
    """Create an account (even when sign-ups are closed)."""
    with services_for(ctx) as services:
        services.upgrade_schema()
        user = services.community.accounts.create_user(
            username, email, password, admin=admin, verified=verified
        )
        role = "admin" if user.is_admin else "user"
        click.echo(f"created {role} @{user.username} <{user.email}>")


@users_group.command("promote")
@click.argument("username")
@click.option("--demote", is_flag=True, help="Take the admin role away instead.")
@click.pass_context
def promote(ctx: click.Context, username: str, demote: bool) -> None:
    """Make a user an admin: they can hide papers and comments and disable users."""
    with services_for(ctx) as services:
        user = services.community.accounts.set_admin(username, not demote)
        click.echo(f"@{user.username} is {'an admin' if user.is_admin else 'no longer an admin'}")


@users_group.command("disable")
@click.argument("username")
@click.option("--enable", is_flag=True, help="Enable the account again instead.")
@click.pass_context
def disable(ctx: click.Context, username: str, enable: bool) -> None:
    """Disable an account: its sessions end and its API tokens stop working at once."""
    with services_for(ctx) as services:
        user = services.community.accounts.set_disabled(username, not enable)
        click.echo(f"@{user.username} is {'disabled' if user.disabled else 'enabled'}")
