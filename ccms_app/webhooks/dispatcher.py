"""From network events to queued deliveries, never on the charger's path.

The services publish `NetworkEvent`s on the event bus after their commit (the charger event
sink, commands, the stale-session sweep); publishing puts the event on each subscriber's
queue and returns. The dispatcher is one such subscriber: a task that takes what arrived
in `BATCH_WINDOW_S`, keeps the events a webhook reports (`rules.events.event_type_of`), and
only when an enabled subscription wants one of them reads the charge points' owners and the
events' facts and queues one delivery per event and subscription, in one transaction in a
worker thread. With no subscription, a charger event costs a dict look-up here.

If the bus queue overflows (10,000 events waiting: the dispatcher stalled) its oldest
events are lost, as for the live pages. A subscription whose receiver fails holds at most
`MAX_BACKLOG` undelivered events; newer ones are dropped (counted in /metrics) until it
recovers, so a dead receiver cannot fill the database.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import col, select

from ccms_app.core.db import read_session
from ccms_app.core.events import EventBus, NetworkEvent
from ccms_app.core.types import utc_now
from ccms_app.network.models import ChargePoint
from ccms_app.webhooks import outbox, stats
from ccms_app.webhooks.active import ActiveSubscription, ActiveSubscriptions, active_subscriptions
from ccms_app.webhooks.event_data import event_data
from ccms_app.webhooks.rules.events import event_type_of, wants
from ccms_app.webhooks.rules.payloads import charge_point_ref, encode, new_event_id, payload

log = logging.getLogger(__name__)

BATCH_WINDOW_S = 0.2
MAX_BACKLOG = 10_000  # undelivered events per failing subscription before new ones drop


@dataclass(frozen=True)
class WebhookEvent:
    """A network event a webhook reports, as it arrived."""

    type: str
    charge_point_id: int | None
    identity: str
    bus_data: dict[str, Any]
    at: datetime


def webhook_event(event: NetworkEvent, at: datetime) -> WebhookEvent | None:
    event_type = event_type_of(event.kind, event.data)
    if event_type is None:
        return None
    return WebhookEvent(event_type, event.charge_point_id, event.identity, dict(event.data), at)


def _owners(charge_point_ids: set[int]) -> dict[int, int]:
    if not charge_point_ids:
        return {}
    with read_session() as session:
        rows = session.exec(
            select(ChargePoint.id, ChargePoint.organisation_id).where(
                col(ChargePoint.id).in_(charge_point_ids)
            )
        ).all()
    return {int(cp_id): organisation_id for cp_id, organisation_id in rows if cp_id is not None}


def deliveries_for(
    events: Sequence[WebhookEvent], subscriptions: Sequence[ActiveSubscription]
) -> list[outbox.NewDelivery]:
    """One delivery per event and subscription that wants it (type, organisation scope)."""
    owners = _owners({e.charge_point_id for e in events if e.charge_point_id is not None})
    deliveries: list[outbox.NewDelivery] = []
    with read_session() as session:
        for event in events:
            owner = owners.get(event.charge_point_id) if event.charge_point_id else None
            if event.charge_point_id is not None and owner is None:
                continue  # the charge point is gone: nobody's to hear about
            targets = [s for s in subscriptions if s.wants(event.type, owner)]
            if not targets:
                continue
            data = event_data(session, event.type, event.bus_data, event.charge_point_id)
            ref = charge_point_ref(event.charge_point_id, event.identity)
            event_id = new_event_id()
            body = encode(payload(event_id, event.type, event.at, ref, data))
            deliveries += [
                outbox.NewDelivery(
                    s.id,
                    event_id,
                    event.type,
                    event.charge_point_id,
                    event.identity,
                    body,
                    event.at,
                )
                for s in targets
            ]
    return deliveries


def within_backlog(
    deliveries: list[outbox.NewDelivery], subscriptions: Sequence[ActiveSubscription]
) -> list[outbox.NewDelivery]:
    """Drop what would take a failing subscription past `MAX_BACKLOG` undelivered events."""
    failing = {s.id for s in subscriptions if s.failing} & {d.subscription_id for d in deliveries}
    if not failing:
        return deliveries
    counts = dict.fromkeys(failing, 0) | outbox.backlogs(failing)
    kept, dropped = [], 0
    for delivery in deliveries:
        held = counts.get(delivery.subscription_id)
        if held is not None and held >= MAX_BACKLOG:
            dropped += 1
            continue
        if held is not None:
            counts[delivery.subscription_id] = held + 1
        kept.append(delivery)
    if dropped:
        stats.record_dropped(dropped)
        log.warning(
            "webhook events dropped: the receiver fails and its backlog is full",
            extra={"dropped": dropped, "max_backlog": MAX_BACKLOG},
        )
    return kept


def queue_events(
    events: Sequence[WebhookEvent], subscriptions: Sequence[ActiveSubscription], now: datetime
) -> int:
    """Blocking (a worker thread): read, decide, queue. The number of deliveries queued."""
    deliveries = within_backlog(deliveries_for(events, subscriptions), subscriptions)
    return outbox.enqueue(deliveries, now)


class WebhookDispatcher:
    """Subscribes to the event bus; turns what it hears into queued deliveries."""

    def __init__(
        self,
        bus: EventBus,
        batch_window: float = BATCH_WINDOW_S,
        subscriptions: ActiveSubscriptions | None = None,
    ) -> None:
        self._bus = bus
        self._window = batch_window
        self._subscriptions = subscriptions or active_subscriptions()
        self._queue: asyncio.Queue[NetworkEvent] | None = None
        self._task: asyncio.Task[None] | None = None
        self._held: list[NetworkEvent] = []
        self._dispatching = asyncio.Lock()

    async def start(self) -> None:
        self._queue = self._bus.subscribe()
        self._task = asyncio.create_task(self._run(), name="ccms-webhook-dispatcher")

    async def stop(self) -> None:
        """Stop listening; what was heard already is still queued."""
        if self._queue is None or self._task is None:
            return
        self._bus.unsubscribe(self._queue)
        async with self._dispatching:  # a batch being written finishes first
            self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)
        leftovers = [*self._held, *_drain(self._queue)]
        self._held = []
        if leftovers:
            await self._dispatch(leftovers)
        self._queue = self._task = None

    async def _run(self) -> None:
        assert self._queue is not None
        while True:
            self._held = [await self._queue.get()]
            await asyncio.sleep(self._window)
            async with self._dispatching:
                batch, self._held = [*self._held, *_drain(self._queue)], []
                try:
                    await self._dispatch(batch)
                except Exception:
                    log.exception("webhook events could not be queued")

    async def _dispatch(self, batch: Sequence[NetworkEvent]) -> None:
        now = utc_now()
        events = [e for e in (webhook_event(n, now) for n in batch) if e is not None]
        if not events:
            return
        subscriptions = self._subscriptions.items
        if self._subscriptions.stale:
            subscriptions = await asyncio.to_thread(self._subscriptions.load)
        wanted = [e for e in events if any(wants(s.events, e.type) for s in subscriptions)]
        if wanted:
            await asyncio.to_thread(queue_events, wanted, subscriptions, now)


def _drain(queue: asyncio.Queue[NetworkEvent]) -> list[NetworkEvent]:
    items = []
    while not queue.empty():
        items.append(queue.get_nowait())
    return items
