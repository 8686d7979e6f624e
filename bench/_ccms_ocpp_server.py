"""CCMS's real OCPP path without Reflex, for bench/ocpp_throughput.py.

Two commands, both run in their own process with CCMS_DATABASE_URL pointing at a temp file:

    python bench/_ccms_ocpp_server.py prepare --chargers 2000 --tags 1000
        migrate a fresh SQLite database, seed the demo network with that many registered
        charge points (DEMO-CP-0001.., one connector each) and provision BENCH-TAG-00001..
        id tags; the harness copies the file for every server start.
    python bench/_ccms_ocpp_server.py serve
        the network runtime of ccms_app/runtime.py minus the scheduler and the demo fleet:
        ChargerEventService (with its DbWriter) + OcppServer (ChargerSecurityService as the
        authenticator, the command port set), CCMS's logging config; prints `READY <port>`.

Only the public constructors runtime.py uses are touched, so the bench starts whatever the
current code is.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import resource
import signal
import sys
import time

BENCH_TAG_PREFIX = "BENCH-TAG-"
CHARGER_PREFIX = "DEMO-CP-"  # ccms_app.demo.demo_identity(n) == CHARGER_PREFIX + f"{n:04d}"


def prepare(chargers: int, tags: int) -> None:
    """Migrate, seed `chargers` registered charge points and `tags` active id tags."""
    from ccms_app.core.config import get_settings
    from ccms_app.core.db import get_engine
    from ccms_app.core.migrations import upgrade_database
    from ccms_app.demo import seed_demo
    from ccms_app.network.provisioning import add_id_tag

    started = time.perf_counter()
    upgrade_database(get_settings().database_url)
    seed_demo(chargers + 1, connectors=1)  # the demo leaves its last identity unregistered
    for index in range(1, tags + 1):
        add_id_tag(f"{BENCH_TAG_PREFIX}{index:05d}")
    get_engine().dispose()
    sys.stdout.write(f"PREPARED {time.perf_counter() - started:.1f}\n")


def _settle_heap() -> None:
    """What runtime.py does after start-up; code older than ocpp_server.gc_policy (a
    --baseline run) only collected and froze."""
    try:
        from ocpp_server.gc_policy import settle_after_startup
    except ImportError:
        gc.collect()
        gc.freeze()
        return
    settle_after_startup()


async def serve() -> None:
    """Run the charger side of CCMS until SIGTERM/SIGINT."""
    from ccms_app.charging.charger_events import ChargerEventService
    from ccms_app.control.commands import set_command_port
    from ccms_app.core.config import get_settings
    from ccms_app.core.events import get_event_bus
    from ccms_app.core.logging import configure_logging
    from ccms_app.network.charger_security import ChargerSecurityService
    from ocpp_server.server import OcppServer

    settings = get_settings()
    configure_logging(settings.log_level)
    # What the product runs: the event service showing frames to the metrics counters
    # (revisions before them, e.g. a --baseline, have neither).
    service_class: type[ChargerEventService] = ChargerEventService
    try:
        from ccms_app.api import metrics
        from ccms_app.runtime import ObservedChargerEvents
    except ImportError:
        pass
    else:
        metrics.install()
        service_class = ObservedChargerEvents
    events = service_class(get_event_bus(), settings)
    await events.start()
    webhooks = None  # the webhook dispatcher listens on the bus too (revisions with webhooks)
    try:
        from ccms_app.webhooks.service import start_webhooks
    except ImportError:
        pass
    else:
        webhooks = await start_webhooks(get_event_bus())
    payments = None  # payment recording, the Blocked check, the worker (revisions with payments)
    try:
        from ccms_app.finance.payments import session_payments
        from ccms_app.finance.payments.jobs import start_payment_worker
    except ImportError:
        pass
    else:
        session_payments.install()
        payments = await start_payment_worker(get_event_bus())
    server = OcppServer(
        events,
        host=settings.ocpp_host,
        port=settings.ocpp_port,
        ping_interval=settings.ocpp_ping_interval,
        ping_timeout=settings.ocpp_ping_timeout,
        close_timeout=settings.ocpp_close_timeout,
        response_timeout=settings.command_timeout,
        authenticator=ChargerSecurityService(),
    )
    await server.start()
    set_command_port(server)
    _settle_heap()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    sys.stdout.write(f"READY {server.port}\n")
    sys.stdout.flush()
    try:
        await stop.wait()
    finally:
        set_command_port(None)
        await server.stop()
        await events.stop()
        if webhooks is not None:
            await webhooks.stop()
        if payments is not None:
            await payments.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    prepare_parser = commands.add_parser("prepare")
    prepare_parser.add_argument("--chargers", type=int, required=True)
    prepare_parser.add_argument("--tags", type=int, required=True)
    commands.add_parser("serve")
    args = parser.parse_args(argv)
    if args.command == "prepare":
        prepare(args.chargers, args.tags)
        return
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    asyncio.run(serve())


if __name__ == "__main__":
    main()
