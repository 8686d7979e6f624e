"""`ccms create-admin`: the first operator account, or a forgotten admin password.

There is no default password: it comes from --password, else CCMS_ADMIN_PASSWORD, else a
prompt (asked twice), and must pass the password policy (accounts/rules/passwords.py: at
least 12 characters, not a common or easily guessed one).
"""

from __future__ import annotations

import click

from ccms_app.accounts.auth import ensure_admin
from ccms_app.cli.common import ask_password
from ccms_app.core.config import get_settings


@click.command("create-admin")
@click.option("--email", required=True, help="Login e-mail of the administrator.")
@click.option(
    "--password",
    default=None,
    help="Password (at least 12 characters, not a common one). "
    "Default: CCMS_ADMIN_PASSWORD, else asked for twice.",
)
def create_admin(email: str, password: str | None) -> None:
    """Create an administrator account, or reset an existing one's password (idempotent)."""
    if password is None:
        password = get_settings().admin_password or None
    password = password or ask_password()
    try:
        account, created = ensure_admin(email.strip(), password)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    state = "created" if created else "already existed: password reset, account active"
    click.echo(f"admin {account.email} {state}")
