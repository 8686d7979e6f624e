"""`ccms ocpp-gateway`: the charger side alone, for networks beyond one machine (issue 19).

The OCPP server with its writer, the charger event services and the scheduled jobs, and no
web UI. Several gateways run behind any TCP load balancer on one PostgreSQL database: the
scheduled jobs run in whichever process leads (`core.leadership`), and with
`CCMS_REDIS_URL` every gateway's network events reach the web processes' live pages
(`core.event_relay`). Stops cleanly on SIGINT / SIGTERM: chargers are disconnected and
reconnect to another gateway.
"""

from __future__ import annotations

import asyncio
import logging
import signal

import click

from ccms_app.core.config import Settings, get_settings
from ccms_app.core.event_relay import event_relay
from ccms_app.core.events import get_event_bus
from ccms_app.core.operator_zone import register_operator_zone
from ccms_app.finance.documents.listing import operator_zone
from ccms_app.runtime import network_runtime

log = logging.getLogger(__name__)


@click.command("ocpp-gateway")
def ocpp_gateway() -> None:
    """Run the OCPP server alone (no web UI) until Ctrl-C / SIGTERM."""
    settings = get_settings()
    asyncio.run(_serve(settings))
    click.echo("OCPP gateway stopped")


async def _serve(settings: Settings) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    register_operator_zone(operator_zone)  # times in alarm e-mails: the operator's zone
    async with (
        event_relay(get_event_bus(), settings.redis_url),
        network_runtime(settings) as runtime,
    ):
        click.echo(f"OCPP gateway listening on port {runtime.server.port}")
        log.info(
            "ocpp gateway ready",
            extra={"ocpp_port": runtime.server.port, "relay": bool(settings.redis_url)},
        )
        await stop.wait()
