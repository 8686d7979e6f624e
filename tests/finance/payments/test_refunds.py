"""Refunds of card payments: checked (amount left, a reason), one Stripe refund per refund
row (its key), a top-up's refund taking the paid money back out of the wallet (refused when
the wallet spent it), Stripe refusing (everything undone), and the audit entry."""

from __future__ import annotations

import httpx
import pytest
from sqlmodel import col, select

from ccms_app.accounts.models import AuditEntry
from ccms_app.core import db
from ccms_app.finance.errors import FinanceConflict, FinanceError, FinanceNotFound
from ccms_app.finance.payments import refunds, top_ups
from ccms_app.finance.payments import stripe_gateway as gateway
from ccms_app.finance.payments.models import Payment, PaymentKind, PaymentStatus
from ccms_app.finance.payments.top_ups import TopUpRequest
from ccms_app.finance.wallets.ledger import balance, charge_wallet
from ccms_app.finance.wallets.models import LedgerKind
from tests.finance.payments.support import PayWorld, deliver
from tests.fixtures.fake_stripe import FakeStripe


def _read(payment_id: int) -> Payment:
    with db.read_session() as s:
        found = s.get(Payment, payment_id)
    assert found is not None
    return found


def _card_payment(world: PayWorld, fake: FakeStripe, amount: int = 2000) -> int:
    """A succeeded off-session card charge, recorded as the session payments record it."""
    customer = gateway.create_customer(
        email="", name="Zoë", idempotency_key="customer:driver:test", metadata={}
    )
    intent = gateway.charge_off_session(
        customer_id=customer,
        payment_method_id="pm_card_visa",
        amount_minor=amount,
        currency="EUR",
        idempotency_key=f"excess:{amount}",
        metadata={},
    )
    with db.session_scope() as s:
        row = Payment(
            organisation_id=world.organisation_id,
            kind=PaymentKind.CARD_EXCESS,
            holder_kind="driver",
            holder_id=world.zoe,
            currency="EUR",
            amount_minor=amount,
            captured_minor=amount,
            status=PaymentStatus.SUCCEEDED,
            idempotency_key=f"excess:{amount}",
            stripe_id=intent.id,
        )
        s.add(row)
        s.flush()
        return int(row.id or 0)


def test_a_card_payment_is_refunded_in_parts_with_a_reason(
    pay_world: PayWorld, fake_stripe: FakeStripe
) -> None:
    paid = _card_payment(pay_world, fake_stripe)
    with pytest.raises(FinanceError) as wrong:
        refunds.refund(pay_world.scope, paid, "25", "  ", pay_world.who)
    assert set(wrong.value.errors) == {"amount", "reason"}
    assert "At most 20.00 EUR" in wrong.value.errors["amount"]

    part = refunds.refund(pay_world.scope, paid, "5", "charger fault", pay_world.who)
    assert (part.kind, part.status, part.amount_minor, part.refund_of_id) == (
        "refund",
        "succeeded",
        500,
        paid,
    )
    assert part.idempotency_key == f"refund:{part.id}" and part.stripe_id.startswith("re_")
    sent = fake_stripe.calls("POST", "/v1/refunds")[0]
    assert sent["headers"]["idempotency-key"] == f"refund:{part.id}"
    assert sent["params"] == {"payment_intent": _read(paid).stripe_id, "amount": "500"}
    assert (_read(paid).status, _read(paid).refunded_minor) == ("succeeded", 500)

    rest = refunds.refund(pay_world.scope, paid, "", "session never started", pay_world.who)
    assert rest.amount_minor == 1500
    assert (_read(paid).status, _read(paid).refunded_minor) == ("refunded", 2000)
    with pytest.raises(FinanceConflict, match="refunded in full"):
        refunds.refund(pay_world.scope, paid, "", "again", pay_world.who)
    with pytest.raises(FinanceConflict):
        refunds.refund(
            pay_world.scope, int(rest.id or 0), "", "a refund of a refund", pay_world.who
        )
    with pytest.raises(FinanceNotFound):
        refunds.refund({pay_world.other_organisation_id}, paid, "1", "x", pay_world.who)
    with db.read_session() as s:
        entries = s.exec(select(AuditEntry).where(col(AuditEntry.action) == "payment.refund")).all()
    assert [e.outcome for e in entries] == ["ok", "ok"]
    assert "charger fault" in entries[0].detail and entries[0].object_id == str(paid)


def test_stripe_refusing_a_refund_undoes_it(pay_world: PayWorld, fake_stripe: FakeStripe) -> None:
    paid = _card_payment(pay_world, fake_stripe)
    fake_stripe.objects[_read(paid).stripe_id]["status"] = "canceled"  # Stripe disagrees
    with pytest.raises(gateway.StripeFailure):
        refunds.refund(pay_world.scope, paid, "5", "duplicate", pay_world.who)
    assert _read(paid).refunded_minor == 0
    with db.read_session() as s:
        failed = s.exec(select(Payment).where(col(Payment.kind) == "refund")).one()
        audit_entry = s.exec(
            select(AuditEntry).where(col(AuditEntry.action) == "payment.refund")
        ).one()
    assert failed.status == "failed" and "successful charge" in failed.error
    assert audit_entry.outcome == "failed"


async def test_a_top_up_refund_takes_the_paid_money_back_from_the_wallet(
    pay_world: PayWorld, fake_stripe: FakeStripe, stripe_posts: httpx.AsyncClient
) -> None:
    opened = top_ups.start(
        pay_world.scope, "driver", pay_world.zoe, TopUpRequest(recharge_minor=2000), "ops"
    )
    paid = fake_stripe.complete(opened.checkout_session_id)
    await deliver(stripe_posts, fake_stripe, "checkout.session.completed", paid)
    payment = top_ups.payment_of_id(int(opened.id or 0))
    with db.session_scope() as s:
        charge_wallet(
            s,
            organisation_id=pay_world.organisation_id,
            holder_kind="driver",
            holder_id=pay_world.zoe,
            currency="EUR",
            amount_minor=1500,
            kind=LedgerKind.SESSION_CHARGE,
            reference="session:1",
        )
    with pytest.raises(FinanceConflict) as spent:
        refunds.refund(pay_world.scope, payment, "10", "driver moved away", pay_world.who)
    assert "amount" in spent.value.errors
    assert len(fake_stripe.of_type("refund")) == 0
    assert _read(payment).refunded_minor == 0

    done = refunds.refund(pay_world.scope, payment, "5", "driver moved away", pay_world.who)
    assert done.status == "succeeded"
    with db.read_session() as s:
        left = balance(s, "driver", pay_world.zoe, "EUR")
    assert (left.paid_minor, left.bonus_minor) == (0, 0)

    fake_stripe.decline_next()  # unrelated: declines touch intents, not refunds
    charge = {
        "id": "ch_x",
        "object": "charge",
        "payment_intent": _read(payment).stripe_id,
        "amount_refunded": 500,
    }
    reply = await deliver(stripe_posts, fake_stripe, "charge.refunded", charge)
    assert reply.json()["message"] == f"payment {payment}: refund matches"


def test_refunds_say_plainly_when_stripe_is_not_configured(
    pay_world: PayWorld, stripe_not_configured: None
) -> None:
    with pytest.raises(gateway.PaymentsNotConfigured):
        refunds.refund(pay_world.scope, 1, "1", "x", pay_world.who)
