"""Starts and stops the charger side of CCMS inside one process (embedded mode, and each
`ccms ocpp-gateway`), or only the web side's link to the chargers (`ccms web`: `web_runtime`).

Order matters: the database writer before the OCPP server (handlers need it), the command port
once the server listens, the demo fleet last; shutdown runs in reverse so no frame is lost.

While it runs, `running_network()` names it (GET /healthz and /metrics read it), and every OCPP
frame is shown to the listeners of `listen_to_frames` (the metrics count them): read-only
views, so the HTTP side needs no import of the OCPP server's internals.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass

from ccms_app.analytics.monthly_report import schedule_monthly_reports
from ccms_app.analytics.power_samples import schedule_samples
from ccms_app.analytics.rollup import schedule_rollup
from ccms_app.charging.charger_events import ChargerEventService
from ccms_app.charging.reservations import schedule_expiry
from ccms_app.charging.session_end import schedule_sweep as schedule_stale_session_sweep
from ccms_app.control.command_routing import NO_LOCAL_CHARGERS, RoutedCommandPort
from ccms_app.control.commands import set_command_port
from ccms_app.control.firmware.campaign_runs import restore_campaign_jobs, schedule_campaign_sync
from ccms_app.core import db
from ccms_app.core.config import Settings, SettingsError
from ccms_app.core.events import get_event_bus
from ccms_app.core.leadership import Leadership
from ccms_app.core.scheduler import lead, leading, start_scheduler, stop_scheduler
from ccms_app.drivers.local_lists.job import schedule_sync as schedule_local_list_sync
from ccms_app.finance import session_pricing
from ccms_app.finance.documents.jobs import schedule_billing_jobs
from ccms_app.finance.live_costs import schedule_live_costs
from ccms_app.finance.memberships import stripe_events as membership_events
from ccms_app.finance.memberships.jobs import schedule_membership_jobs
from ccms_app.finance.payments import reservation_fees, session_payments, webhook_handlers
from ccms_app.finance.payments.jobs import schedule_payment_jobs, start_payment_worker
from ccms_app.load_balancing.demo_load_balancing import schedule_demo_building
from ccms_app.load_balancing.worker import start_load_balancer
from ccms_app.maintenance.alarms import sweep as alarm_sweep
from ccms_app.maintenance.alarms.worker import start_alarm_worker
from ccms_app.maintenance.notifications import email_hook as alarm_email
from ccms_app.maintenance.notifications.digest import schedule_alarm_digest
from ccms_app.maintenance.reports.rollup import schedule_uptime_rollup
from ccms_app.maintenance.work_orders import alarm_hook as work_order_hook
from ccms_app.maintenance.work_orders.jobs import schedule_work_order_jobs
from ccms_app.network.charger_security import ChargerSecurityService, ocpp_ssl_context
from ccms_app.retention import schedule_purge
from ccms_app.system.overrides import retention_days
from ccms_app.webhooks.service import start_webhooks
from ocpp_server.gc_policy import settle_after_startup
from ocpp_server.ports import FrameRecord
from ocpp_server.server import OcppServer
from ocpp_server.simulator.fleet import run_fleet

log = logging.getLogger(__name__)

DEMO_PREFIX = "DEMO-CP-"


FrameListener = Callable[[FrameRecord], None]
_frame_listeners: list[FrameListener] = []


def listen_to_frames(listener: FrameListener) -> None:
    """Show `listener` every OCPP frame, in and out (once, however often it is added)."""
    if listener not in _frame_listeners:
        _frame_listeners.append(listener)


class ObservedChargerEvents(ChargerEventService):
    """The event service, also showing each frame to the frame listeners (cheap, synchronous;
    a failing listener is logged and never touches the charger traffic)."""

    def record_frame(self, frame: FrameRecord) -> None:
        super().record_frame(frame)
        for listener in _frame_listeners:
            try:
                listener(frame)
            except Exception:
                log.exception("frame listener failed")


@dataclass
class NetworkRuntime:
    events: ChargerEventService
    server: OcppServer
    fleet: asyncio.Task[None] | None = None
    tls: bool = False

    @property
    def ocpp_url(self) -> str:
        scheme = "wss" if self.tls else "ws"
        return f"{scheme}://127.0.0.1:{self.server.port}/ocpp"


_running: NetworkRuntime | None = None


def running_network() -> NetworkRuntime | None:
    """The network runtime of this process while its OCPP server listens, else None."""
    return _running


@contextlib.contextmanager
def network_published(runtime: NetworkRuntime) -> Iterator[NetworkRuntime]:
    """Make `runtime` the one `running_network()` names, until the block ends."""
    global _running
    _running = runtime
    try:
        yield runtime
    finally:
        if _running is runtime:
            _running = None


async def _run_demo_fleet(url: str, settings: Settings, stop: asyncio.Event) -> None:
    try:
        await run_fleet(
            url,
            chargers=settings.demo_fleet,
            connectors=settings.demo_connectors,
            prefix=DEMO_PREFIX,
            stop_event=stop,
        )
    except Exception:
        log.exception("demo fleet stopped with an error")


def _scheduler_leadership() -> Leadership:
    """Who runs the scheduled jobs (core.leadership). Where other processes may share the
    database, this one's jobs stay paused until it takes the lock: the first try is made
    as soon as the runtime is up."""

    def elected() -> None:
        lead(True)
        restore_campaign_jobs()  # campaigns another leader planned since this process began

    leadership = Leadership(db.get_engine(), elected, lambda: lead(False))
    if leadership.shared:
        lead(False)
    return leadership


def install_domain_hooks() -> None:
    """What the modules do inside other modules' transactions: the same in every process
    (a web process takes Stripe's webhooks too)."""
    session_pricing.install()  # every session is priced in the transaction that ends it
    session_payments.install()  # paid: recorded at the start, settled after pricing, Blocked check
    reservation_fees.install()  # an unused reservation's fee, in the expiry sweep's transaction
    webhook_handlers.install()  # Stripe webhook events -> payments, top-ups, saved cards
    membership_events.install()  # Stripe subscription events drive card-plan memberships
    alarm_email.install()  # a rule's e-mail recipients: an outbox row in the alarm's transaction
    work_order_hook.install()  # alarm rules' work orders, in the alarm's transaction


@contextlib.asynccontextmanager
async def web_runtime(settings: Settings) -> AsyncIterator[RoutedCommandPort]:
    """A web process of a scale-out network (`ccms web`): no OCPP server and no scheduled
    jobs (the gateways hold the chargers and one of them leads); operators' commands go
    through Redis to whichever gateway holds the charger (`control.command_routing`). What
    operators do here (commands finished, alarms closed, work orders) is reported to
    webhooks from here: the outbox in the database is shared by every process."""
    if not settings.redis_url:
        raise SettingsError("CCMS_WEB_ONLY needs CCMS_REDIS_URL: the chargers are elsewhere")
    install_domain_hooks()
    webhooks = await start_webhooks(get_event_bus())
    routed = RoutedCommandPort(NO_LOCAL_CHARGERS, settings.redis_url)
    routed.start()
    set_command_port(routed)
    log.info("web runtime started: commands routed to the gateways")
    try:
        yield routed
    finally:
        set_command_port(None)
        await routed.stop()
        await webhooks.stop()
        log.info("web runtime stopped")


@contextlib.asynccontextmanager
async def network_runtime(settings: Settings) -> AsyncIterator[NetworkRuntime]:
    """The OCPP server with its event service and command port, plus the demo fleet if asked."""
    ssl_context = ocpp_ssl_context(settings)  # a bad certificate fails before anything starts
    install_domain_hooks()
    events = ObservedChargerEvents(get_event_bus(), settings)
    await events.start()
    webhooks = await start_webhooks(get_event_bus())  # hears the first boots, sends nothing inline
    server = OcppServer(
        events,
        host=settings.ocpp_host,
        port=settings.ocpp_port,
        ping_interval=settings.ocpp_ping_interval,
        ping_timeout=settings.ocpp_ping_timeout,
        close_timeout=settings.ocpp_close_timeout,
        response_timeout=settings.command_timeout,
        authenticator=ChargerSecurityService(),
        ssl=ssl_context,
    )
    await server.start()
    # scale-out: commands reach chargers held by other processes, and theirs reach ours
    routed = (
        RoutedCommandPort(server, settings.redis_url, get_event_bus())
        if settings.redis_url
        else None
    )
    if routed is not None:
        routed.start()
    set_command_port(routed or server)
    leadership = _scheduler_leadership()  # on PostgreSQL: jobs paused until this process leads
    schedule_expiry(start_scheduler())  # scheduled jobs send commands: after the port is set
    restore_campaign_jobs()  # planned firmware campaigns survive a restart
    if leadership.shared:  # ... and those planned in other processes are run by the leader
        schedule_campaign_sync(start_scheduler())
    schedule_local_list_sync(start_scheduler())  # pending list changes, syncs after boot
    schedule_purge(start_scheduler(), settings, retention_days(settings))  # + System settings
    schedule_stale_session_sweep(start_scheduler(), settings)  # sessions that lost their stop
    schedule_live_costs(start_scheduler(), settings)  # running sessions' cost so far
    schedule_billing_jobs(start_scheduler(), settings)  # receipts, invoices, their e-mail
    schedule_membership_jobs(start_scheduler(), settings)  # wallet membership fees, renewals
    schedule_alarm_digest(start_scheduler(), settings)  # alarm e-mail: a digest per list + window
    schedule_work_order_jobs(start_scheduler(), settings)  # verification, preventive plans
    schedule_uptime_rollup(start_scheduler())  # uptime_day: NEVI / UK sums per connector, day
    schedule_rollup(start_scheduler())  # analytics: charging per charge point hour, each minute
    schedule_samples(start_scheduler())  # analytics: network power and states every 5 minutes
    schedule_monthly_reports(start_scheduler(), settings)  # analytics: last month's report e-mail
    payments = await start_payment_worker(get_event_bus())  # holds, settlements, wallet guard
    schedule_payment_jobs(start_scheduler(), settings, payments)  # every CCMS_PAYMENT_INTERVAL_S
    alarms = await start_alarm_worker(get_event_bus())  # faults, offline, ... -> alarms (<5 s)
    alarm_sweep.install(start_scheduler(), settings)  # every CCMS_ALARM_SWEEP_INTERVAL_S
    balancer = await start_load_balancer(  # sites' allocations as charging profiles
        get_event_bus(),
        settings.load_balancing_interval_s,
        settings.command_timeout,
        leading=leading,  # scale-out: the process that runs the jobs balances every site
    )
    if settings.demo_fleet > 0:
        schedule_demo_building(start_scheduler())  # the demo site's building load curve
    runtime = NetworkRuntime(events=events, server=server, tls=ssl_context is not None)
    stop_fleet = asyncio.Event()
    if settings.demo_fleet > 0 and runtime.tls:
        log.warning("demo fleet not started: the simulator does not speak TLS (wss://) yet")
    elif settings.demo_fleet > 0:
        runtime.fleet = asyncio.create_task(
            _run_demo_fleet(runtime.ocpp_url, settings, stop_fleet), name="ccms-demo-fleet"
        )
    # Long-lived start-up objects leave the cyclic GC's view and in-flight CALLs are no longer
    # promoted to the oldest generation: full collections otherwise pause the event loop for
    # 70 ms to a second with thousands of connections (ocpp_server/gc_policy.py).
    leader = (
        asyncio.create_task(leadership.run(), name="ccms-scheduler-leadership")
        if leadership.shared
        else None
    )
    settle_after_startup()
    log.info(
        "network runtime started",
        extra={"ocpp_port": server.port, "demo_fleet": settings.demo_fleet},
    )
    try:
        with network_published(runtime):
            yield runtime
    finally:
        stop_fleet.set()
        if runtime.fleet is not None:
            try:
                await asyncio.wait_for(runtime.fleet, timeout=10)
            except (TimeoutError, asyncio.CancelledError):
                runtime.fleet.cancel()
        if leader is not None:
            leader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await leader  # gives the lock up: another process takes the jobs over
        await stop_scheduler()
        await payments.stop()
        await alarms.stop()
        await balancer.stop()
        set_command_port(None)
        if routed is not None:
            await routed.stop()
        await server.stop()
        await events.stop()
        await webhooks.stop()  # after the last events; attempts under way go back to the table
        log.info("network runtime stopped")
