"""Monthly invoices per driver and per group account; credit notes, and invoicing again."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import Session

from ccms_app.core import db
from ccms_app.finance.documents.content import load
from ccms_app.finance.documents.credit_notes import credit_document
from ccms_app.finance.documents.errors import (
    AlreadyCreditedError,
    DocumentError,
    DocumentNotFoundError,
)
from ccms_app.finance.documents.invoices import issue_monthly_invoices
from ccms_app.finance.documents.receipts import issue_receipt
from ccms_app.finance.models import BillingDocument, CostState
from ccms_app.finance.payments.models import PaymentMethod, SessionPayment, SessionPaymentState
from tests.finance.documents.support import DRIVER, GROUP_ACCOUNT, World, charge, cost_of

FEBRUARY = date(2026, 2, 1)
ISSUED = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def february_sessions(world: World) -> dict[str, int]:
    """Sessions around February in Berlin (UTC+1): which of them are February's."""
    return {
        # 2026-02-01 00:30 in Berlin: February, though still January in UTC.
        "zoe_first": charge(world, "CARD-ZOE", utc(2026, 1, 31, 23, 30)),
        "zoe_second": charge(world, "card-zoe", utc(2026, 2, 14, 12, 0), energy_wh=20_500),
        "fleet": charge(world, "CARD-FLEET", utc(2026, 2, 3, 8, 0)),
        "jan_on_fleet": charge(world, "CARD-JAN-FLEET", utc(2026, 2, 20, 17, 0)),
        # 2026-03-01 00:30 in Berlin: March's.
        "zoe_march": charge(world, "CARD-ZOE", utc(2026, 2, 28, 23, 30)),
        "zoe_review": charge(world, "CARD-ZOE", utc(2026, 2, 5, 9, 0), state=CostState.REVIEW),
        "nobody": charge(world, "CARD-NOBODY", utc(2026, 2, 6, 9, 0)),
    }


def test_one_invoice_per_driver_and_per_group_account(world: World, session: Session) -> None:
    sessions = february_sessions(world)
    invoices = issue_monthly_invoices(world.organisation_id, FEBRUARY, ISSUED)

    by_buyer = {invoice.buyer_name: invoice for invoice in invoices}
    assert sorted(by_buyer) == sorted([DRIVER, GROUP_ACCOUNT])
    assert sorted(invoice.number for invoice in invoices) == ["INV-000001", "INV-000002"]
    zoe, fleet = by_buyer[DRIVER], by_buyer[GROUP_ACCOUNT]
    assert (zoe.driver_id, zoe.user_group_id, zoe.buyer_email) == (
        world.driver_id,
        None,
        "zoe@example.com",
    )
    assert (fleet.driver_id, fleet.user_group_id) == (None, world.group_id)
    assert (zoe.total_excl_minor, zoe.vat_minor, zoe.total_incl_minor) == (1400, 266, 1666)
    assert (zoe.period_start, zoe.period_end) == (utc(2026, 1, 31, 23), utc(2026, 2, 28, 23))

    content = load(zoe.content)
    assert content["period"] == {"start": "2026-02-01", "end": "2026-02-28"}
    assert [
        (line["day"], line["description"], line["quantity"], line["unit"], line["amount_minor"])
        for line in content["lines"]
    ] == [
        ("2026-02-01", "Müller Platz · CP-1 #1", "10", "kWh", 700),
        ("2026-02-14", "Müller Platz · CP-1 #1", "20.5", "kWh", 700),
    ]
    assert content["vat"] == [{"rate": "19", "base_minor": 1400, "vat_minor": 266}]
    assert content["totals"] == {"excl_minor": 1400, "vat_minor": 266, "incl_minor": 1666}

    for name in ("zoe_first", "zoe_second"):
        assert cost_of(session, sessions[name]).invoice_id == zoe.id
    for name in ("fleet", "jan_on_fleet"):
        assert cost_of(session, sessions[name]).invoice_id == fleet.id
    for name in ("zoe_march", "zoe_review", "nobody"):
        assert cost_of(session, sessions[name]).invoice_id is None


def test_running_the_month_again_issues_nothing_new(world: World) -> None:
    february_sessions(world)
    assert len(issue_monthly_invoices(world.organisation_id, FEBRUARY, ISSUED)) == 2
    assert issue_monthly_invoices(world.organisation_id, date(2026, 2, 17), ISSUED) == []
    # A session released from review later goes on a supplementary invoice.
    late = charge(world, "CARD-ZOE", utc(2026, 2, 25, 9, 0))
    (supplement,) = issue_monthly_invoices(world.organisation_id, FEBRUARY, ISSUED)
    assert supplement.number == "INV-000003"
    assert [line["amount_minor"] for line in load(supplement.content)["lines"]] == [700]
    assert late


def test_crediting_an_invoice_frees_its_sessions_for_a_corrected_one(
    world: World, session: Session
) -> None:
    sessions = february_sessions(world)
    invoices = issue_monthly_invoices(world.organisation_id, FEBRUARY, ISSUED)
    zoe = next(invoice for invoice in invoices if invoice.buyer_name == DRIVER)

    note = credit_document(zoe.id or 0, "wrong tariff", "finance@example.com")
    assert (note.kind, note.number, note.credits_document_id) == (
        "credit_note",
        "CN-000001",
        zoe.id,
    )
    assert (note.total_excl_minor, note.vat_minor, note.total_incl_minor) == (-1400, -266, -1666)
    assert (note.driver_id, note.buyer_email) == (world.driver_id, "zoe@example.com")
    content = load(note.content)
    assert content["credits"] == {"number": zoe.number, "issued_local": "2026-03-01"}
    assert content["reason"] == "wrong tariff"
    assert content["credited_by"] == "finance@example.com"
    assert [line["amount_minor"] for line in content["lines"]] == [-700, -700]
    assert [line["quantity"] for line in content["lines"]] == ["-10", "-20.5"]
    assert content["vat"] == [{"rate": "19", "base_minor": -1400, "vat_minor": -266}]
    assert cost_of(session, sessions["zoe_first"]).invoice_id is None
    assert cost_of(session, sessions["fleet"]).invoice_id is not None  # another invoice

    (corrected,) = issue_monthly_invoices(world.organisation_id, FEBRUARY, ISSUED)
    assert (corrected.number, corrected.buyer_name) == ("INV-000003", DRIVER)
    assert cost_of(session, sessions["zoe_second"]).invoice_id == corrected.id
    # The original stays as issued: documents are never edited.
    session.rollback()
    original = session.get(BillingDocument, zoe.id)
    assert original is not None and original.total_incl_minor == 1666
    assert original.content == zoe.content


def test_a_document_is_credited_once(world: World) -> None:
    receipt = issue_receipt(charge(world, "CARD-ZOE", utc(2026, 2, 10, 10)))
    note = credit_document(receipt.id or 0, "charger fault", "finance@example.com")
    assert note.session_id == receipt.session_id and note.total_incl_minor == -833
    with pytest.raises(AlreadyCreditedError, match="already credited by CN-000001"):
        credit_document(receipt.id or 0, "again", "finance@example.com")
    with pytest.raises(DocumentError, match="is a credit note"):
        credit_document(note.id or 0, "undo", "finance@example.com")
    with pytest.raises(DocumentError, match="say why"):
        credit_document(receipt.id or 0, "  ", "finance@example.com")
    # A credited receipt may be issued again: the corrected receipt.
    corrected = issue_receipt(receipt.session_id or 0)
    assert corrected.number == "R-000002"


def test_a_document_outside_the_scope_is_not_found(world: World) -> None:
    receipt = issue_receipt(charge(world, "CARD-ZOE", utc(2026, 2, 10, 10)))
    with pytest.raises(DocumentNotFoundError):
        credit_document(
            receipt.id or 0, "fraud", "x@example.com", scope={world.organisation_id + 1}
        )
    with pytest.raises(DocumentNotFoundError):
        credit_document(424242, "nothing", "x@example.com")


def pay_with(world: World, session_id: int, method: str) -> None:
    """Record how the session was paid, as the payment at its start would have."""
    with db.session_scope() as s:
        s.add(
            SessionPayment(
                session_id=session_id,
                organisation_id=world.organisation_id,
                method=method,
                holder_kind="driver",
                holder_id=world.driver_id,
                state=SessionPaymentState.SETTLED,
            )
        )


def test_only_sessions_paid_by_invoice_are_invoiced(world: World, session: Session) -> None:
    by_method = {
        method: charge(world, "CARD-ZOE", utc(2026, 2, 10 + day, 10))
        for day, method in enumerate(PaymentMethod)
    }
    for method, session_id in by_method.items():
        pay_with(world, session_id, method)
    before_payments = charge(world, "CARD-ZOE", utc(2026, 2, 20, 10))  # no payment record

    (invoice,) = issue_monthly_invoices(world.organisation_id, FEBRUARY, ISSUED)

    assert invoice.total_incl_minor == 2 * 833
    invoiced = {by_method[PaymentMethod.INVOICE], before_payments}
    for session_id in [*by_method.values(), before_payments]:
        expected = invoice.id if session_id in invoiced else None
        assert cost_of(session, session_id).invoice_id == expected
    # Wallet, card and free sessions keep their receipts.
    for method in (PaymentMethod.WALLET, PaymentMethod.CARD, PaymentMethod.FREE):
        assert issue_receipt(by_method[method]).total_incl_minor == 833
