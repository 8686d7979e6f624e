"""POST /webhooks/stripe: signature and age checked, each event processed once by id, a
handler's failure rolled back and answered 500 (Stripe retries), and the payment-intent
events reconciled against our payment rows (a disagreement flagged, never overwritten)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlmodel import Session, select

from ccms_app.core import db
from ccms_app.finance.payments import webhook_dispatch
from ccms_app.finance.payments.models import Payment, PaymentKind, PaymentStatus, StripeEvent
from tests.finance.payments.support import PayWorld, deliver
from tests.fixtures.fake_stripe import FakeStripe


def _payment(world: PayWorld, **fields: Any) -> int:
    values: dict[str, Any] = {
        "organisation_id": world.organisation_id,
        "kind": PaymentKind.CARD_HOLD,
        "holder_kind": "driver",
        "holder_id": world.zoe,
        "currency": "EUR",
        "amount_minor": 5000,
        "idempotency_key": f"test:{fields.get('stripe_id')}",
        **fields,
    }
    with db.session_scope() as s:
        row = Payment(**values)
        s.add(row)
        s.flush()
        return int(row.id or 0)


def _read(payment_id: int) -> Payment:
    with db.read_session() as s:
        found = s.get(Payment, payment_id)
        assert found is not None
        return found


def _intent(intent_id: str, **fields: Any) -> dict[str, Any]:
    return {"id": intent_id, "object": "payment_intent", "currency": "eur", **fields}


async def test_an_event_is_processed_once_however_often_it_is_delivered(
    stripe_posts: httpx.AsyncClient, fake_stripe: FakeStripe, pay_world: PayWorld
) -> None:
    paid = _payment(
        pay_world,
        kind=PaymentKind.CARD_EXCESS,
        stripe_id="pi_excess",
        amount_minor=700,
        status=PaymentStatus.PENDING,
    )
    obj = _intent("pi_excess", status="succeeded", amount=700, amount_received=700)
    answers = [
        await deliver(stripe_posts, fake_stripe, "payment_intent.succeeded", obj, "evt_same")
        for _ in range(3)
    ]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert answers[0].json()["message"] == f"payment {paid}: succeeded"
    assert answers[1].json()["message"] == answers[2].json()["message"] == "already received"
    row = _read(paid)
    assert (row.status, row.captured_minor, row.stripe_status, row.mismatch) == (
        "succeeded",
        700,
        "succeeded",
        False,
    )
    with db.read_session() as s:
        events = s.exec(select(StripeEvent)).all()
    assert [(e.id, e.type, e.outcome) for e in events] == [
        ("evt_same", "payment_intent.succeeded", f"payment {paid}: succeeded")
    ]
    assert events[0].processed_at is not None and events[0].stripe_created is not None


async def test_a_bad_signature_or_an_old_timestamp_is_refused_with_a_log_line(
    stripe_posts: httpx.AsyncClient,
    fake_stripe: FakeStripe,
    pay_world: PayWorld,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="ccms_app.finance.payments.webhook_dispatch")
    obj = _intent("pi_x", status="succeeded", amount_received=1)
    forged = await deliver(
        stripe_posts, fake_stripe, "payment_intent.succeeded", obj, "evt_f", secret="whsec_bad"
    )
    stale = await deliver(
        stripe_posts, fake_stripe, "payment_intent.succeeded", obj, "evt_o", timestamp=1_000_000
    )
    unsigned = await stripe_posts.post("/webhooks/stripe", content=b'{"id": "evt_u"}')
    binary = await stripe_posts.post(
        "/webhooks/stripe", content=b"\xff\xfe", headers={"Stripe-Signature": "t=1,v1=00"}
    )
    statuses = [forged.status_code, stale.status_code, unsigned.status_code, binary.status_code]
    assert statuses == [400, 400, 400, 400]
    assert "tolerance" in stale.json()["message"]
    assert sum("stripe webhook refused" in r.getMessage() for r in caplog.records) == 4
    with db.read_session() as s:
        assert s.exec(select(StripeEvent)).all() == []


async def test_an_oversized_body_is_refused(
    stripe_posts: httpx.AsyncClient, fake_stripe: FakeStripe
) -> None:
    reply = await stripe_posts.post("/webhooks/stripe", content=b"x" * (600 * 1024))
    assert reply.status_code == 413


@pytest.fixture
def failing_handler() -> Iterator[list[str]]:
    calls: list[str] = []

    def explode(session: Session, event: dict[str, Any]) -> str:
        calls.append(event["id"])
        session.add(StripeEvent(id="evt_side_effect", type="x", payload="{}"))
        if len(calls) == 1:
            raise RuntimeError("database went away")
        return "worked the second time"

    webhook_dispatch.on_event("test.explode", explode)
    webhook_dispatch.on_event("test.explode", explode)  # registering twice keeps one
    yield calls
    webhook_dispatch._handlers.pop("test.explode", None)


async def test_a_failing_handler_rolls_back_and_answers_500_so_stripe_retries(
    stripe_posts: httpx.AsyncClient,
    fake_stripe: FakeStripe,
    pay_world: PayWorld,
    failing_handler: list[str],
) -> None:
    first = await deliver(stripe_posts, fake_stripe, "test.explode", {"id": "o"}, "evt_boom")
    assert first.status_code == 500
    with db.read_session() as s:
        assert s.exec(select(StripeEvent)).all() == []
    retry = await deliver(stripe_posts, fake_stripe, "test.explode", {"id": "o"}, "evt_boom")
    assert retry.status_code == 200 and retry.json()["message"] == "worked the second time"
    assert failing_handler == ["evt_boom", "evt_boom"]


async def test_an_event_without_a_handler_is_kept_and_answered(
    stripe_posts: httpx.AsyncClient, fake_stripe: FakeStripe, pay_world: PayWorld
) -> None:
    reply = await deliver(stripe_posts, fake_stripe, "customer.created", {"id": "cus_1"})
    assert reply.status_code == 200 and reply.json()["message"] == "ignored: no handler"


async def test_stripe_capturing_another_amount_is_flagged_not_copied(
    stripe_posts: httpx.AsyncClient, fake_stripe: FakeStripe, pay_world: PayWorld
) -> None:
    held = _payment(
        pay_world,
        stripe_id="pi_hold",
        status=PaymentStatus.SUCCEEDED,
        captured_minor=1050,
        stripe_status="succeeded",
        stripe_amount_minor=1050,
    )
    obj = _intent("pi_hold", status="succeeded", amount=5000, amount_received=1200)
    reply = await deliver(stripe_posts, fake_stripe, "payment_intent.succeeded", obj)
    assert reply.json()["message"] == f"payment {held}: succeeded (mismatch)"
    row = _read(held)
    assert (row.captured_minor, row.stripe_amount_minor, row.mismatch) == (1050, 1200, True)
    assert row.mismatch_note == "Stripe captured 12.00, CCMS expected 10.50"


async def test_a_hold_being_captured_is_not_flagged_until_both_sides_are_known(
    stripe_posts: httpx.AsyncClient, fake_stripe: FakeStripe, pay_world: PayWorld
) -> None:
    held = _payment(pay_world, stripe_id="pi_busy", status=PaymentStatus.AUTHORIZED)
    obj = _intent("pi_busy", status="succeeded", amount=5000, amount_received=900)
    await deliver(stripe_posts, fake_stripe, "payment_intent.succeeded", obj)
    row = _read(held)
    assert (row.status, row.captured_minor, row.stripe_amount_minor, row.mismatch) == (
        "authorized",
        0,
        900,
        False,
    )


async def test_a_partial_authorisation_and_a_stale_event_after_the_capture(
    stripe_posts: httpx.AsyncClient, fake_stripe: FakeStripe, pay_world: PayWorld
) -> None:
    held = _payment(pay_world, stripe_id="pi_part", status=PaymentStatus.PENDING)
    obj = _intent("pi_part", status="requires_capture", amount=5000, amount_capturable=3000)
    await deliver(stripe_posts, fake_stripe, "payment_intent.amount_capturable_updated", obj)
    row = _read(held)
    assert (row.status, row.mismatch) == ("authorized", True)
    assert row.mismatch_note == "Stripe holds 30.00, CCMS asked for 50.00"

    done = _payment(
        pay_world,
        stripe_id="pi_done",
        status=PaymentStatus.SUCCEEDED,
        captured_minor=800,
        stripe_status="succeeded",
        stripe_amount_minor=800,
    )
    late = _intent("pi_done", status="requires_capture", amount=5000, amount_capturable=5000)
    await deliver(stripe_posts, fake_stripe, "payment_intent.amount_capturable_updated", late)
    row = _read(done)
    assert (row.stripe_status, row.stripe_amount_minor, row.mismatch) == ("succeeded", 800, False)


async def test_failed_canceled_and_refunded_events(
    stripe_posts: httpx.AsyncClient, fake_stripe: FakeStripe, pay_world: PayWorld
) -> None:
    pending = _payment(pay_world, stripe_id="pi_f", status=PaymentStatus.PENDING)
    failed = _intent(
        "pi_f",
        status="requires_payment_method",
        last_payment_error={"message": "Your card was declined."},
    )
    await deliver(stripe_posts, fake_stripe, "payment_intent.payment_failed", failed)
    assert (_read(pending).status, _read(pending).error) == ("failed", "Your card was declined.")

    taken = _payment(
        pay_world, stripe_id="pi_c", status=PaymentStatus.SUCCEEDED, captured_minor=400
    )
    await deliver(
        stripe_posts, fake_stripe, "payment_intent.canceled", _intent("pi_c", status="canceled")
    )
    assert _read(taken).status == "succeeded"
    assert _read(taken).mismatch_note == "Stripe reports canceled, CCMS recorded 4.00 taken"

    refunded = _payment(
        pay_world,
        stripe_id="pi_r",
        status=PaymentStatus.SUCCEEDED,
        captured_minor=1000,
        refunded_minor=200,
    )
    charge = {"id": "ch_r", "object": "charge", "payment_intent": "pi_r", "currency": "eur"}
    ours = await deliver(
        stripe_posts, fake_stripe, "charge.refunded", {**charge, "amount_refunded": 200}
    )
    assert ours.json()["message"] == f"payment {refunded}: refund matches"
    outside = await deliver(
        stripe_posts, fake_stripe, "charge.refunded", {**charge, "amount_refunded": 700}
    )
    assert outside.json()["message"] == f"payment {refunded}: refund mismatch"
    assert _read(refunded).mismatch_note == "Stripe refunded 7.00, CCMS recorded 2.00"
    unknown = await deliver(
        stripe_posts, fake_stripe, "payment_intent.succeeded", _intent("pi_nobody")
    )
    assert unknown.json()["message"] == "no payment for pi_nobody"
