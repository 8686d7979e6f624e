"""The delivery worker against a real receiver over HTTP: signed, retried, in order per
charge point, given up after its day, continued after a restart, logged per delivery."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from datetime import timedelta
from typing import Any

import pytest

from ccms_app.accounts.models import Organisation
from ccms_app.accounts.roles import RefusedError
from ccms_app.webhooks import rounds, stats, subscriptions
from ccms_app.webhooks.delivery import DeliveryWorker
from ccms_app.webhooks.rules.backoff import RetryPolicy
from tests.fixtures.ocpp import eventually
from tests.webhooks.receiver import HANG, Receiver, dead_url, receiver
from tests.webhooks.support import (
    FAST,
    deliveries,
    queue_event,
    subscribe,
    system_caller,
    worker,
)

__all__ = ["dead_url", "receiver", "worker"]
WAIT = 10.0


def _verify_as_documented(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """The receiver's recipe from the ccms_app.webhooks docstring, written out."""
    parts = dict(part.split("=", 1) for part in headers["ccms-signature"].split(","))
    t, v1 = parts["t"], parts["v1"]
    expected = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, v1) and abs(time.time() - int(t)) <= 300


async def test_a_test_event_arrives_signed_and_is_logged(
    worker, receiver: Receiver, organisation: Organisation
) -> None:
    caller = system_caller(organisation.id or 0)
    form = {"name": "ERP", "url": receiver.url, "events": "session.started", "enabled": "true"}
    saved = subscriptions.create_subscription(caller, form)
    assert saved.secret.startswith("whsec_")
    delivery_id = subscriptions.send_test_event(caller, saved.view.id)
    await eventually(lambda: len(receiver.received) == 1, timeout=WAIT)
    (got,) = receiver.received
    assert _verify_as_documented(saved.secret, got.headers, got.body)
    body = json.loads(got.body)
    assert body["type"] == got.headers["ccms-event-type"] == "webhook.test"
    assert body["id"] == got.headers["ccms-event-id"] and body["charge_point"] is None
    assert got.headers["content-type"] == "application/json"
    await eventually(lambda: deliveries(saved.view.id)[0].state == "delivered", timeout=WAIT)
    (row,) = deliveries(saved.view.id)
    assert row.id == delivery_id and row.attempts == 1 and row.response_status == 200
    assert row.response_body == "answered 200" and row.error == "" and row.finished_at
    view = subscriptions.get_subscription(caller, saved.view.id)
    assert view.last_outcome == "HTTP 200" and view.failing_since is None


async def test_an_own_secret_signs_too(worker, receiver: Receiver, organisation) -> None:
    secret = "my-own-secret-0123456789"
    subscription_id = subscribe(organisation, receiver.url, secret=secret)
    subscriptions.send_test_event(system_caller(organisation.id), subscription_id)
    await eventually(lambda: len(receiver.received) == 1, timeout=WAIT)
    assert _verify_as_documented(secret, receiver.received[0].headers, receiver.received[0].body)


async def test_a_500_is_retried_then_delivered(worker, receiver: Receiver, organisation) -> None:
    receiver.answers = [500]
    subscription_id = subscribe(organisation, receiver.url)
    before = stats.totals()
    event_id = queue_event(subscription_id, None, 1)
    await eventually(lambda: deliveries(subscription_id)[0].state == "delivered", timeout=WAIT)
    first, second = receiver.received
    assert first.body == second.body and json.loads(second.body)["id"] == event_id
    assert second.at - first.at >= 0.15  # waited for the back-off
    (row,) = deliveries(subscription_id)
    assert row.attempts == 2 and row.response_status == 200 and row.error == ""
    after = stats.totals()
    assert after["retrying"] == before["retrying"] + 1
    assert after["delivered"] == before["delivered"] + 1


async def test_order_per_charge_point_is_kept_across_a_retry(
    worker, receiver: Receiver, organisation
) -> None:
    receiver.answers = [500]  # the first event of CP 1 fails once
    subscription_id = subscribe(organisation, receiver.url)
    queue_event(subscription_id, 1, 1, "CP-1")
    queue_event(subscription_id, 2, 1, "CP-2")
    queue_event(subscription_id, 1, 2, "CP-1")
    queue_event(subscription_id, 1, 3, "CP-1")
    await eventually(lambda: len(receiver.received) == 5, timeout=WAIT)
    arrivals = [json.loads(r.body) for r in receiver.received]
    cp1 = [a["data"]["n"] for a in arrivals if a["charge_point"]["identity"] == "CP-1"]
    assert cp1 == [1, 1, 2, 3]  # 1 failed, 1 again, and only then 2 and 3
    assert [a["charge_point"]["identity"] for a in arrivals[:2]] == ["CP-1", "CP-2"]
    await eventually(
        lambda: {d.state for d in deliveries(subscription_id)} == {"delivered"}, timeout=WAIT
    )


async def test_given_up_after_its_day_and_the_next_one_goes(
    receiver: Receiver, organisation
) -> None:
    day = RetryPolicy(timedelta(seconds=0.1), timedelta(seconds=0.2), timedelta(seconds=0.6), 0)
    receiver.answers = [500] * 50
    subscription_id = subscribe(organisation, receiver.url)
    queue_event(subscription_id, 1, 1)
    queue_event(subscription_id, 1, 2)
    running = DeliveryWorker(policy=day, timeout=2.0)
    await running.start()
    try:
        await eventually(
            lambda: [d.state for d in deliveries(subscription_id)] == ["failed", "failed"],
            timeout=WAIT,
        )
    finally:
        await running.stop()
    first, second = deliveries(subscription_id)
    assert first.attempts >= 3 and first.error == "HTTP 500" and first.response_status == 500
    assert second.attempts >= 1 and first.finished_at and second.finished_at
    assert first.finished_at <= second.finished_at
    view = subscriptions.get_subscription(system_caller(organisation.id), subscription_id)
    assert view.last_outcome == "HTTP 500" and view.failing_since is not None


async def test_a_restart_continues_where_it_stopped(receiver: Receiver, organisation) -> None:
    """A retry scheduled before a stop is sent by the next worker; an attempt cut off by
    the stop is sent again at once."""
    slow = RetryPolicy(timedelta(seconds=1), timedelta(seconds=1), timedelta(hours=1), 0)
    receiver.answers, receiver.hang_seconds = [500, HANG], 5.0
    subscription_id = subscribe(organisation, receiver.url)
    queue_event(subscription_id, None, 1)
    queue_event(subscription_id, None, 2)
    first = DeliveryWorker(policy=slow, timeout=3.0)
    await first.start()
    await eventually(lambda: receiver.started == 2, timeout=WAIT)  # a 500, and one hanging
    await eventually(  # the 500 is on record (an answer cut off by the stop would be resent)
        lambda: any(d.error == "HTTP 500" for d in deliveries(subscription_id)), timeout=WAIT
    )
    await first.stop()
    # Both go at once (no charge point orders them): which one got the 500 is chance.
    retry, cut_off = sorted(deliveries(subscription_id), key=lambda d: -d.attempts)
    assert (retry.state, retry.attempts, retry.error) == ("pending", 1, "HTTP 500")
    assert (cut_off.state, cut_off.attempts) == ("pending", 0)
    second = DeliveryWorker(policy=slow, timeout=3.0)
    await second.start()
    try:
        await eventually(
            lambda: [d.state for d in deliveries(subscription_id)] == ["delivered"] * 2,
            timeout=WAIT,
        )
    finally:
        await second.stop()
    attempts = {d.id: d.attempts for d in deliveries(subscription_id)}
    assert (attempts[retry.id], attempts[cut_off.id]) == (2, 1)


async def test_a_dead_or_slow_receiver_is_an_error_in_the_log(
    dead_url: str, receiver: Receiver, organisation
) -> None:
    receiver.answers, receiver.hang_seconds = [HANG], 3.0
    dead = subscribe(organisation, dead_url)
    slow = subscribe(organisation, receiver.url)
    queue_event(dead, None, 1)
    queue_event(slow, None, 1)
    running = DeliveryWorker(policy=FAST, timeout=0.5)
    await running.start()
    try:
        await eventually(
            lambda: bool(deliveries(dead)[0].error and deliveries(slow)[0].error), timeout=WAIT
        )
    finally:
        await running.stop()
    assert deliveries(dead)[0].error.startswith("could not connect")
    assert deliveries(slow)[0].error == "no answer within 0.5 s"
    assert deliveries(slow)[0].response_status is None


async def test_a_hanging_receiver_holds_only_its_own_slots(
    receiver: Receiver, organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Four attempts hang (its share), the rest of its queue waits without the worker
    spinning, and another webhook's event goes through meanwhile."""
    receiver.answers, receiver.hang_seconds = [HANG] * 10, 5.0
    hanging = subscribe(organisation, receiver.url)
    healthy = subscribe(organisation, receiver.fast_url)
    for n in range(10):
        queue_event(hanging, None, n)
    round_count = 0
    settle = rounds.settle_and_claim

    def counted(*args: Any) -> rounds.Claimed:
        nonlocal round_count
        round_count += 1
        return settle(*args)

    monkeypatch.setattr(rounds, "settle_and_claim", counted)
    running = DeliveryWorker(policy=FAST, timeout=3.0, per_subscription=4)
    await running.start()
    try:
        await eventually(lambda: receiver.started == 4, timeout=WAIT)
        queue_event(healthy, None, 1)
        await eventually(lambda: len(receiver.fast_received) == 1, timeout=WAIT)
        counted_before = round_count
        await asyncio.sleep(1.0)
        assert receiver.started == 4 and round_count - counted_before <= 2
    finally:
        await running.stop()


async def test_a_disabled_webhook_sends_nothing_and_edits_need_system_edit(
    organisation,
) -> None:
    caller = system_caller(organisation.id)
    subscription_id = subscribe(organisation, "https://erp.example.com/hook")
    view = subscriptions.get_subscription(caller, subscription_id)
    subscriptions.update_subscription(caller, subscription_id, view.form() | {"enabled": "false"})
    with pytest.raises(subscriptions.SubscriptionDisabledError):
        subscriptions.send_test_event(caller, subscription_id)
    viewer = system_caller(organisation.id, "system:view")
    with pytest.raises(RefusedError):
        subscriptions.send_test_event(viewer, subscription_id)
    with pytest.raises(RefusedError):
        subscriptions.delete_subscription(viewer, subscription_id)
    assert deliveries(subscription_id) == []
