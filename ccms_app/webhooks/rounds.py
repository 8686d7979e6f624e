"""The worker's side of the outbox: one round records what the finished attempts did and
claims the next due deliveries, in one short transaction (`settle_and_claim`).

A delivered or given-up delivery lets the next waiting one of its charge point go
(`_promote_next`); each subscription keeps its last outcome and since when it fails, for the
list. A claimed delivery's `next_attempt_at` moves past the attempt's timeout (a lease): if
its process dies mid-attempt, it is tried again once the lease has passed (by another
process, or by this one after a restart); a clean stop hands it back (`release`).

Several processes may run a worker on one PostgreSQL database. A round runs under
`outbox.chain_locked`, like `outbox.enqueue`: one round at a time across all of them, so
the next process's round starts after this one's leases are committed and finds those
deliveries leased, not due (the attempts start only once the round has committed), and
chains move on exactly as in one process. `release` takes no lock: it touches only the
calling process's own leased deliveries, which no other round claims.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select, update

from ccms_app.core.db import session_scope
from ccms_app.core.rows import stored_id
from ccms_app.webhooks.models import DeliveryState, WebhookDelivery, WebhookSubscription
from ccms_app.webhooks.outbox import chain_locked


@dataclass(frozen=True)
class DueDelivery:
    """A claimed delivery with what the attempt needs."""

    id: int
    subscription_id: int
    charge_point_id: int | None
    event_id: str
    event_type: str
    payload: str
    attempts: int
    created_at: datetime
    url: str
    secret: str


@dataclass(frozen=True)
class Outcome:
    """What one attempt did. `retry_at` None and not delivered: given up."""

    delivery_id: int
    subscription_id: int
    delivered: bool
    attempted_at: datetime
    retry_at: datetime | None
    status: int | None = None
    error: str = ""
    response_body: str = ""
    duration_ms: int = 0

    @property
    def summary(self) -> str:
        """One line for the subscription's list: "HTTP 200", "HTTP 500", "no answer ..."."""
        if self.error:
            return self.error[:200]
        return f"HTTP {self.status}"


@dataclass(frozen=True)
class Claimed:
    deliveries: list[DueDelivery]
    next_due: datetime | None  # the soonest pending attempt not claimed now


def _promote_next(
    session: Session, subscription_id: int, charge_point_id: int, now: datetime
) -> None:
    """The charge point's next waiting delivery becomes pending (due now)."""
    following = session.exec(
        select(WebhookDelivery)
        .where(
            WebhookDelivery.subscription_id == subscription_id,
            WebhookDelivery.charge_point_id == charge_point_id,
            WebhookDelivery.state == DeliveryState.WAITING,
        )
        .order_by(col(WebhookDelivery.id))
        .limit(1)
    ).first()
    if following is not None:
        following.state = DeliveryState.PENDING
        following.next_attempt_at = now
        session.add(following)


def _record(session: Session, outcome: Outcome, now: datetime) -> None:
    row = session.get(WebhookDelivery, outcome.delivery_id)
    if row is None or row.state != DeliveryState.PENDING:
        return  # its subscription was deleted meanwhile
    row.attempts += 1
    row.last_attempt_at = outcome.attempted_at
    row.response_status = outcome.status
    row.response_body = outcome.response_body[:1000]
    row.error = outcome.error[:500]
    row.duration_ms = outcome.duration_ms
    if outcome.delivered or outcome.retry_at is None:
        row.state = DeliveryState.DELIVERED if outcome.delivered else DeliveryState.FAILED
        row.finished_at = outcome.attempted_at
        row.next_attempt_at = None
        if row.charge_point_id is not None:
            _promote_next(session, row.subscription_id, row.charge_point_id, now)
    else:
        row.next_attempt_at = outcome.retry_at
    session.add(row)


def _record_receiver_health(session: Session, outcomes: Sequence[Outcome]) -> None:
    """Each subscription's last attempt, and since when it fails (None while it works)."""
    last: dict[int, Outcome] = {}
    for outcome in outcomes:
        last[outcome.subscription_id] = outcome
    for subscription_id, outcome in last.items():
        subscription = session.get(WebhookSubscription, subscription_id)
        if subscription is None:
            continue
        subscription.last_attempt_at = outcome.attempted_at
        subscription.last_outcome = outcome.summary
        if outcome.delivered:
            subscription.failing_since = None
        elif subscription.failing_since is None:
            subscription.failing_since = outcome.attempted_at
        session.add(subscription)


def _due(
    session: Session, subscription_id: int, exclude: Collection[int], now: datetime, limit: int
) -> list[WebhookDelivery]:
    query = (
        select(WebhookDelivery)
        .where(
            WebhookDelivery.subscription_id == subscription_id,
            WebhookDelivery.state == DeliveryState.PENDING,
            col(WebhookDelivery.next_attempt_at) <= now,
        )
        .order_by(col(WebhookDelivery.next_attempt_at), col(WebhookDelivery.id))
        .limit(limit)
    )
    if exclude:
        query = query.where(col(WebhookDelivery.id).not_in(list(exclude)))
    return list(session.exec(query).all())


def _claim(
    session: Session,
    in_flight: Mapping[int, Collection[int]],
    per_subscription: int,
    capacity: int,
    now: datetime,
    lease_until: datetime,
) -> tuple[list[DueDelivery], list[int]]:
    """Due deliveries of every enabled subscription, at most `per_subscription` in flight
    each (so one slow receiver cannot hold every slot), leased until `lease_until`; and the
    subscriptions with a free slot left (whose next due time wakes the worker)."""
    claimed: list[DueDelivery] = []
    open_slots: list[int] = []
    subscriptions = session.exec(
        select(WebhookSubscription)
        .where(col(WebhookSubscription.enabled))
        .order_by(col(WebhookSubscription.last_attempt_at))
    ).all()
    for subscription in subscriptions:
        subscription_id = stored_id(subscription.id)
        busy = in_flight.get(subscription_id, ())
        free = min(per_subscription - len(busy), capacity - len(claimed))
        rows = _due(session, subscription_id, busy, now, free) if free > 0 else []
        for row in rows:
            claimed.append(_due_delivery(row, subscription))
            row.next_attempt_at = lease_until
            session.add(row)
        if free > len(rows):
            open_slots.append(subscription_id)
    return claimed, open_slots


def _due_delivery(row: WebhookDelivery, subscription: WebhookSubscription) -> DueDelivery:
    return DueDelivery(
        id=stored_id(row.id),
        subscription_id=row.subscription_id,
        charge_point_id=row.charge_point_id,
        event_id=row.event_id,
        event_type=row.event_type,
        payload=row.payload,
        attempts=row.attempts,
        created_at=row.created_at,
        url=subscription.url,
        secret=subscription.secret,
    )


def _next_due(session: Session, subscription_ids: list[int]) -> datetime | None:
    """The soonest pending attempt of these subscriptions (those with a free slot: a full
    one wakes the worker when one of its attempts ends, not by the clock)."""
    if not subscription_ids:
        return None
    query = sa_select(func.min(WebhookDelivery.next_attempt_at)).where(
        col(WebhookDelivery.subscription_id).in_(subscription_ids),
        col(WebhookDelivery.state) == DeliveryState.PENDING,
    )
    value: datetime | None = session.execute(query).scalar_one_or_none()
    return value


def settle_and_claim(
    outcomes: Sequence[Outcome],
    in_flight: Mapping[int, Collection[int]],
    per_subscription: int,
    capacity: int,
    now: datetime,
    lease_until: datetime,
) -> Claimed:
    """One round of the worker in one transaction: record `outcomes`, then claim what is
    due (`in_flight`: subscription -> delivery ids still being attempted)."""
    with chain_locked() as session:
        for outcome in outcomes:
            _record(session, outcome, now)
        _record_receiver_health(session, outcomes)
        session.flush()
        claimed, open_slots = _claim(
            session, in_flight, per_subscription, capacity, now, lease_until
        )
        session.flush()
        next_due = _next_due(session, open_slots)
    return Claimed(claimed, next_due)


def release(delivery_ids: Collection[int], now: datetime) -> None:
    """Hand leased deliveries back (a clean stop): due again at once."""
    if not delivery_ids:
        return
    with session_scope() as session:
        session.exec(
            update(WebhookDelivery)
            .where(
                col(WebhookDelivery.id).in_(list(delivery_ids)),
                col(WebhookDelivery.state) == DeliveryState.PENDING,
            )
            .values(next_attempt_at=now)
        )


def promote_orphans(now: datetime) -> int:
    """Chains whose deliveries all wait (nothing pending ahead of them) start again: a
    safety net at start-up; `enqueue` and `settle_and_claim` never leave one behind."""
    pending = (
        sa_select(col(WebhookDelivery.subscription_id), col(WebhookDelivery.charge_point_id))
        .where(col(WebhookDelivery.state) == DeliveryState.PENDING)
        .where(col(WebhookDelivery.charge_point_id).is_not(None))
    )
    promoted = 0
    with chain_locked() as session:
        busy = {(sub, cp) for sub, cp in session.execute(pending).all()}
        heads = session.execute(
            sa_select(
                col(WebhookDelivery.subscription_id),
                col(WebhookDelivery.charge_point_id),
                func.min(col(WebhookDelivery.id)),
            )
            .where(col(WebhookDelivery.state) == DeliveryState.WAITING)
            .group_by(col(WebhookDelivery.subscription_id), col(WebhookDelivery.charge_point_id))
        ).all()
        for subscription_id, charge_point_id, first in heads:
            if (subscription_id, charge_point_id) in busy:
                continue
            session.exec(
                update(WebhookDelivery)
                .where(col(WebhookDelivery.id) == first)
                .values(state=DeliveryState.PENDING, next_attempt_at=now)
            )
            promoted += 1
    return promoted
