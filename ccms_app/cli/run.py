"""`ccms run`: migrate, seed the demo if asked, check the ports and TLS files, start Reflex.

Without CCMS_DEMO_FLEET nothing here creates or changes an account or an API key (`ccms
create-admin` and `ccms apikey create` do). With the demo, the banner prints the demo login
and a demo API key with a curl example (a new key at every start, the previous one revoked:
`demo_api_key`), says where the web UI listens, and says plainly that such a server must not
face the internet: its login is public.
"""

from __future__ import annotations

import os
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
from ccms_app.demo import DemoSummary, demo_admin_credentials
from ccms_app.demo_api_key import DEMO_API_KEY_NAME, DemoApiKey, renew_demo_api_key
from ccms_app.driver_app.demo import DEMO_DRIVER_EMAIL, DEMO_DRIVER_PASSWORD
from ccms_app.network.charger_security import TlsConfigError, ocpp_ssl_context

ALL_ADDRESSES = "0.0.0.0"  # Reflex's default backend_host


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
    summary, demo_key = None, None
    if settings.demo_fleet > 0:
        summary = seed(settings.demo_fleet, settings.demo_connectors)
        for line in summary.lines():
            click.echo(line)
        demo_key = renew_demo_api_key()
    for line in _banner(settings, summary, demo_key):
        click.echo(line)
    set_engine(None)  # close this process's connections; the server opens its own
    sys.exit(reflex_process.run_reflex(settings.web_port))


def _check_ports_free(settings: Settings) -> None:
    """Fail early and clearly if a port is taken (instead of deep inside Reflex)."""
    if settings.web_port == settings.ocpp_port:
        raise click.UsageError("CCMS_WEB_PORT and CCMS_OCPP_PORT must differ")
    check_port_free("CCMS_WEB_PORT", web_listen_address(), settings.web_port)
    check_port_free("CCMS_OCPP_PORT", settings.ocpp_host, settings.ocpp_port)


def _check_tls(settings: Settings) -> None:
    """A TLS certificate that cannot be loaded fails here, not inside the Reflex process."""
    try:
        ocpp_ssl_context(settings)
    except TlsConfigError as exc:
        raise click.ClickException(str(exc)) from exc


def check_port_free(name: str, host: str, port: int) -> None:
    """A port another process holds fails here, naming its CCMS_* variable."""
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


def web_listen_address() -> str:
    """Where Reflex listens for the web UI: REFLEX_BACKEND_HOST, else all addresses."""
    return os.environ.get("REFLEX_BACKEND_HOST", "").strip() or ALL_ADDRESSES


def _banner(settings: Settings, demo: DemoSummary | None, demo_key: DemoApiKey | None) -> list[str]:
    host = web_listen_address()
    web_url = f"http://localhost:{settings.web_port}"
    where = "all network addresses" if host in (ALL_ADDRESSES, "::") else "this address only"
    lines = [
        "",
        "=" * 72,
        f"  CCMS web UI     {web_url}",
        f"  Listening on    {host}:{settings.web_port} ({where})",
        f"  OCPP 1.6J       {settings.charger_ocpp_url}/<charge point identity>",
    ]
    if demo is not None:
        email, password = demo_admin_credentials()
        kept = not (demo.admin_created or demo.admin_password_reset)
        note = " (unless you changed it)" if kept else ""
        lines += [
            f"  Demo login      {email} / {password}{note}",
            *_demo_key_lines(demo_key, web_url),
            f"  Driver app      {web_url}/app  ({DEMO_DRIVER_EMAIL} / {DEMO_DRIVER_PASSWORD})",
            f"  Demo fleet      {settings.demo_fleet} simulated charge points (DEMO-CP-0001..)",
            "",
            "  WARNING: this is a DEMO. Its login is public (printed here and in the README)",
            "  and so is its API key (printed here, with the rights of an administrator):",
            "  this server must NOT be reachable from the internet. Keep it on a trusted",
            "  network, or set REFLEX_BACKEND_HOST=127.0.0.1 to serve this machine only.",
            "  For real use start without CCMS_DEMO_FLEET and run `ccms create-admin`.",
        ]
    elif not _has_operator_account():
        lines.append("  No operator account yet: ccms create-admin --email you@example.com")
    if not (PROJECT_ROOT / ".web" / "node_modules").is_dir():
        lines.append("  The first start builds the web UI (npm install): allow 1-3 minutes.")
    lines += ["=" * 72, ""]
    return lines


def _demo_key_lines(demo_key: DemoApiKey | None, web_url: str) -> list[str]:
    """The demo key (new at every start) and one request to try it with."""
    if demo_key is None:
        return []
    view = demo_key.view
    return [
        f"  Demo API key    {demo_key.key}  ({view.role}, {view.organisation})",
        f'                  new at every start: the previous "{DEMO_API_KEY_NAME}" is revoked',
        f"  Try the API     {demo_key.curl_example(web_url)}",
    ]


def _has_operator_account() -> bool:
    with read_session() as session:
        return session.exec(select(col(OperatorAccount.id)).limit(1)).first() is not None
