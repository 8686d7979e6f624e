"""`ccms run`: migrate, seed the demo if asked, check the ports and TLS files, start Reflex."""

from __future__ import annotations

import socket
import sys

import click
from sqlmodel import col, select

from ccms_app.accounts.models import OperatorAccount
from ccms_app.cli import reflex_process
from ccms_app.cli.common import safe_url
from ccms_app.cli.database import seed
from ccms_app.core import migrations
from ccms_app.core.config import PROJECT_ROOT, Settings, get_settings
from ccms_app.core.db import read_session, set_engine
from ccms_app.demo import demo_admin_credentials
from ccms_app.network.charger_security import TlsConfigError, ocpp_ssl_context


@click.command()
def run() -> None:
    """Migrate the database, seed the demo (CCMS_DEMO_FLEET > 0) and start the server.

    One Reflex process serves the web UI and its backend on CCMS_WEB_PORT; its lifespan tasks
    start the OCPP server on CCMS_OCPP_PORT and the demo fleet. Ctrl-C / SIGTERM stop it.
    """
    settings = get_settings()
    _check_ports_free(settings)
    _check_tls(settings)
    migrations.upgrade_database()
    click.echo(f"database ready: {safe_url(settings.database_url)}")
    demo = settings.demo_fleet > 0
    if demo:
        for line in seed(settings.demo_fleet, settings.demo_connectors).lines():
            click.echo(line)
    for line in _banner(settings, demo):
        click.echo(line)
    set_engine(None)  # close this process's connections; the server opens its own
    sys.exit(reflex_process.run_reflex(settings.web_port))


def _check_ports_free(settings: Settings) -> None:
    """Fail early and clearly if a port is taken (instead of deep inside Reflex)."""
    if settings.web_port == settings.ocpp_port:
        raise click.UsageError("CCMS_WEB_PORT and CCMS_OCPP_PORT must differ")
    _probe_port("CCMS_WEB_PORT", "0.0.0.0", settings.web_port)
    _probe_port("CCMS_OCPP_PORT", settings.ocpp_host, settings.ocpp_port)


def _check_tls(settings: Settings) -> None:
    """A TLS certificate that cannot be loaded fails here, not inside the Reflex process."""
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
    with read_session() as session:
        return session.exec(select(col(OperatorAccount.id)).limit(1)).first() is not None
