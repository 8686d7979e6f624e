"""Finance -> Documents and the history page's receipt action: the states on a real migrated
database, each event sent through the real gate first (a tab whose cookie holds a live
login session), as Reflex sends it.

The list shows issued documents (times in the operator's billing zone, totals with their
currency symbol, the e-mail outcome) and filters them; a credit note refuses an empty
reason and then credits; the invoice run issues last month's invoices and names a wrong
month; a role that may only look is refused every change.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from reflex.state import StateUpdate
from sqlmodel import Session, col, select

from ccms_app.accounts import auth
from ccms_app.accounts.models import Organisation
from ccms_app.accounts.rules.permissions import ADMINISTRATOR, Action, Module, permission
from ccms_app.core.db import session_scope
from ccms_app.core.types import utc_now
from ccms_app.finance.documents.receipts import issue_receipt
from ccms_app.finance.models import BillingDocument, DocumentKind
from ccms_app.finance.rules.documents import previous_month
from ccms_app.finance.state.documents import DocumentActionsState, DocumentListState
from ccms_app.finance.state.history import SessionReceiptState
from tests.finance.documents.support import DRIVER, World, charge, world
from tests.finance.test_tariff_states import Tab, _login, _role, _tab

__all__ = ["world"]

ROUTE = "/finance/documents"
STOP = datetime(2026, 2, 10, 10, 0, tzinfo=UTC)  # 11:00 CET in the operator's zone


@pytest.fixture
def admin(organisation: Organisation) -> Tab:
    with session_scope() as s:
        role_id = auth.built_in_role_id(s, ADMINISTRATOR)
    return _tab(_login(int(organisation.id or 0), "finance@example.com", role_id)).at(ROUTE)


@pytest.fixture
def viewer(organisation: Organisation) -> Tab:
    org = int(organisation.id or 0)
    role_id = _role(org, {permission(Module.FINANCE, Action.VIEW)})
    return _tab(_login(org, "viewer@example.com", role_id)).at(ROUTE)


async def _open(tab: Tab) -> DocumentListState:
    await tab.at(ROUTE).send(DocumentListState, "load_zone")
    await tab.send(DocumentListState, "load")
    return await tab.state(DocumentListState)


async def test_the_list_shows_issued_documents_in_the_operators_zone(
    admin: Tab, world: World
) -> None:
    receipt = issue_receipt(charge(world, "CARD-ZOE", STOP), STOP)

    documents = await _open(admin)

    assert documents.zone == "Europe/Berlin"
    assert documents.total == 1, documents.error
    (row,) = documents.rows
    assert (row["number"], row["kind"], row["buyer_name"]) == ("R-000001", "receipt", DRIVER)
    assert row["issued_at"] == "2026-02-10 11:00 CET"
    assert row["total_incl_minor"] == "€8.33"
    assert (row["email"], row["creditable"], row["sendable"]) == ("not sent", "yes", "yes")
    assert row["pdf_url"] == f"/billing-documents/{receipt.id}.pdf"

    await admin.send(DocumentListState, "set_filter", key="kind", value="invoice")
    assert documents.total == 0
    await admin.send(DocumentListState, "set_filter", key="kind", value="receipt")
    await admin.send(DocumentListState, "set_filter", key="since", value="2026-02-11")
    assert documents.total == 0
    await admin.send(DocumentListState, "set_filter", key="since", value="2026-02-10")
    assert documents.total == 1
    await admin.send(DocumentListState, "set_filter", key="until", value="2026-02-01")
    assert "after" in documents.error
    await admin.send(DocumentListState, "clear_filters")
    await admin.send(DocumentListState, "set_search", value="müller")
    assert documents.total == 1


async def test_a_credit_note_refuses_an_empty_reason(
    admin: Tab, world: World, session: Session
) -> None:
    receipt = issue_receipt(charge(world, "CARD-ZOE", STOP), STOP)
    documents = await _open(admin)
    actions = await admin.state(DocumentActionsState)

    await admin.send(DocumentActionsState, "open_credit", document_id=str(receipt.id), number="R")
    await admin.send(DocumentActionsState, "set_credit_reason", value="   ")
    await admin.send(DocumentActionsState, "credit_document")
    assert "say why" in actions.credit_error
    assert actions.credit_id == str(receipt.id)  # the dialog stays open
    kinds = session.exec(select(BillingDocument.kind)).all()
    assert kinds == [DocumentKind.RECEIPT]

    await admin.send(DocumentActionsState, "set_credit_reason", value="charger fault")
    await admin.send(DocumentActionsState, "credit_document")
    assert actions.credit_id == ""
    session.rollback()
    note = session.exec(
        select(BillingDocument).where(col(BillingDocument.kind) == DocumentKind.CREDIT_NOTE)
    ).one()
    assert (note.number, note.total_incl_minor, note.credits_document_id) == (
        "CN-000001",
        -833,
        receipt.id,
    )
    rows = {row["number"]: row for row in documents.rows}
    assert rows["R-000001"]["credited_by"] == "CN-000001"
    assert rows["R-000001"]["creditable"] == ""
    assert rows["CN-000001"]["total_incl_minor"] == "-€8.33"


async def test_issue_invoices_of_last_month(admin: Tab, world: World) -> None:
    month = previous_month(utc_now(), "Europe/Berlin")
    charge(world, "CARD-ZOE", datetime(month.year, month.month, 10, 12, tzinfo=UTC))
    charge(world, "CARD-FLEET", datetime(month.year, month.month, 11, 12, tzinfo=UTC))
    documents = await _open(admin)
    actions = await admin.state(DocumentActionsState)

    await admin.send(DocumentActionsState, "open_invoices")
    assert actions.invoices_open
    assert actions.invoice_month == f"{month:%Y-%m}"
    assert actions.invoice_organisation == str(world.organisation_id)
    assert [value for value, _label in actions.organisations] == [str(world.organisation_id)]

    await admin.send(DocumentActionsState, "set_invoice_month", value="2026-13")
    await admin.send(DocumentActionsState, "issue_invoices")
    assert set(actions.invoice_errors) == {"month"}

    await admin.send(DocumentActionsState, "set_invoice_month", value=f"{month:%Y-%m}")
    await admin.send(DocumentActionsState, "issue_invoices")
    assert actions.invoice_errors == {}
    assert actions.invoice_result == f"2 invoices issued for {month:%Y-%m}."
    assert sorted(row["number"] for row in documents.rows) == ["INV-000001", "INV-000002"]
    assert all(row["period"].startswith(f"{month:%Y-%m}-01 to ") for row in documents.rows)

    await admin.send(DocumentActionsState, "issue_invoices")
    assert actions.invoice_result.startswith("No new invoices")


async def test_a_role_that_may_only_look_changes_nothing(viewer: Tab, world: World) -> None:
    receipt = issue_receipt(charge(world, "CARD-ZOE", STOP), STOP)
    documents = await _open(viewer)
    assert documents.total == 1

    for handler, payload in (
        ("credit_document", {}),
        ("send_again", {"document_id": str(receipt.id)}),
        ("issue_invoices", {}),
    ):
        refused = await viewer.send(DocumentActionsState, handler, **payload)
        assert isinstance(refused, StateUpdate), handler
    refused = await viewer.send(DocumentListState, "export_csv")
    assert isinstance(refused, StateUpdate)


async def test_the_history_page_issues_and_then_links_the_receipt(admin: Tab, world: World) -> None:
    session_id = charge(world, "CARD-ZOE", STOP)
    tab = admin.at(f"/finance/history/{session_id}")
    await tab.send(SessionReceiptState, "load")
    receipt = await tab.state(SessionReceiptState)
    assert receipt.receipt_id == 0

    await tab.send(SessionReceiptState, "issue_receipt")
    assert receipt.receipt_number == "R-000001"
    assert receipt.pdf_href == f"/billing-documents/{receipt.receipt_id}.pdf"
    await tab.send(SessionReceiptState, "issue_receipt")  # the same receipt, not a second
    assert receipt.receipt_number == "R-000001"

    held = charge(world, "CARD-ZOE", STOP, state="review")
    await admin.at(f"/finance/history/{held}").send(SessionReceiptState, "load")
    await admin.send(SessionReceiptState, "issue_receipt")
    assert receipt.receipt_id == 0
