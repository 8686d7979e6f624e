"""Webhook subscriptions and their deliveries (each delivery is also its log row).

A delivery is one event for one subscription. Its states:
- `pending`: to be tried at `next_attempt_at` (also while an attempt runs: the worker moves
  `next_attempt_at` past the attempt's timeout first, so a restart tries it again);
- `waiting`: an earlier event of the same charge point is not delivered yet; it becomes
  pending when that one is delivered or given up (order per charge point);
- `delivered` (a 2xx answer) or `failed` (given up after a day of retries): final.
Per subscription and charge point, at most one delivery is pending (`outbox` keeps that).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

from ccms_app.core.types import utc_column, utc_now


class DeliveryState(StrEnum):
    PENDING = "pending"
    WAITING = "waiting"
    DELIVERED = "delivered"
    FAILED = "failed"


UNDELIVERED = (DeliveryState.PENDING, DeliveryState.WAITING)


class WebhookSubscription(SQLModel, table=True):
    """A URL that receives the chosen event types of its organisation's charge points (and
    of its sub-operators'), signed with `secret`."""

    __tablename__ = "webhook_subscription"

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    name: str = Field(max_length=120)
    url: str = Field(max_length=2000)
    events: str = Field(default="*", max_length=1000)  # "*" or comma-separated types
    # Kept as is: the HMAC needs it. Shown once, when made; never listed.
    secret: str = Field(max_length=128)
    enabled: bool = True
    created_by: str = Field(default="", max_length=320)
    created_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))
    updated_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))
    # How the receiver is doing, for the list: the last attempt, and since when it fails.
    last_attempt_at: datetime | None = Field(default=None, sa_column=utc_column())
    last_outcome: str = Field(default="", max_length=200)
    failing_since: datetime | None = Field(default=None, sa_column=utc_column())


class WebhookDelivery(SQLModel, table=True):
    """One event for one subscription: its body, its state and its last attempt."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        # The worker: due pending deliveries of one subscription, soonest first.
        Index("ix_webhook_delivery_due", "subscription_id", "state", "next_attempt_at"),
        # Order per charge point: is one of its deliveries still undelivered, which waits next.
        Index("ix_webhook_delivery_chain", "subscription_id", "charge_point_id", "state", "id"),
        # The delivery log of a subscription, newest first.
        Index("ix_webhook_delivery_log", "subscription_id", "created_at"),
        # Retention: finished deliveries older than the log keeps.
        Index("ix_webhook_delivery_finished", "finished_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    subscription_id: int = Field(foreign_key="webhook_subscription.id")
    event_id: str = Field(max_length=40)
    event_type: str = Field(max_length=48)
    # Not a foreign key: a charge point may be deleted while its log stays.
    charge_point_id: int | None = None
    identity: str = Field(default="", max_length=64)
    payload: str = Field(sa_column=Column(Text, nullable=False))
    state: str = Field(default=DeliveryState.PENDING, max_length=16)
    attempts: int = 0
    next_attempt_at: datetime | None = Field(default=None, sa_column=utc_column())
    created_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))
    last_attempt_at: datetime | None = Field(default=None, sa_column=utc_column())
    response_status: int | None = None
    response_body: str = Field(default="", max_length=1000)  # the start of it
    error: str = Field(default="", max_length=500)
    duration_ms: int | None = None
    finished_at: datetime | None = Field(default=None, sa_column=utc_column())
