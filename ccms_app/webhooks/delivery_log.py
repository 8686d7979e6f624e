"""The delivery log of a subscription: every event sent (or being sent), newest first.

One row per event and subscription, with its state, how many attempts it took and what
the last one got (status, the start of the answer, or the error). The list reads through
`DELIVERY_LIST` (the web UI and the REST API alike); one delivery with its body through
`get_delivery`. Finished deliveries leave the log after `service.LOG_RETENTION_DAYS`
(`delivery_log_retention`, purged in committed batches); `count_undelivered` is the
backlog /metrics shows.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func
from sqlalchemy import select as sa_select
from sqlmodel import col

from ccms_app.accounts.roles import Caller, not_found
from ccms_app.core.db import read_session, session_scope
from ccms_app.core.listing import ListColumn, ListSpec
from ccms_app.core.retention import RetainedTable
from ccms_app.core.rows import stored_id, table_of
from ccms_app.webhooks.models import UNDELIVERED, WebhookDelivery, WebhookSubscription

DELIVERY_TABLE = table_of(WebhookDelivery)

DELIVERY_LIST = ListSpec(
    name="webhook deliveries",
    base=lambda: sa_select(WebhookDelivery).join(
        WebhookSubscription, col(WebhookSubscription.id) == WebhookDelivery.subscription_id
    ),
    columns=(
        ListColumn("id", "Id", WebhookDelivery.id),
        ListColumn(
            "subscription_id",
            "Webhook id",
            WebhookDelivery.subscription_id,
            filterable=True,
            sortable=False,
        ),
        ListColumn("created_at", "Event time (UTC)", WebhookDelivery.created_at),
        ListColumn(
            "event_type", "Event", WebhookDelivery.event_type, searchable=True, filterable=True
        ),
        ListColumn("event_id", "Event id", WebhookDelivery.event_id, searchable=True),
        ListColumn("identity", "Charge point", WebhookDelivery.identity, searchable=True),
        ListColumn("state", "State", WebhookDelivery.state, filterable=True),
        ListColumn("attempts", "Attempts", WebhookDelivery.attempts),
        ListColumn("response_status", "HTTP status", WebhookDelivery.response_status),
        ListColumn("error", "Last error", WebhookDelivery.error, sortable=False),
        ListColumn("duration_ms", "Duration (ms)", WebhookDelivery.duration_ms),
        ListColumn("last_attempt_at", "Last attempt (UTC)", WebhookDelivery.last_attempt_at),
        ListColumn("next_attempt_at", "Next attempt (UTC)", WebhookDelivery.next_attempt_at),
        ListColumn("finished_at", "Finished (UTC)", WebhookDelivery.finished_at),
    ),
    organisation_column=WebhookSubscription.organisation_id,
    id_column=WebhookDelivery.id,
    default_sort="created_at",
)
DELIVERY_STATES = ("pending", "waiting", "delivered", "failed")


@dataclass(frozen=True)
class DeliveryView:
    """One delivery with what was sent and what came back."""

    id: int
    subscription_id: int
    event_id: str
    event_type: str
    charge_point_id: int | None
    identity: str
    state: str
    attempts: int
    created_at: datetime
    last_attempt_at: datetime | None
    next_attempt_at: datetime | None
    finished_at: datetime | None
    response_status: int | None
    response_body: str
    error: str
    duration_ms: int | None
    payload: str


def get_delivery(caller: Caller, subscription_id: int, delivery_id: int) -> DeliveryView:
    """The delivery `delivery_id` of subscription `subscription_id`, in the caller's scope."""
    with read_session() as session:
        row = session.get(WebhookDelivery, delivery_id)
        subscription = session.get(WebhookSubscription, subscription_id)
        visible = (
            row is not None
            and subscription is not None
            and row.subscription_id == subscription_id
            and subscription.organisation_id in caller.scope()
        )
    if row is None or not visible:
        not_found(caller, "webhook.delivery.view", "webhook_delivery", delivery_id, "delivery")
    return DeliveryView(
        id=stored_id(row.id),
        subscription_id=row.subscription_id,
        event_id=row.event_id,
        event_type=row.event_type,
        charge_point_id=row.charge_point_id,
        identity=row.identity,
        state=row.state,
        attempts=row.attempts,
        created_at=row.created_at,
        last_attempt_at=row.last_attempt_at,
        next_attempt_at=row.next_attempt_at,
        finished_at=row.finished_at,
        response_status=row.response_status,
        response_body=row.response_body,
        error=row.error,
        duration_ms=row.duration_ms,
        payload=row.payload,
    )


def count_undelivered() -> int:
    """Deliveries pending or waiting, every subscription (the metrics' backlog gauge)."""
    with read_session() as session:
        query = sa_select(func.count()).where(col(WebhookDelivery.state).in_(UNDELIVERED))
        return int(session.execute(query).scalar_one())


# --- retention --------------------------------------------------------------------------------


def delivery_log_retention(days: int) -> RetainedTable:
    """Finished deliveries (delivered or given up) older than `days` leave the log."""
    return RetainedTable(DELIVERY_TABLE.name, days, count_finished_before, purge_finished_before)


def count_finished_before(cutoff: datetime) -> int:
    with read_session() as session:
        query = sa_select(func.count()).where(col(WebhookDelivery.finished_at) < cutoff)
        return int(session.execute(query).scalar_one())


def purge_finished_before(cutoff: datetime, rows: int) -> Iterator[int]:
    """One committed batch of at most `rows` per iteration, oldest first."""
    while True:
        oldest = (
            sa_select(col(WebhookDelivery.id))
            .where(col(WebhookDelivery.finished_at) < cutoff)
            .order_by(col(WebhookDelivery.finished_at))
            .limit(rows)
        )
        with session_scope() as session:
            result = session.execute(
                delete(WebhookDelivery).where(col(WebhookDelivery.id).in_(oldest))
            )
            deleted = int(result.rowcount or 0)  # type: ignore[attr-defined]
        if deleted:
            yield deleted
        if deleted < rows:
            return
