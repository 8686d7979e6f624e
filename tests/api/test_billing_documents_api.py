"""Billing documents over the REST API, real HTTP (the web-port app served by granian) on a
real migrated database: a session's receipt issued once (201, then 200 with the same), the
list with its filters and export, one document with its frozen lines and totals, its PDF,
a credit note (field-named 422 for a missing reason, 409 the second time), the month's
invoices (422 naming `month`), "send" through a real SMTP server, and another
organisation's key finding none of it (404)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import httpx
import pytest

from ccms_app.accounts.models import Organisation
from ccms_app.core.types import utc_now
from ccms_app.finance.rules.documents import previous_month
from tests.api.rest import Keys, bearer, keys, rest, served, sub_operator
from tests.finance.documents.support import DRIVER, World, charge, world
from tests.finance.documents.test_mailing import inbox, smtp_port
from tests.fixtures.smtp import Inbox

__all__ = ["inbox", "keys", "rest", "served", "smtp_port", "sub_operator", "world"]

STOP = datetime(2026, 2, 10, 10, 0, tzinfo=UTC)


async def _receipt(rest: httpx.AsyncClient, key: dict[str, str], session_id: int) -> httpx.Response:
    return await rest.post(f"/charging-sessions/{session_id}/receipt", headers=key)


def _fields(reply: httpx.Response) -> list[str]:
    return [entry["field"] for entry in reply.json().get("errors", [])]


async def test_a_receipt_is_issued_once_listed_read_and_downloaded(
    rest: httpx.AsyncClient, keys: Keys, world: World
) -> None:
    key = bearer(keys.make("Finance"))
    session_id = charge(world, "CARD-ZOE", STOP)

    issued = await _receipt(rest, key, session_id)
    assert issued.status_code == 201, issued.text
    receipt = issued.json()
    assert issued.headers["location"] == f"/api/v1/billing-documents/{receipt['id']}"
    assert (receipt["number"], receipt["kind"], receipt["buyer_name"]) == (
        "R-000001",
        "receipt",
        DRIVER,
    )
    assert receipt["totals"] == {"excl_minor": 700, "vat_minor": 133, "incl_minor": 833}
    assert receipt["vat"] == [{"rate": "19", "base_minor": 700, "vat_minor": 133}]
    assert sum(line["amount_minor"] for line in receipt["lines"]) == 700
    assert receipt["session"]["charge_point"] == "CP-1"
    again = await _receipt(rest, key, session_id)
    assert again.status_code == 200 and again.json()["id"] == receipt["id"]

    page = (await rest.get("/billing-documents", headers=key)).json()
    assert page["total"] == 1
    item = page["items"][0]
    assert (item["total_incl_minor"], item["currency"], item["email_state"]) == (
        833,
        "EUR",
        "not_sent",
    )
    assert item["credited_by"] is None and item["session_id"] == session_id
    for params, total in (
        ({"kind": "receipt"}, 1),
        ({"kind": "invoice"}, 0),
        ({"email_state": "sent"}, 0),
        ({"q": "r-0000"}, 1),
        ({"organisation_id": world.organisation_id}, 1),
        ({"issued_at_from": "2999-01-01T00:00:00Z"}, 0),
    ):
        found = await rest.get("/billing-documents", params=params, headers=key)
        assert found.json()["total"] == total, (params, found.text)
    bad = await rest.get("/billing-documents", params={"kind": "bill"}, headers=key)
    assert bad.status_code == 400

    detail = await rest.get(f"/billing-documents/{receipt['id']}", headers=key)
    assert detail.json()["seller"]["vat_id"] == "PL1234567890"
    pdf = await rest.get(f"/billing-documents/{receipt['id']}/pdf", headers=key)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")

    export = await rest.get("/billing-documents/export", params={"format": "csv"}, headers=key)
    rows = list(csv.DictReader(io.StringIO(export.text)))
    assert [row["Number"] for row in rows] == ["R-000001"]


async def test_a_receipt_needs_a_final_cost(
    rest: httpx.AsyncClient, keys: Keys, world: World
) -> None:
    key = bearer(keys.make("Finance"))
    held = charge(world, "CARD-ZOE", STOP, state="review")
    reply = await _receipt(rest, key, held)
    assert reply.status_code == 409 and "review" in reply.json()["detail"]
    assert (await _receipt(rest, key, 987654)).status_code == 404


async def test_a_credit_note_needs_a_reason_and_is_issued_once(
    rest: httpx.AsyncClient, keys: Keys, world: World
) -> None:
    key = bearer(keys.make("Finance"))
    receipt = (await _receipt(rest, key, charge(world, "CARD-ZOE", STOP))).json()
    url = f"/billing-documents/{receipt['id']}/credit-note"

    for reason in ("", "   "):
        refused = await rest.post(url, json={"reason": reason}, headers=key)
        assert refused.status_code == 422 and _fields(refused) == ["reason"], refused.text
    unknown = await rest.post(url, json={"reason": "x", "amount": 1}, headers=key)
    assert unknown.status_code == 422 and _fields(unknown) == ["amount"]

    credited = await rest.post(url, json={"reason": "charger fault"}, headers=key)
    assert credited.status_code == 201, credited.text
    note = credited.json()
    assert (note["kind"], note["number"], note["total_incl_minor"]) == (
        "credit_note",
        "CN-000001",
        -833,
    )
    assert note["credits"] == {"number": "R-000001", "issued_local": receipt["issued_local"]}
    assert note["reason"] == "charger fault"
    again = await rest.post(url, json={"reason": "again"}, headers=key)
    assert again.status_code == 409 and "already credited" in again.json()["detail"]
    original = (await rest.get(f"/billing-documents/{receipt['id']}", headers=key)).json()
    assert original["credited_by"] == "CN-000001"


async def test_invoices_of_a_month_that_is_over(
    rest: httpx.AsyncClient, keys: Keys, world: World
) -> None:
    key = bearer(keys.make("Finance"))
    month = previous_month(utc_now(), "Europe/Berlin")
    charge(world, "CARD-ZOE", datetime(month.year, month.month, 10, 12, tzinfo=UTC))
    body = {"organisation_id": world.organisation_id, "month": f"{month:%Y-%m}"}

    for wrong in ("2026-13", "2026-1", "9999-01"):
        refused = await rest.post(
            "/billing-documents/invoices", json={**body, "month": wrong}, headers=key
        )
        assert refused.status_code == 422 and _fields(refused) == ["month"], refused.text

    issued = await rest.post("/billing-documents/invoices", json=body, headers=key)
    assert issued.status_code == 200, issued.text
    assert issued.json()["issued"] == 1
    (invoice,) = issued.json()["items"]
    assert (invoice["kind"], invoice["number"], invoice["buyer_name"]) == (
        "invoice",
        "INV-000001",
        DRIVER,
    )
    assert invoice["period"]["start"] == f"{month:%Y-%m}-01"
    rerun = await rest.post("/billing-documents/invoices", json=body, headers=key)
    assert rerun.json() == {"issued": 0, "items": []}


async def test_send_e_mails_the_pdf_again(
    rest: httpx.AsyncClient, keys: Keys, world: World, inbox: Inbox
) -> None:
    key = bearer(keys.make("Finance"))
    receipt = (await _receipt(rest, key, charge(world, "CARD-ZOE", STOP))).json()
    for _ in range(2):  # a second send goes out too: "send again"
        sent = await rest.post(f"/billing-documents/{receipt['id']}/send", headers=key)
        assert sent.status_code == 200, sent.text
        assert sent.json()["email_outcome"] == "sent"
        assert sent.json()["email_state"] == "sent" and sent.json()["emailed_at"]
    assert inbox.recipients == [["zoe@example.com"], ["zoe@example.com"]]

    nobody = (await _receipt(rest, key, charge(world, "CARD-NOBODY", STOP))).json()
    refused = await rest.post(f"/billing-documents/{nobody['id']}/send", headers=key)
    assert refused.status_code == 409 and "no e-mail address" in refused.json()["detail"]


async def test_another_organisations_documents_are_not_found(
    rest: httpx.AsyncClient, keys: Keys, world: World, sub_operator: Organisation
) -> None:
    owner = bearer(keys.make("Finance"))
    session_id = charge(world, "CARD-ZOE", STOP)
    receipt = (await _receipt(rest, owner, session_id)).json()
    stranger = bearer(keys.make("Finance", organisation_id=sub_operator.id))

    document = f"/billing-documents/{receipt['id']}"
    assert (await rest.get(document, headers=stranger)).status_code == 404
    assert (await rest.get(f"{document}/pdf", headers=stranger)).status_code == 404
    credit = await rest.post(f"{document}/credit-note", json={"reason": "x"}, headers=stranger)
    assert credit.status_code == 404
    assert (await rest.post(f"{document}/send", headers=stranger)).status_code == 404
    assert (await _receipt(rest, stranger, session_id)).status_code == 404
    listed = await rest.get("/billing-documents", headers=stranger)
    assert listed.json()["total"] == 0
    invoices = await rest.post(
        "/billing-documents/invoices",
        json={"organisation_id": world.organisation_id, "month": "2026-01"},
        headers=stranger,
    )
    assert invoices.status_code == 422 and _fields(invoices) == ["organisation_id"]


@pytest.mark.parametrize("role", ["Viewer"])
async def test_a_role_without_finance_is_refused(
    rest: httpx.AsyncClient, keys: Keys, world: World, role: str
) -> None:
    key = bearer(keys.make(role))
    assert (await rest.get("/billing-documents", headers=key)).status_code == 200
    session_id = charge(world, "CARD-ZOE", STOP)
    assert (await _receipt(rest, key, session_id)).status_code == 403
