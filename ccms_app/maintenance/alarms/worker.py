"""The alarm worker: hears the chargers' changes on the event bus and applies them as alarms.

It collects relevant events for BATCH_WINDOW_S after the first one, and for another window as
long as more keep coming (at most MAX_WAIT_S), then applies the batch in one transaction in a
thread (maintenance.alarms.engine) and publishes the kind="alarm" events after the commit:
500 chargers faulting in the same second are one or two transactions, not 500, applied once
the burst calms down, so the OCPP writer has the database while the chargers wait for their
replies. Within 5 s of the message: at most MAX_WAIT_S plus one transaction.

A lost bus event (a full queue, a crash between the charger's commit and the batch) loses no
alarm: the sweep (maintenance.alarms.sweep) finds the same conditions in the rows.

The composition root starts it and the sweep:

    alarms = await start_alarm_worker(get_event_bus())
    install_alarm_sweep(start_scheduler(), settings)
    ...
    await alarms.stop()
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from ccms_app.core.events import EventBus, NetworkEvent
from ccms_app.core.types import utc_now
from ccms_app.maintenance.alarms.engine import apply_events, relevant
from ccms_app.maintenance.alarms.sweep import security_now

log = logging.getLogger(__name__)

BATCH_WINDOW_S = 0.4  # events arriving together share one transaction
MAX_WAIT_S = 2.0  # a burst is gathered while it lasts, at most this long
MAX_BATCH = 5_000  # a longer backlog is split (each batch a bounded transaction)


@dataclass
class AlarmWorker:
    bus: EventBus
    window_s: float = BATCH_WINDOW_S
    batches: int = 0  # applied so far (tests, diagnostics)
    busy_s: float = 0.0  # wall time spent applying them (the benchmark)
    _queue: asyncio.Queue[NetworkEvent] | None = None
    _task: asyncio.Task[None] | None = None
    _idle: asyncio.Event = field(default_factory=asyncio.Event)

    async def start(self) -> None:
        self._queue = self.bus.subscribe()
        self._idle.set()
        self._task = asyncio.create_task(self._run(), name="ccms-alarm-worker")

    async def stop(self) -> None:
        if self._queue is not None:
            self.bus.unsubscribe(self._queue)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def settled(self) -> None:
        """Wait until nothing collected is left unapplied (tests)."""
        await asyncio.sleep(0)
        while self._queue is not None and (not self._idle.is_set() or not self._queue.empty()):
            await asyncio.sleep(0.02)

    async def _run(self) -> None:
        queue = self._queue
        assert queue is not None
        while True:
            first = await queue.get()
            if not relevant(first):
                continue
            self._idle.clear()
            try:
                await self._apply(await self._collect(queue, first))
            finally:
                self._idle.set()

    async def _collect(
        self, queue: asyncio.Queue[NetworkEvent], first: NetworkEvent
    ) -> list[NetworkEvent]:
        """The first event and what follows it, window after window while the burst goes on."""
        batch = [first]
        deadline = time.monotonic() + max(self.window_s, MAX_WAIT_S)
        while True:
            await asyncio.sleep(self.window_s)
            arrived = 0
            while not queue.empty() and len(batch) < MAX_BATCH:
                event = queue.get_nowait()
                if relevant(event):
                    batch.append(event)
                    arrived += 1
            if not arrived or len(batch) >= MAX_BATCH or time.monotonic() >= deadline:
                return batch

    async def _apply(self, batch: list[NetworkEvent]) -> None:
        started = time.perf_counter()
        charger_events = [e for e in batch if e.kind != "security"]
        try:
            changes = await asyncio.to_thread(apply_events, charger_events, utc_now())
            if len(charger_events) < len(batch):  # refused connections were recorded
                changes += await asyncio.to_thread(security_now, utc_now())
        except Exception:  # the sweep finds what this batch missed
            log.exception("alarm batch failed", extra={"events": len(batch)})
            return
        finally:
            self.busy_s += time.perf_counter() - started
        self.batches += 1
        for change in changes:
            self.bus.publish(change)


async def start_alarm_worker(bus: EventBus, window_s: float = BATCH_WINDOW_S) -> AlarmWorker:
    """Start hearing the chargers' events; `stop()` the answer at shutdown."""
    worker = AlarmWorker(bus, window_s)
    await worker.start()
    return worker


@contextlib.asynccontextmanager
async def alarm_worker_running(
    bus: EventBus, window_s: float = BATCH_WINDOW_S
) -> AsyncIterator[AlarmWorker]:
    """The worker for the length of a block (tests, tools)."""
    worker = await start_alarm_worker(bus, window_s)
    try:
        yield worker
    finally:
        await worker.stop()
