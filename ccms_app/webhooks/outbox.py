"""The deliveries table as a queue: what the dispatcher queues, in order per charge point.

Per subscription and charge point at most one delivery is `pending`; later ones are
`waiting`, and the next one becomes pending when the one before is delivered or given up
(`rounds`, the worker's side). Queueing wakes the worker through the listeners it registered
(`on_queued`).

Every transaction that reads or moves the chains (`enqueue`, and the worker's
`rounds.settle_and_claim` and `rounds.promote_orphans`) runs under the chain lock
(`chain_locked`), one at a time across every process on the database: a delivery queued
while its predecessor finishes is never left waiting behind nothing, two queued at once for
an idle charge point are never both pending, and two workers never claim the same delivery.
Within a process that is `CHAIN_LOCK`; several processes (OCPP gateways) share only a
PostgreSQL database, so there the transaction also takes the advisory lock `CHAIN_LOCK_KEY`
as its first statement (`pg_advisory_xact_lock`: held until it commits or rolls back, freed
by PostgreSQL if the process dies). Under READ COMMITTED every later statement of a
transaction reads what was committed before it ran, so a process that waited for the lock
sees what the one before it committed: its queued rows and its leases. SQLite is one
process by design (docs/deploy.md): there the thread lock is all it takes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, text
from sqlmodel import Session, col, select

from ccms_app.core.db import read_session, session_scope
from ccms_app.core.pending_writes import insert_rows
from ccms_app.core.rows import table_of
from ccms_app.webhooks.models import UNDELIVERED, DeliveryState, WebhookDelivery

DELIVERY_TABLE = table_of(WebhookDelivery)
CHAIN_LOCK = threading.Lock()  # the chains' lock within this process
# "CCMSWHOB" (webhook outbox): the chains' advisory lock key on PostgreSQL, across processes
# (core.leadership's scheduler lock is another key).
CHAIN_LOCK_KEY = 0x43434D5357484F42
_listeners: list[Callable[[], None]] = []


@dataclass(frozen=True)
class NewDelivery:
    subscription_id: int
    event_id: str
    event_type: str
    charge_point_id: int | None
    identity: str
    payload: str
    created_at: datetime


# --- waking the worker ------------------------------------------------------------------------


def on_queued(listener: Callable[[], None]) -> None:
    """Call `listener` (from any thread) whenever deliveries were queued."""
    if listener not in _listeners:
        _listeners.append(listener)


def forget_listener(listener: Callable[[], None]) -> None:
    if listener in _listeners:
        _listeners.remove(listener)


def notify_queued() -> None:
    for listener in list(_listeners):
        listener()


# --- the chain lock ---------------------------------------------------------------------------


@contextmanager
def chain_locked() -> Iterator[Session]:
    """A write transaction (`session_scope`) that holds the chain lock: `CHAIN_LOCK` in this
    process and, on PostgreSQL, the advisory lock every process takes (see the module doc)."""
    with CHAIN_LOCK, session_scope() as session:
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK_KEY})
        yield session


# --- queueing ---------------------------------------------------------------------------------


def _busy_chains(
    session: Session, deliveries: Sequence[NewDelivery]
) -> set[tuple[int, int | None]]:
    """(subscription, charge point) pairs with an undelivered delivery already."""
    subscriptions = {d.subscription_id for d in deliveries if d.charge_point_id is not None}
    charge_points = {d.charge_point_id for d in deliveries if d.charge_point_id is not None}
    if not charge_points:
        return set()
    rows = session.exec(
        select(WebhookDelivery.subscription_id, WebhookDelivery.charge_point_id)
        .where(
            col(WebhookDelivery.subscription_id).in_(subscriptions),
            col(WebhookDelivery.charge_point_id).in_(charge_points),
            col(WebhookDelivery.state).in_(UNDELIVERED),
        )
        .distinct()
    ).all()
    return {(sub, cp) for sub, cp in rows}


def _queued_row(new: NewDelivery, waits: bool, now: datetime) -> dict[str, Any]:
    """Every column's value (a Core insert applies no model defaults)."""
    return {
        "subscription_id": new.subscription_id,
        "event_id": new.event_id,
        "event_type": new.event_type,
        "charge_point_id": new.charge_point_id,
        "identity": new.identity[:64],
        "payload": new.payload,
        "state": DeliveryState.WAITING if waits else DeliveryState.PENDING,
        "attempts": 0,
        "next_attempt_at": None if waits else now,
        "created_at": new.created_at,
        "last_attempt_at": None,
        "response_status": None,
        "response_body": "",
        "error": "",
        "duration_ms": None,
        "finished_at": None,
    }


def _queued_rows(
    session: Session, deliveries: Sequence[NewDelivery], now: datetime
) -> list[dict[str, Any]]:
    """The rows in order: pending, or waiting behind an undelivered one of its chain."""
    busy = _busy_chains(session, deliveries)
    rows = []
    for new in deliveries:
        chain = (new.subscription_id, new.charge_point_id)
        waits = new.charge_point_id is not None and chain in busy
        if new.charge_point_id is not None:
            busy.add(chain)
        rows.append(_queued_row(new, waits, now))
    return rows


def enqueue(deliveries: Sequence[NewDelivery], now: datetime) -> int:
    """Queue `deliveries` (in the order given: each charge point's events in order) in one
    short transaction (one multi-row INSERT: SQLite's write lock, which the OCPP writer
    needs too, is held for milliseconds), then tell the worker. How many were queued."""
    if not deliveries:
        return 0
    with chain_locked() as session:
        rows = _queued_rows(session, deliveries, now)
        insert_rows(session.connection(), DELIVERY_TABLE, rows)
    notify_queued()
    return len(rows)


def enqueue_one(delivery: NewDelivery, now: datetime) -> int:
    """Queue one delivery (a test event); its id."""
    with chain_locked() as session:
        (row,) = _queued_rows(session, [delivery], now)
        inserted = session.execute(
            insert(DELIVERY_TABLE).values(row).returning(DELIVERY_TABLE.c.id)
        ).scalar_one()
    notify_queued()
    return int(inserted)


def backlogs(subscription_ids: Collection[int]) -> dict[int, int]:
    """Undelivered deliveries per subscription (only those named)."""
    if not subscription_ids:
        return {}
    with read_session() as session:
        rows = session.exec(
            select(WebhookDelivery.subscription_id, func.count())
            .where(
                col(WebhookDelivery.subscription_id).in_(list(subscription_ids)),
                col(WebhookDelivery.state).in_(UNDELIVERED),
            )
            .group_by(col(WebhookDelivery.subscription_id))
        ).all()
    return {sub: int(count) for sub, count in rows}
