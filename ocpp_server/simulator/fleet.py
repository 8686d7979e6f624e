"""A fleet of simulated charge points with a simple behaviour model (the demo network).

Every `tick` seconds each free connector starts a session with `session_probability` (with a
card from `id_tags` that is not charging elsewhere: one card, one session), a
running session stops once its planned duration is over (or soon after the car is full), and
each charge point faults one of its connectors with `fault_probability`; the fault clears
after a while. Charge points reconnect with backoff when the CSMS goes away.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Awaitable, Callable

from ocpp_server.simulator.charge_point import SimulatedChargePoint

log = logging.getLogger(__name__)

DEFAULT_ID_TAGS = [f"DEMO-TAG-{i:03d}" for i in range(1, 21)]
SESSION_SECONDS = (300.0, 3600.0)  # planned session length (the car may be full earlier)
FAULT_SECONDS = (20.0, 120.0)  # how long an injected fault lasts
FULL_STOP_PROBABILITY = 0.5  # per tick, the driver comes back once the car is full
FAULT_CODES = (
    "GroundFailure",
    "OverCurrentFailure",
    "HighTemperature",
    "PowerMeterFailure",
    "ConnectorLockFailure",
    "EVCommunicationError",
    "OverVoltage",
    "InternalError",
)
CONNECT_SPREAD_S = 10.0  # all charge points connect within about this long
SHUTDOWN_TIMEOUT_S = 15.0

Key = tuple[str, int]


class FleetBehaviour:
    """Decides, tick by tick, what the drivers and the hardware of the fleet do."""

    def __init__(
        self,
        charge_points: list[SimulatedChargePoint],
        rng: random.Random,
        id_tags: list[str],
        session_probability: float,
        fault_probability: float,
    ) -> None:
        self.charge_points = charge_points
        self.rng = rng
        self.id_tags = id_tags
        self.session_probability = session_probability
        self.fault_probability = fault_probability
        self._stop_at: dict[Key, float] = {}
        self._recover_at: dict[Key, float] = {}
        self._busy: dict[Key, asyncio.Task[None]] = {}
        self._tags_charging: set[str] = set()
        self._tags_arriving: set[str] = set()  # plug-ins in progress

    def tick(self, now: float | None = None) -> None:
        """Start this tick's actions (each runs as its own task; one per connector at a time)."""
        now = time.monotonic() if now is None else now
        self._tags_charging = {
            tag for cp in self.charge_points for tag in cp.active_id_tags.values()
        }
        for cp in self.charge_points:
            if cp.is_accepted:
                self._maybe_fault(cp, now)
                for cid in cp.connector_ids:
                    if (cp.identity, cid) not in self._busy:
                        self._step_connector(cp, cid, now)

    def _maybe_fault(self, cp: SimulatedChargePoint, now: float) -> None:
        if self.rng.random() >= self.fault_probability:
            return
        candidates = [
            cid
            for cid in cp.connector_ids
            if (cp.identity, cid) not in self._busy and cp.connector_statuses[cid] != "Faulted"
        ]
        if not candidates:
            return
        cid = self.rng.choice(candidates)
        self._recover_at[(cp.identity, cid)] = now + self.rng.uniform(*FAULT_SECONDS)
        code = self.rng.choice(FAULT_CODES)
        self._act(cp, cid, lambda: cp.inject_fault(cid, code, f"SIM-{code[:8].upper()}"))

    def _step_connector(self, cp: SimulatedChargePoint, cid: int, now: float) -> None:
        key = (cp.identity, cid)
        if cp.connector_statuses[cid] == "Faulted":
            recover_at = self._recover_at.setdefault(key, now + self.rng.uniform(*FAULT_SECONDS))
            if now >= recover_at:
                del self._recover_at[key]
                self._act(cp, cid, lambda: cp.clear_fault(cid))
        elif cid in cp.active_transactions:
            stop_at = self._stop_at.setdefault(key, now + self.rng.uniform(*SESSION_SECONDS))
            full = cp.is_full(cid) and self.rng.random() < FULL_STOP_PROBABILITY
            if now >= stop_at or full:
                self._stop_at.pop(key, None)
                reason = self.rng.choice(("Local", "EVDisconnected"))
                self._act(cp, cid, lambda: cp.stop_charging(cid, reason))
        elif cid in cp.free_connectors() and self.rng.random() < self.session_probability:
            id_tag = self._free_tag()
            if id_tag is not None:
                self._stop_at[key] = now + self.rng.uniform(*SESSION_SECONDS)
                self._tags_arriving.add(id_tag)
                self._act(cp, cid, lambda: self._plug_in(cp, cid, id_tag))

    def _free_tag(self) -> str | None:
        """A card not charging anywhere in the fleet (the CSMS answers ConcurrentTx to reuse)."""
        busy = self._tags_charging | self._tags_arriving
        free = [tag for tag in self.id_tags if tag not in busy]
        return self.rng.choice(free) if free else None

    async def _plug_in(self, cp: SimulatedChargePoint, cid: int, id_tag: str) -> None:
        try:
            if await cp.plug_in_and_charge(cid, id_tag) is None:
                self._stop_at.pop((cp.identity, cid), None)
        finally:
            self._tags_arriving.discard(id_tag)
            self._tags_charging = self._tags_charging | set(cp.active_id_tags.values())

    def _act(
        self, cp: SimulatedChargePoint, cid: int, action: Callable[[], Awaitable[None]]
    ) -> None:
        key = (cp.identity, cid)
        task = asyncio.create_task(self._run(key, action))
        self._busy[key] = task

    async def _run(self, key: Key, action: Callable[[], Awaitable[None]]) -> None:
        try:
            await action()
        except Exception:
            log.exception("fleet action failed", extra={"identity": key[0], "connector_id": key[1]})
        finally:
            self._busy.pop(key, None)

    async def finish(self, timeout: float) -> None:
        """Let actions in flight complete (a cancelled StartTransaction would leave a session
        open on the CSMS that nobody stops), cancelling what is still running after `timeout`."""
        tasks = list(self._busy.values())
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=timeout)
            for task in pending:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)


async def run_fleet(
    url: str,
    chargers: int,
    connectors: int = 2,
    prefix: str = "CP-",
    start_index: int = 1,
    id_tags: list[str] | None = None,
    meter_interval: float = 10.0,
    session_probability: float = 0.3,
    fault_probability: float = 0.01,
    tick: float = 5.0,
    stop_event: asyncio.Event | None = None,
    seed: int | None = None,
) -> None:
    """Run `chargers` simulated charge points `{prefix}{i:04d}` until `stop_event` is set.

    `session_probability` is per free connector per tick, `fault_probability` per charge
    point per tick. On stop, running sessions are stopped (reason Local) and every
    connection is closed.
    """
    rng = random.Random(seed)
    stop_event = stop_event or asyncio.Event()
    tags = list(id_tags) if id_tags else list(DEFAULT_ID_TAGS)
    fleet = [
        SimulatedChargePoint(
            f"{prefix}{i:04d}",
            url,
            connectors=connectors,
            meter_interval=meter_interval,
            id_tags=tags,
            rng=random.Random(rng.getrandbits(64)),
            validate_schemas=False,
        )
        for i in range(start_index, start_index + chargers)
    ]
    log.info("fleet starting", extra={"url": url, "chargers": chargers, "connectors": connectors})
    spread = min(0.05, CONNECT_SPREAD_S / max(chargers, 1))
    connecting = [
        asyncio.create_task(cp.connect_with_retry(initial_delay=n * spread))
        for n, cp in enumerate(fleet)
    ]
    behaviour = FleetBehaviour(fleet, rng, tags, session_probability, fault_probability)
    try:
        while not stop_event.is_set():
            behaviour.tick()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop_event.wait(), tick)
    finally:
        for task in connecting:
            task.cancel()
        await asyncio.gather(*connecting, return_exceptions=True)
        await behaviour.finish(SHUTDOWN_TIMEOUT_S / 3)
        await _close_all(fleet)
        log.info("fleet stopped", extra={"chargers": chargers})


async def _close_all(fleet: list[SimulatedChargePoint]) -> None:
    """Stop sessions and disconnect; give up on the polite part after SHUTDOWN_TIMEOUT_S."""
    try:
        async with asyncio.timeout(SHUTDOWN_TIMEOUT_S):
            await asyncio.gather(
                *(cp.close(stop_reason="Local") for cp in fleet), return_exceptions=True
            )
    except TimeoutError:
        log.warning("fleet shutdown timed out; closing without stopping sessions")
        await asyncio.gather(*(cp.close() for cp in fleet), return_exceptions=True)
