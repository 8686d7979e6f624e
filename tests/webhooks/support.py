"""Helpers for webhook tests: a System caller, a subscription, a fast worker, queued events."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlmodel import Session, col, select

from ccms_app.accounts.models import Organisation
from ccms_app.accounts.roles import Caller
from ccms_app.core import db
from ccms_app.core.types import utc_now
from ccms_app.webhooks import outbox, subscriptions
from ccms_app.webhooks.delivery import DeliveryWorker
from ccms_app.webhooks.models import WebhookDelivery
from ccms_app.webhooks.rules.backoff import RetryPolicy
from ccms_app.webhooks.rules.payloads import charge_point_ref, encode, new_event_id, payload

FAST = RetryPolicy(first_delay=timedelta(seconds=0.2), max_delay=timedelta(seconds=0.5), spread=0.0)


def system_caller(organisation_id: int, *permissions: str) -> Caller:
    granted = permissions or ("system:view", "system:edit")
    return Caller(0, organisation_id, "ops@ccms.test", frozenset(granted), "127.0.0.1")


def subscribe(organisation: Organisation, url: str, events: str = "*", secret: str = "") -> int:
    form = {"name": "ERP", "url": url, "events": events, "enabled": "true", "secret": secret}
    caller = system_caller(organisation.id or 0)
    return subscriptions.create_subscription(caller, form).view.id


def queue_event(
    subscription_id: int, charge_point_id: int | None, n: int, identity: str = "CP-1"
) -> str:
    """Queue event number `n` of a charge point (its data says which one it is)."""
    event_id, now = new_event_id(), utc_now()
    ref = charge_point_ref(charge_point_id, identity)
    body = encode(payload(event_id, "charge_point.status_changed", now, ref, {"n": n}))
    new = outbox.NewDelivery(
        subscription_id, event_id, "charge_point.status_changed", charge_point_id, identity,
        body, now,
    )  # fmt: skip
    outbox.enqueue([new], now)
    return event_id


def deliveries(subscription_id: int) -> list[WebhookDelivery]:
    with Session(db.get_engine()) as session:
        return list(
            session.exec(
                select(WebhookDelivery)
                .where(WebhookDelivery.subscription_id == subscription_id)
                .order_by(col(WebhookDelivery.id))
            ).all()
        )


@pytest.fixture
async def worker(engine: object) -> AsyncIterator[DeliveryWorker]:
    running = DeliveryWorker(policy=FAST, timeout=2.0)
    await running.start()
    yield running
    await running.stop()
