"""`ccms simulate`: simulated OCPP 1.6J charge points against a running CSMS."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Awaitable, Callable

import click

from ccms_app.core.config import get_settings
from ocpp_server.simulator.fleet import run_fleet


@click.command()
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
    csms_url = url or f"ws://127.0.0.1:{get_settings().ocpp_port}/ocpp"
    click.echo(f"simulating {chargers} charge points ({prefix}{start_index:04d}..) on {csms_url}")
    asyncio.run(
        _until_stopped(
            lambda stop_event: run_fleet(
                csms_url,
                chargers=chargers,
                connectors=connectors,
                prefix=prefix,
                start_index=start_index,
                id_tags=list(id_tags) or None,
                meter_interval=meter_interval,
                session_probability=session_probability,
                fault_probability=fault_probability,
                tick=tick,
                stop_event=stop_event,
                seed=seed,
            )
        )
    )
    click.echo("simulator stopped")


async def _until_stopped(fleet: Callable[[asyncio.Event], Awaitable[None]]) -> None:
    """Run the fleet; SIGINT / SIGTERM set its stop event so it disconnects cleanly."""
    stop_event = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop_event.set)
    try:
        await fleet(stop_event)
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
