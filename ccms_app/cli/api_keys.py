"""`ccms apikey create | list | revoke`: REST API keys from the command line.

Whoever runs `ccms` owns the installation (it reads CCMS_DATABASE_URL), so these commands
need no login: they act with every permission, recorded in the audit log as actor "cli".
`create` prints the key once, as the last line of its output, so a script can take it with
`tail -n 1`; CCMS keeps only its hash.
"""

from __future__ import annotations

from typing import Any

import click

from ccms_app.accounts import api_keys
from ccms_app.accounts.models import ApiKey
from ccms_app.accounts.roles import Caller, NotFoundError
from ccms_app.accounts.rules.permissions import ALL_PERMISSIONS
from ccms_app.core.db import read_session
from ccms_app.core.listing import MAX_PAGE_SIZE, ListQuery, fetch_page

CLI_ACTOR = "cli"
DATABASE_ID = click.IntRange(1, 2**63 - 1)  # what an id column holds; larger is a usage error
LIST_COLUMNS = ("id", "prefix", "name", "organisation", "role", "created", "last used", "status")


@click.group()
def apikey() -> None:
    """API keys for the REST API (/api/v1, header Authorization: Bearer <key>)."""


@apikey.command("create")
@click.option("--name", required=True, help="Who or what uses the key, e.g. 'ERP export'.")
@click.option(
    "--role",
    "role_name",
    required=True,
    help="Role the key acts with: a built-in one (Administrator, Operator, Finance, "
    "Maintenance staff, Viewer) or a custom role of the key's organisation.",
)
@click.option(
    "--org",
    "organisation_id",
    type=DATABASE_ID,
    default=None,
    help="Organisation id whose data the key sees. Default: the root operator.",
)
def apikey_create(name: str, role_name: str, organisation_id: int | None) -> None:
    """Create a key and print it once, as the last line."""
    try:
        made = api_keys.create_api_key_from_cli(name, role_name, organisation_id)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    view = made.view
    click.echo(
        f"API key {view.id} {view.name!r} created: role {view.role}, "
        f"organisation {view.organisation} ({view.organisation_id})"
    )
    click.echo("Copy it now: CCMS keeps only a hash and cannot show it again.")
    click.echo(made.key)


@apikey.command("list")
def apikey_list() -> None:
    """Every key of every organisation, revoked ones included (tab-separated, one a line)."""
    click.echo("\t".join(LIST_COLUMNS))
    for row in _every_key():
        click.echo("\t".join(_columns(row)))


@apikey.command("revoke")
@click.argument("key_id", metavar="ID", type=DATABASE_ID)
def apikey_revoke(key_id: int) -> None:
    """Revoke key ID: its next request is refused (revoking twice changes nothing)."""
    owner = _organisation_of(key_id)
    if owner is None:
        raise click.BadParameter(f"no API key {key_id}", param_hint="'ID'")
    caller = Caller(0, owner, CLI_ACTOR, ALL_PERMISSIONS)
    try:
        view = api_keys.revoke_api_key(caller, key_id)
    except NotFoundError as exc:  # deleted in between
        raise click.BadParameter(str(exc), param_hint="'ID'") from exc
    click.echo(f"API key {view.id} {view.name!r} revoked: its next request is refused")


def _every_key() -> list[dict[str, Any]]:
    """The whole list, page by page, in id order (every organisation: no scope)."""
    rows: list[dict[str, Any]] = []
    page, pages = 1, 1
    while page <= pages:
        query = ListQuery(sort="id", page=page, page_size=MAX_PAGE_SIZE)
        result = fetch_page(api_keys.API_KEY_LIST, query, None)
        rows.extend(result.rows)
        page, pages = page + 1, result.pages
    return rows


def _columns(row: dict[str, Any]) -> list[str]:
    revoked = row["revoked_at"]
    used = row["last_used_at"]
    return [
        str(row["id"]),
        f"{row['prefix']}...",
        row["name"],
        f"{row['organisation']} ({row['organisation_id']})",
        row["role"],
        f"{row['created_at']:%Y-%m-%d %H:%M} UTC by {row['created_by']}",
        f"{used:%Y-%m-%d %H:%M} UTC from {row['last_used_address'] or '?'}" if used else "never",
        f"revoked {revoked:%Y-%m-%d %H:%M} UTC" if revoked else "active",
    ]


def _organisation_of(key_id: int) -> int | None:
    """Whose key it is: the revoking caller acts in that organisation (which may sit outside
    the root operator's tree)."""
    with read_session() as session:
        row = session.get(ApiKey, key_id)
        return None if row is None else row.organisation_id
