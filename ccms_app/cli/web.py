"""`ccms web`: the web UI alone, with several workers, for a scale-out network (issue 19).

The same Reflex app as `ccms run`, with no OCPP server and no scheduled jobs in it
(`CCMS_WEB_ONLY`): the gateways (`ccms ocpp-gateway`) hold the chargers and one of them
runs the jobs. Every worker shares the browsers' state through Redis (Reflex's state
manager, `REFLEX_REDIS_URL`), sees every gateway's events (`core.event_relay`) and sends
operators' commands to the gateway holding the charger (`control.command_routing`).
Several `ccms web` processes may run behind an HTTP load balancer as well.

It needs PostgreSQL and Redis, and does not migrate: `ccms db upgrade` runs once, before
the processes start (docs/deploy.md).
"""

from __future__ import annotations

import sys

import click

from ccms_app.cli import reflex_process
from ccms_app.cli.common import safe_url
from ccms_app.cli.run import check_port_free, web_listen_address
from ccms_app.core.config import Settings, get_settings


def web_environment(settings: Settings, workers: int) -> dict[str, str]:
    """What the Reflex child gets on top of this environment."""
    return {
        "CCMS_WEB_ONLY": "true",
        "REFLEX_REDIS_URL": settings.redis_url,  # Reflex keeps every tab's state there
        "GRANIAN_WORKERS": str(workers),
    }


def check_scale_out(settings: Settings) -> None:
    """The web UI alone needs the shared database and Redis; say so, not a stack trace."""
    if not settings.redis_url:
        raise click.UsageError(
            "ccms web needs CCMS_REDIS_URL (the workers share state and events through "
            "Redis). For one machine use `ccms run`."
        )
    if settings.database_url.startswith("sqlite"):
        raise click.UsageError(
            "ccms web needs PostgreSQL in CCMS_DATABASE_URL (gateways and web processes "
            "share it). For one machine on SQLite use `ccms run`."
        )


@click.command("web")
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="Web worker processes [default: CCMS_WEB_WORKERS, 2].",
)
def web(workers: int | None) -> None:
    """Run the web UI without an OCPP server, with WORKERS processes, until Ctrl-C / SIGTERM."""
    settings = get_settings()
    workers = workers or settings.web_workers
    check_scale_out(settings)
    check_port_free("CCMS_WEB_PORT", web_listen_address(), settings.web_port)
    click.echo(f"database: {safe_url(settings.database_url)}")
    click.echo(
        f"CCMS web UI on {web_listen_address()}:{settings.web_port} with {workers} workers; "
        "chargers connect to the OCPP gateways"
    )
    env = web_environment(settings, workers)
    sys.exit(reflex_process.run_reflex(settings.web_port, extra_env=env))
