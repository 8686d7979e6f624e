"""The load balancer: hears the network on the event bus and recomputes the sites it touches.

Triggers: a transaction starts or stops, meter values of a running session, a charger goes
online / offline / boots, a site's configuration or building load changes (kind="load_site"),
a site meter's reading over OCPP (kind="meter_reading"), and a tick every
CCMS_LOAD_BALANCING_INTERVAL_S (plan switches, profile refreshes, the decision log's minute
rows). Events within `DEBOUNCE_S` are one recomputation per site. A recomputation runs in a
thread; its profile orders are sent in their own task, so a slow charger never holds the
next recomputation up.

A booting member charger first gets its fallback TxDefaultProfile (profiles.install_fallback).

The composition root starts it:

    balancer = await start_load_balancer(get_event_bus(), settings)
    ...
    await balancer.stop()
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import select

from ccms_app.core.db import read_session
from ccms_app.core.events import EventBus, NetworkEvent
from ccms_app.load_balancing.building_load import TRIGGER as BUILDING_LOAD
from ccms_app.load_balancing.building_load import record_reading
from ccms_app.load_balancing.controller import QUIET_TRIGGERS, recompute
from ccms_app.load_balancing.models import LoadMember, LoadSite
from ccms_app.load_balancing.profiles import install_fallback, send_orders
from ccms_app.load_balancing.site_loads import Key

log = logging.getLogger(__name__)

DEBOUNCE_S = 0.3
BOOT_SETTLE_S = 1.0


@dataclass(frozen=True)
class Membership:
    site_of: dict[int, int]  # charge point id -> site id
    fallback: dict[int, tuple[float, str]]  # charge point id -> (fallback A, AC|DC)
    meters: dict[tuple[int, int], int]  # (charge point id, connector id) -> site id
    sites: list[int]  # enabled sites


def load_membership() -> Membership:
    with read_session() as db:
        sites = {s.id: s for s in db.exec(select(LoadSite)) if s.id is not None}
        members = db.exec(select(LoadMember)).all()
    enabled = [sid for sid, s in sites.items() if s.enabled]
    return Membership(
        site_of={m.charge_point_id: m.site_id for m in members},
        fallback={m.charge_point_id: (m.fallback_current_a, m.current_type) for m in members},
        meters={
            (s.meter_charge_point_id, s.meter_connector_id): sid
            for sid, s in sites.items()
            if s.meter_charge_point_id is not None
        },
        sites=enabled,
    )


@dataclass
class LoadBalancer:
    bus: EventBus
    interval_s: float = 30.0
    command_timeout: float | None = None
    recomputations: int = 0
    membership: Membership = field(default_factory=lambda: Membership({}, {}, {}, []))
    _lines: dict[Key, dict[str, float]] = field(default_factory=dict)
    _dirty: dict[int, str] = field(default_factory=dict)
    _wake: asyncio.Event = field(default_factory=asyncio.Event)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)
    _sending: set[asyncio.Task[None]] = field(default_factory=set)
    _queue: asyncio.Queue[NetworkEvent] | None = None
    # Scale-out: one process balances the sites, the one running the scheduled jobs
    # (core.leadership), on every process's events; the others' balancers stay idle.
    leading: Callable[[], bool] = lambda: True
    _led: bool = True

    async def start(self) -> None:
        self.membership = await asyncio.to_thread(load_membership)
        self._led = self.leading()
        self._queue = self.bus.subscribe(remote=True)  # a site's chargers may be anywhere
        self._tasks = [
            asyncio.create_task(self._listen(), name="ccms-load-balancer-events"),
            asyncio.create_task(self._run(), name="ccms-load-balancer"),
            asyncio.create_task(self._tick(), name="ccms-load-balancer-tick"),
        ]
        self.mark_all("start")

    async def stop(self) -> None:
        if self._queue is not None:
            self.bus.unsubscribe(self._queue)
        for task in [*self._tasks, *self._sending]:
            task.cancel()
        for task in [*self._tasks, *self._sending]:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    def mark(self, site_id: int, trigger: str) -> None:
        """Recompute `site_id` soon; the decision is named after the first trigger since the
        last run that is not meter values or the tick."""
        if self._dirty.get(site_id, "meter values") in QUIET_TRIGGERS:
            self._dirty[site_id] = trigger
        self._wake.set()

    def mark_all(self, trigger: str) -> None:
        for site_id in self.membership.sites:
            self.mark(site_id, trigger)

    async def settle(self, timeout: float = 10.0) -> None:
        """Wait until nothing is pending or being sent (tests, benchmarks)."""
        async with asyncio.timeout(timeout):
            while self._dirty or self._sending or (self._queue and not self._queue.empty()):
                await asyncio.sleep(0.05)

    async def _leads(self) -> bool:
        """Whether this process balances now; on taking over, start from the database."""
        leads = self.leading()
        if leads and not self._led:
            self.membership = await asyncio.to_thread(load_membership)
            self.mark_all("took over")
            log.info("load balancing taken over by this process")
        self._led = leads
        return leads

    async def _listen(self) -> None:
        assert self._queue is not None
        while True:
            event = await self._queue.get()
            try:
                if not await self._leads():
                    continue  # the leading process handles it
                await self._handle(event)
            except Exception:
                log.exception("load balancer could not handle an event", extra={"kind": event.kind})

    async def _handle(self, event: NetworkEvent) -> None:
        if event.kind == "load_site":
            await self._reconfigured(event)
            return
        cp_id = event.charge_point_id
        if cp_id is None:
            return
        if event.kind == "meter_reading":
            await self._site_meter(cp_id, event.data)
            return
        site_id = self.membership.site_of.get(cp_id)
        if site_id is None:
            return
        if event.kind == "session":
            self.mark(site_id, self._session_trigger(cp_id, event.data))
        elif event.kind == "charge_point":
            await self._charger_changed(site_id, cp_id, event.data)

    def _session_trigger(self, cp_id: int, data: dict[str, object]) -> str:
        key = (cp_id, int(str(data.get("connector_id", 0))))
        lines = data.get("phase_current_a")
        if isinstance(lines, dict):
            self._lines[key] = {str(k): float(v) for k, v in lines.items()}
        if data.get("meter"):
            return "meter values"
        self._lines.pop(key, None)
        return "transaction started" if data.get("status") == "active" else "transaction ended"

    async def _charger_changed(self, site_id: int, cp_id: int, data: dict[str, object]) -> None:
        if "boot" in data:
            self._fallback_soon(cp_id)
            self.mark(site_id, "charger booted")
        elif data.get("online") is True:
            self.mark(site_id, "charger online")
        elif data.get("online") is False:
            self.mark(site_id, "charger offline")

    def _fallback_soon(self, cp_id: int) -> None:
        known = self.membership.fallback.get(cp_id)
        if known is not None:  # (removed from its site meanwhile: nothing to install)
            self._spawn(self._fallback(cp_id, *known))

    async def _fallback(self, cp_id: int, fallback_a: float, current_type: str) -> None:
        # After the BootNotification's reply has reached the charger (the CALLRESULT goes
        # out after the commit that published the boot): a charger may refuse CALLs before.
        await asyncio.sleep(BOOT_SETTLE_S)
        status = await install_fallback(cp_id, fallback_a, current_type, self.command_timeout)
        log.info(
            "load balancing fallback profile",
            extra={"charge_point_id": cp_id, "fallback_a": fallback_a, "status": status},
        )

    async def _reconfigured(self, event: NetworkEvent) -> None:
        site_id = event.data.get("site_id")
        if event.data.get("trigger") == BUILDING_LOAD:
            if isinstance(site_id, int) and site_id in self.membership.sites:
                self.mark(site_id, "building load")
            return
        before = set(self.membership.site_of)
        self.membership = await asyncio.to_thread(load_membership)
        for cp_id in set(self.membership.site_of) - before:
            self._fallback_soon(cp_id)  # a new member: its safe default (offline: fails, logged)
        if isinstance(site_id, int):  # switched off or deleted too: its shares go
            self.mark(site_id, "configuration")

    async def _site_meter(self, cp_id: int, data: dict[str, object]) -> None:
        connector_id = int(str(data.get("connector_id", 0)))
        site_id = self.membership.meters.get((cp_id, connector_id))
        lines = data.get("phase_current_a")
        if site_id is None or not isinstance(lines, dict):
            return
        at = datetime.fromisoformat(str(data["measured_at"]))
        l1, l2, l3 = (float(lines.get(p, 0.0)) for p in ("L1", "L2", "L3"))
        await asyncio.to_thread(record_reading, site_id, at, l1, l2, l3, "ocpp")

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            await asyncio.sleep(DEBOUNCE_S)
            self._wake.clear()
            dirty, self._dirty = self._dirty, {}
            if not self.leading():
                continue
            for site_id, trigger in dirty.items():
                await self._recompute(site_id, trigger)

    async def _recompute(self, site_id: int, trigger: str) -> None:
        lines = dict(self._lines)
        try:
            outcome = await asyncio.to_thread(recompute, site_id, trigger, lines)
        except Exception:
            log.exception("load balancing recomputation failed", extra={"site_id": site_id})
            return
        self.recomputations += 1
        if outcome.orders:
            self._spawn(send_orders(outcome.orders, self.command_timeout))

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(self.interval_s)
            if not await self._leads():
                continue
            self.membership = await asyncio.to_thread(load_membership)
            self.mark_all("periodic")


async def start_load_balancer(
    bus: EventBus,
    interval_s: float = 30.0,
    command_timeout: float | None = None,
    leading: Callable[[], bool] = lambda: True,
) -> LoadBalancer:
    balancer = LoadBalancer(
        bus, interval_s=interval_s, command_timeout=command_timeout, leading=leading
    )
    await balancer.start()
    return balancer
