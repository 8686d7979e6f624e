"""The payment worker: card holds, settlements and the wallet guard, off the OCPP path.

One pass (`payment_pass`, blocking, run in a thread) does, in this order:
1. place the holds of new card sessions (and ask again for any hold whose answer was lost);
2. settle ended sessions the database can settle now (costs released from review since the
   stop, wallet charges that failed);
3. capture / charge the excess / release for ended card sessions (and retry failed ones);
4. (scheduled runs only) check every running wallet session against its wallet;
then the RemoteStopTransactions it claimed are sent (a declined hold, a used-up wallet).

When: every CCMS_PAYMENT_INTERVAL_S seconds (`schedule_payment_jobs`), and at once when a
session starts or ends (the worker hears `session` events on the event bus, like the live
publisher, and kicks a pass). A kick that is missed (a full bus queue, a restart) loses
nothing: the next scheduled pass finds the same rows. Passes never overlap (one lock).

The wallet guard also listens: every meter event of a wallet session marks it, and after
GUARD_DELAY_S the marked sessions' wallets are checked in a thread
(finance.payments.wallet_guard). Which sessions pay by wallet is cached per session (one
query for sessions the worker has not seen), so other sessions' meter values cost a dict
look-up here.

The composition root starts it after the command port is set (it sends commands):

    payments = await start_payment_worker(get_event_bus())
    schedule_payment_jobs(start_scheduler(), settings, payments)
    ...
    await payments.stop()
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Coroutine
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from apscheduler.schedulers.base import BaseScheduler

from ccms_app.core.config import Settings
from ccms_app.core.events import EventBus, NetworkEvent
from ccms_app.core.types import utc_now
from ccms_app.finance.payments.card_capture import card_sessions_to_settle, settle_card
from ccms_app.finance.payments.card_holds import place_hold, sessions_needing_a_hold
from ccms_app.finance.payments.models import PaymentMethod
from ccms_app.finance.payments.session_payments import StopOrder, send_stops
from ccms_app.finance.payments.session_settlement import settle_ended_sessions
from ccms_app.finance.payments.wallet_guard import GUARD_DELAY_S, check_wallets, wallet_methods

log = logging.getLogger(__name__)

JOB_ID = "ccms-session-payments"
KICK_DELAY_S = 0.2  # starts and stops arriving together share one pass
METHOD_CACHE_MAX = 100_000


@dataclass(frozen=True)
class PaymentRun:
    """What one pass did."""

    holds: int = 0
    settled: int = 0
    cards: int = 0
    stops: int = 0


def payment_pass(now: datetime, guard_all: bool) -> tuple[PaymentRun, list[StopOrder]]:
    """One pass of the job (blocking: database and Stripe); the stops to send."""
    stops: list[StopOrder] = []
    holds = sessions_needing_a_hold()
    for session_id in holds:
        stops += _safely(place_hold, session_id) or []
    settled = settle_ended_sessions(now)
    cards = card_sessions_to_settle(now)
    for session_id in cards:
        _safely(settle_card, session_id)
    if guard_all:
        stops += check_wallets(None, now)
    return PaymentRun(len(holds), settled, len(cards), len(stops)), stops


def _safely(step: Any, session_id: int) -> list[StopOrder] | None:
    """One session's step; its failure is logged and never stops the others'."""
    try:
        result = step(session_id)
    except Exception:
        log.exception("payment step failed", extra={"transaction_id": session_id})
        return None
    return [result] if isinstance(result, StopOrder) else None


async def run_payments(guard_all: bool = True) -> PaymentRun:
    """One pass off the event loop, then its stops (awaited: tests see them sent)."""
    run, stops = await asyncio.to_thread(payment_pass, utc_now(), guard_all)
    await send_stops(stops)
    if run != PaymentRun():
        log.info("session payments", extra=run.__dict__)
    return run


@dataclass
class PaymentWorker:
    """Kicks passes on session starts and ends, and guards wallets on meter events."""

    bus: EventBus
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    _kick: asyncio.Event = field(default_factory=asyncio.Event)
    _guard: asyncio.Event = field(default_factory=asyncio.Event)
    _marked: set[int] = field(default_factory=set)
    _methods: dict[int, str] = field(default_factory=dict)
    _tasks: set[asyncio.Task[Any]] = field(default_factory=set)
    _queue: asyncio.Queue[NetworkEvent] | None = None

    async def start(self) -> None:
        self._queue = self.bus.subscribe()
        for loop in (self._listen(), self._kicked(), self._guarding()):
            self._spawn(loop)

    async def stop(self) -> None:
        if self._queue is not None:
            self.bus.unsubscribe(self._queue)
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def run_once(self, guard_all: bool = True) -> PaymentRun:
        """A pass; never two at once (the scheduled job and kicks share the lock)."""
        async with self._lock:
            return await run_payments(guard_all)

    def _spawn(self, work: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _listen(self) -> None:
        assert self._queue is not None
        while True:
            self.take(await self._queue.get())

    def take(self, event: NetworkEvent) -> None:
        """What one bus event means for payments (cheap: runs for every event)."""
        if event.kind != "session":
            return
        data = event.data
        session_id = data.get("transaction_id")
        if not isinstance(session_id, int):
            return
        if data.get("started") or data.get("stopped"):
            self._kick.set()
        if data.get("stopped"):
            self._methods.pop(session_id, None)
        elif (
            data.get("meter")
            and self._methods.get(session_id, PaymentMethod.WALLET) == PaymentMethod.WALLET
        ):
            self._marked.add(session_id)  # a wallet session, or one not looked up yet
            self._guard.set()

    async def _kicked(self) -> None:
        while True:
            await self._kick.wait()
            await asyncio.sleep(KICK_DELAY_S)
            self._kick.clear()
            try:
                await self.run_once(guard_all=False)
            except Exception:
                log.exception("payment pass failed")

    async def _guarding(self) -> None:
        while True:
            await self._guard.wait()
            await asyncio.sleep(GUARD_DELAY_S)
            self._guard.clear()
            marked, self._marked = self._marked, set()
            try:
                stops = await asyncio.to_thread(self._guard_step, marked)
            except Exception:
                log.exception("wallet guard failed")
                continue
            if stops:
                self._spawn(send_stops(stops))

    def _guard_step(self, marked: set[int]) -> list[StopOrder]:
        """In a thread: learn the methods of sessions not seen yet, check the wallets."""
        unknown = [i for i in marked if i not in self._methods]
        if len(self._methods) > METHOD_CACHE_MAX:
            self._methods.clear()
        found = wallet_methods(unknown)
        for session_id in unknown:
            self._methods[session_id] = found.get(session_id, "")
        wallets = {i for i in marked if self._methods.get(i) == PaymentMethod.WALLET}
        return check_wallets(wallets) if wallets else []


async def start_payment_worker(bus: EventBus) -> PaymentWorker:
    """Start hearing session and meter events; `stop()` the answer at shutdown."""
    worker = PaymentWorker(bus)
    await worker.start()
    return worker


@contextlib.asynccontextmanager
async def payment_worker_running(bus: EventBus) -> Any:
    """The worker for the length of a block (tests, tools)."""
    worker = await start_payment_worker(bus)
    try:
        yield worker
    finally:
        await worker.stop()


def schedule_payment_jobs(
    scheduler: BaseScheduler, settings: Settings, worker: PaymentWorker
) -> None:
    """A full pass (wallet guard included) every CCMS_PAYMENT_INTERVAL_S seconds."""
    scheduler.add_job(
        worker.run_once,
        "interval",
        seconds=settings.payment_interval_s,
        id=JOB_ID,
        replace_existing=True,
        max_instances=1,
        coalesce=True,
    )
