"""A card-paying session end to end (issue 13's definition of done).

Real websocket charge point -> real OCPP server -> real ChargerEventService -> real SQLite;
the real payment worker (kicked by the session events on the bus); Stripe replaced only at its
network boundary by the fake Stripe server. Hold at the start, capture of the final cost at
the end, the receipt; an excess above the hold; a free session's hold released; a declined
card stopped by RemoteStopTransaction; the capture's webhook replayed three times changes
nothing; a retry (or a crash between Stripe's answer and our commit) never charges twice.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlmodel import func, select

from ccms_app.api import build_api
from ccms_app.core import db
from ccms_app.core.config import get_settings
from ccms_app.core.types import utc_now
from ccms_app.finance.documents.jobs import issue_due_documents
from ccms_app.finance.models import BillingDocument, DocumentKind
from ccms_app.finance.payments import card_capture
from ccms_app.finance.payments.card_capture import settle_card
from ccms_app.finance.payments.card_holds import place_hold
from ccms_app.finance.payments.jobs import PaymentWorker
from ccms_app.finance.payments.models import (
    PaymentKind,
    PaymentStatus,
    SessionPaymentState,
    StripeEvent,
)
from ccms_app.finance.payments.webhook_route import WEBHOOK_PATH
from tests.finance.payments.test_session_payments import (
    CP,
    HOLD,
    PayNetwork,
    add_driver,
    an_hour_ago,
    boot,
    cost_of,
    incl_cost,
    meter,
    pay_network,
    payment_of,
    payments,
    payments_of,
    save_card,
    snapshot,
    start,
    stop,
    stripe_keys,
)
from tests.fixtures.fake_stripe import FakeStripe
from tests.fixtures.ocpp import ScriptedChargePoint, connect_charge_point, eventually

__all__ = ["pay_network", "payments"]  # fixtures, used by name

State = SessionPaymentState


def intent(fake: FakeStripe, intent_id: str) -> dict[str, Any]:
    return fake.objects[intent_id]


async def _session(ocpp_url: str, id_tag: str, energy_wh: int, network: PayNetwork) -> int:
    """A whole session: start, hold placed (the worker's kick), meter values, stop."""
    t0 = an_hour_ago()
    async with connect_charge_point(ocpp_url, CP) as cp:
        await boot(cp)
        started = await start(cp, id_tag, 10_000, t0)
        tx = started.transaction_id
        assert started.id_tag_info["status"] == "Accepted"
        await eventually(lambda: payment_of(tx).state == State.HELD)
        await meter(cp, tx, 10_000 + energy_wh // 2, t0 + timedelta(minutes=15))
        await stop(cp, tx, 10_000 + energy_wh, t0 + timedelta(minutes=30))
    await eventually(lambda: payment_of(tx).state == State.SETTLED)
    return tx


async def test_a_card_session_is_held_captured_and_receipted(
    pay_network: PayNetwork, fake_stripe: FakeStripe, payments: PaymentWorker, ocpp_url: str
) -> None:
    driver = add_driver(pay_network, "CARD-PAY", "Cara Card")
    save_card(pay_network, fake_stripe, driver)

    tx = await _session(ocpp_url, "CARD-PAY", 20_000, pay_network)

    cost = cost_of(tx)
    assert cost.state == "final" and cost.total_incl_minor == incl_cost(20_000) == 714
    assert cost.payment_method == "card"
    paid = payment_of(tx)
    assert (paid.method, paid.charged_minor, paid.stop_reason) == ("card", 714, "")
    hold = payments_of(tx)[PaymentKind.CARD_HOLD]
    assert (hold.idempotency_key, hold.amount_minor) == (f"card_hold:{tx}", HOLD)
    assert (hold.status, hold.captured_minor) == (PaymentStatus.SUCCEEDED, 714)
    # Stripe saw a manual-capture PaymentIntent of the hold, with our key, captured at 714.
    pi = intent(fake_stripe, hold.stripe_id)
    assert (pi["capture_method"], pi["amount"], pi["status"]) == ("manual", HOLD, "succeeded")
    assert pi["amount_received"] == 714
    assert stripe_keys(fake_stripe, "/v1/payment_intents") == [
        f"card_hold:{tx}",
        f"card_hold:{tx}:capture",
    ]
    # The billing job issues the session's receipt for the final cost.
    issue_due_documents(utc_now(), get_settings(), invoices=False)
    with db.read_session() as s:
        receipt = s.exec(
            select(BillingDocument).where(
                BillingDocument.session_id == tx, BillingDocument.kind == DocumentKind.RECEIPT
            )
        ).one()
    assert receipt.total_incl_minor == 714 and receipt.buyer_name == "Cara Card"

    # The capture's webhook, then the same event delivered twice more: kept once; the
    # first delivery agrees with our record (Stripe's report noted, no mismatch), the
    # replays change nothing at all.
    before = snapshot(tx, without=("updated_at",))
    app = build_api()  # the web port as the product mounts it: /webhooks/stripe in it
    payload, headers = fake_stripe.signed_request(
        "payment_intent.succeeded", dict(pi), event_id="evt_capture_1"
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://ccms.test"
    ) as http:
        first = await http.post(WEBHOOK_PATH, content=payload, headers=headers)
        after_first = snapshot(tx)
        replays = [await http.post(WEBHOOK_PATH, content=payload, headers=headers) for _ in "ab"]
    assert [a.status_code for a in (first, *replays)] == [200, 200, 200]
    assert [a.json()["message"] for a in replays] == ["already received"] * 2
    assert snapshot(tx, without=("updated_at",)) == before
    assert snapshot(tx) == after_first
    with db.read_session() as s:
        assert s.exec(select(func.count()).select_from(StripeEvent)).one() == 1
    refreshed = payments_of(tx)[PaymentKind.CARD_HOLD]
    assert (refreshed.mismatch, refreshed.captured_minor, refreshed.stripe_amount_minor) == (
        False,
        714,
        714,
    )
    assert payment_of(tx).charged_minor == 714


async def test_above_the_hold_the_excess_is_a_second_payment(
    pay_network: PayNetwork, fake_stripe: FakeStripe, payments: PaymentWorker, ocpp_url: str
) -> None:
    driver = add_driver(pay_network, "CARD-BIG")
    save_card(pay_network, fake_stripe, driver)

    tx = await _session(ocpp_url, "CARD-BIG", 40_000, pay_network)

    due = incl_cost(40_000)
    assert due == cost_of(tx).total_incl_minor == 1428
    rows = payments_of(tx)
    hold, excess = rows[PaymentKind.CARD_HOLD], rows[PaymentKind.CARD_EXCESS]
    assert (hold.captured_minor, excess.captured_minor) == (HOLD, due - HOLD)
    assert excess.idempotency_key == f"card_excess:{tx}"
    assert intent(fake_stripe, excess.stripe_id)["capture_method"] == "automatic"
    assert intent(fake_stripe, excess.stripe_id)["amount_received"] == 428
    assert payment_of(tx).charged_minor == due


async def test_an_excess_below_stripes_minimum_is_not_charged_and_says_why(
    pay_network: PayNetwork, fake_stripe: FakeStripe, payments: PaymentWorker, ocpp_url: str
) -> None:
    driver = add_driver(pay_network, "CARD-LITTLE")
    save_card(pay_network, fake_stripe, driver)
    energy = next(wh for wh in range(28_000, 31_000, 10) if HOLD < incl_cost(wh) < HOLD + 50)
    t0 = an_hour_ago()
    async with connect_charge_point(ocpp_url, CP) as cp:
        await boot(cp)
        tx = (await start(cp, "CARD-LITTLE", 10_000, t0)).transaction_id
        await eventually(lambda: payment_of(tx).state == State.HELD)
        await stop(cp, tx, 10_000 + energy, t0 + timedelta(minutes=30))
    await eventually(lambda: payment_of(tx).state == State.FAILED)

    rows = payments_of(tx)
    hold, excess = rows[PaymentKind.CARD_HOLD], rows[PaymentKind.CARD_EXCESS]
    assert hold.captured_minor == HOLD  # the hold is taken whole
    assert excess.status == PaymentStatus.FAILED and excess.stripe_id == ""
    assert "Stripe's minimum" in excess.error
    off_session = [
        pi for pi in fake_stripe.of_type("payment_intent") if pi["capture_method"] == "automatic"
    ]
    assert off_session == []  # Stripe was never asked for the excess


async def test_a_session_that_costs_nothing_releases_its_hold(
    pay_network: PayNetwork, fake_stripe: FakeStripe, payments: PaymentWorker, ocpp_url: str
) -> None:
    driver = add_driver(pay_network, "CARD-ZERO")
    save_card(pay_network, fake_stripe, driver)

    tx = await _session(ocpp_url, "CARD-ZERO", 0, pay_network)

    assert cost_of(tx).total_incl_minor == 0
    hold = payments_of(tx)[PaymentKind.CARD_HOLD]
    assert hold.status == PaymentStatus.CANCELED
    assert intent(fake_stripe, hold.stripe_id)["status"] == "canceled"
    assert PaymentKind.CARD_EXCESS not in payments_of(tx)
    assert payment_of(tx).charged_minor == 0
    assert stripe_keys(fake_stripe, "/v1/payment_intents")[-1] == f"card_hold:{tx}:cancel"


async def test_a_declined_card_is_stopped_remotely_with_the_reason(
    pay_network: PayNetwork, fake_stripe: FakeStripe, payments: PaymentWorker, ocpp_url: str
) -> None:
    driver = add_driver(pay_network, "CARD-POOR")
    save_card(pay_network, fake_stripe, driver, "pm_card_chargeDeclinedInsufficientFunds")
    t0 = an_hour_ago()
    async with connect_charge_point(ocpp_url, CP, ScriptedChargePoint) as cp:
        await boot(cp)
        started = await start(cp, "CARD-POOR", 0, t0)
        tx = started.transaction_id
        assert started.id_tag_info["status"] == "Accepted"  # the card is only tried after

        await eventually(lambda: ("RemoteStopTransaction", {"transaction_id": tx}) in cp.received)
        paid = payment_of(tx)
        assert paid.state == State.HOLD_FAILED
        assert paid.stop_reason == "card declined: insufficient_funds"
        assert paid.stop_requested_at is not None
        hold = payments_of(tx)[PaymentKind.CARD_HOLD]
        assert (hold.status, hold.error) == (PaymentStatus.FAILED, paid.stop_reason)
        await stop(cp, tx, 1_000, t0 + timedelta(minutes=2), reason="Remote")

    # What it charged before the stop is asked for once, off-session: declined again.
    await eventually(lambda: payment_of(tx).state == State.FAILED)
    assert "insufficient_funds" in payment_of(tx).note
    assert cp.received.count(("RemoteStopTransaction", {"transaction_id": tx})) == 1


async def test_settling_again_or_after_a_crash_never_charges_twice(
    pay_network: PayNetwork,
    fake_stripe: FakeStripe,
    ocpp_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No worker here: the test runs the settle step itself, and crashes it once between
    Stripe's answer to the capture and our commit."""
    driver = add_driver(pay_network, "CARD-CRASH")
    save_card(pay_network, fake_stripe, driver)
    t0 = an_hour_ago()
    async with connect_charge_point(ocpp_url, CP) as cp:
        await boot(cp)
        tx = (await start(cp, "CARD-CRASH", 0, t0)).transaction_id
        await asyncio.to_thread(place_hold, tx)  # as the job's first step would
        assert payment_of(tx).state == State.HELD
        await meter(cp, tx, 10_000, t0 + timedelta(minutes=10))
        await stop(cp, tx, 20_000, t0 + timedelta(minutes=20))
    assert payment_of(tx).state == State.TO_SETTLE
    due = incl_cost(20_000)

    crash = RuntimeError("power cut")
    real_record = card_capture.record_capture

    def record_once(payment_id: int, result: Any) -> None:
        monkeypatch.setattr(card_capture, "record_capture", real_record)
        raise crash

    monkeypatch.setattr(card_capture, "record_capture", record_once)
    with pytest.raises(RuntimeError):
        settle_card(tx)
    assert payments_of(tx)[PaymentKind.CARD_HOLD].status == PaymentStatus.AUTHORIZED

    assert settle_card(tx) == State.SETTLED
    assert settle_card(tx) == State.SETTLED  # and once more: nothing left to do

    hold = payments_of(tx)[PaymentKind.CARD_HOLD]
    assert (hold.status, hold.captured_minor) == (PaymentStatus.SUCCEEDED, due)
    captures = fake_stripe.calls("POST", f"/v1/payment_intents/{hold.stripe_id}/capture")
    assert len(captures) == 2  # asked twice, with one key: Stripe replayed the first answer
    assert {c["headers"]["idempotency-key"] for c in captures} == {f"card_hold:{tx}:capture"}
    assert intent(fake_stripe, hold.stripe_id)["amount_received"] == due
    charges = [o for o in fake_stripe.of_type("charge") if o["payment_intent"] == hold.stripe_id]
    assert len(charges) == 1
    assert payment_of(tx).charged_minor == due
    assert PaymentKind.CARD_EXCESS not in payments_of(tx)
