"""`ccms chargepoint register | set-password` and `ccms idtag add`: scripted provisioning.

Each command takes one item, or '-' for one per line of stdin, and prints one line per item
(created / updated / unchanged), so a deployment script can provision a whole fleet.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime

import click

from ccms_app.cli.common import ask_password
from ccms_app.core.identifiers import FieldError
from ccms_app.network import charger_security
from ccms_app.network.provisioning import add_id_tag, register_charge_point

# Which CLI parameter each FieldError field maps to, for click's error hints.
_PARAM_HINTS = {
    "identity": "'IDENTITY'",
    "station": "'--station'",
    "organisation": "'--org'",
    "id_tag": "'ID_TAG'",
    "parent_id_tag": "'--parent'",
    "expires": "'--expires'",
}


@click.group()
def chargepoint() -> None:
    """Charge point provisioning."""


@chargepoint.command("register")
@click.argument("identity")
@click.option("--station", required=True, help="Station name; created (time zone UTC) if new.")
@click.option("--org", "organisation_id", type=int, default=None, help="Owner organisation id.")
def chargepoint_register(identity: str, station: str, organisation_id: int | None) -> None:
    """Register IDENTITY at a station (idempotent). IDENTITY '-' reads one per line from stdin.

    An unregistered charge point (one that booted unknown) becomes registered; one at another
    station is moved. Prints created / updated / unchanged.
    """
    _provision(
        _items(identity),
        lambda item: register_charge_point(item, station, organisation_id).describe(),
    )


@chargepoint.command("set-password")
@click.argument("identity")
@click.option("--password", default=None, help="The password (16-40 printable ASCII characters).")
@click.option("--generate", is_flag=True, help="Generate a random password and print it once.")
@click.option("--clear", is_flag=True, help="Remove the password (no authentication).")
def chargepoint_set_password(
    identity: str, password: str | None, generate: bool, clear: bool
) -> None:
    """Set, rotate or clear the HTTP Basic auth password of IDENTITY (OCPP Security Profile 1).

    A charge point with a password must send it (username = its identity) to connect; set the
    same value on the charger as its AuthorizationKey. Without an option, asks for it twice.
    """
    if sum((password is not None, generate, clear)) > 1:
        raise click.UsageError("give only one of --password, --generate and --clear")
    charge_point_id = charger_security.find_charge_point_id(identity)
    if charge_point_id is None:
        raise click.BadParameter(f"no charge point {identity!r}", param_hint="'IDENTITY'")
    if clear:
        charger_security.clear_charge_point_password(charge_point_id)
        click.echo(f"charge point {identity}: password cleared; it connects without one")
        return
    if not generate and password is None:
        password = ask_password()
    try:
        key = charger_security.set_charge_point_password(charge_point_id, password)
    except charger_security.ChargerSecurityError as exc:
        raise click.BadParameter(str(exc), param_hint="'--password'") from exc
    click.echo(f"charge point {identity}: password set; it applies from the next connection")
    if generate:
        click.echo(f"AuthorizationKey: {key}")
        click.echo("Copy it now: CCMS keeps only a hash and cannot show it again.")


@click.group()
def idtag() -> None:
    """Id tag (RFID card) provisioning."""


@idtag.command("add")
@click.argument("id_tag")
@click.option("--expires", default=None, help="YYYY-MM-DD (end of that day, UTC) or ISO time.")
@click.option("--parent", default=None, help="Parent id tag (OCPP group).")
@click.option("--blocked", is_flag=True, help="Add the card blocked.")
@click.option("--org", "organisation_id", type=int, default=None, help="Owner organisation id.")
def idtag_add(
    id_tag: str,
    expires: str | None,
    parent: str | None,
    blocked: bool,
    organisation_id: int | None,
) -> None:
    """Create or update ID_TAG to exactly these settings. ID_TAG '-' reads many from stdin.

    Without --expires the card never expires; without --blocked it is active. Tags are
    case-insensitive as in OCPP. Prints created / updated / unchanged.
    """
    expiry = _parse_expiry(expires)
    _provision(
        _items(id_tag),
        lambda item: add_id_tag(item, expiry, organisation_id, parent, blocked).describe(),
    )


def _items(argument: str) -> Iterator[str]:
    """The single argument, or (for '-') each non-blank, non-# line of stdin."""
    if argument != "-":
        yield argument
        return
    with click.open_file("-") as stdin:  # "-": standard input, left open
        for line in stdin:
            item = line.strip()
            if item and not item.startswith("#"):
                yield item


def _provision(items: Iterable[str], apply: Callable[[str], str]) -> None:
    """Apply to each item, print one line each; bad input exits 2 (after the rest, for '-')."""
    failures = 0
    items = list(items)
    for item in items:
        try:
            click.echo(apply(item))
        except FieldError as exc:
            if len(items) == 1:
                raise click.BadParameter(str(exc), param_hint=_PARAM_HINTS.get(exc.field)) from exc
            click.echo(f"Error: {item!r}: {exc}", err=True)
            failures += 1
    if failures:
        click.echo(f"Error: {failures} of {len(items)} rejected", err=True)
        sys.exit(2)


def _parse_expiry(value: str | None) -> date | datetime | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        pass
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(
            f"{value!r} is not a date (YYYY-MM-DD) or ISO time", param_hint="'--expires'"
        ) from exc
    if parsed.tzinfo is None:
        raise click.BadParameter(
            f"{value!r} has no time zone; use YYYY-MM-DD or e.g. 2027-01-31T18:00:00+01:00",
            param_hint="'--expires'",
        )
    return parsed
