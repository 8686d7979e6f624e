"""Settlement and reimbursement reports as files: the CSV an accountant imports, the PDF
read back with pypdf, and the HTTP routes (gated: a login whose role may export Finance;
scoped: a partner gets its own settlement, the same bytes the operator gets, and nobody
else's).

The app here is a Starlette app with these routes only; the product mounts the same
`routes` list in ccms_app.api.build_api.
"""

from __future__ import annotations

import csv
import io
import re
import secrets
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from pypdf import PdfReader
from starlette.applications import Starlette

from ccms_app.accounts import auth
from ccms_app.accounts.auth import SESSION_COOKIE
from ccms_app.accounts.models import LoginSession, OperatorAccount, Role
from ccms_app.accounts.rules.permissions import Action, Module, permission
from ccms_app.branding import brands
from ccms_app.core import db
from ccms_app.core.rows import stored_id
from ccms_app.core.types import utc_now
from ccms_app.finance.partners import routes
from ccms_app.finance.partners.reimbursement_files import reimbursement_csv, reimbursement_pdf
from ccms_app.finance.partners.reimbursements import reimbursement_report
from ccms_app.finance.partners.settlement_files import settlement_csv, settlement_pdf
from ccms_app.finance.partners.settlements import settlement_report
from tests.branding.support import caller as brand_caller
from tests.branding.support import form as brand_form
from tests.finance.partners import test_reimbursements, test_settlements
from tests.finance.partners.support import EMPLOYEE, MARCH, OPERATOR, SUED, Network

EXPORT = permission(Module.FINANCE, Action.EXPORT)
VIEW = permission(Module.FINANCE, Action.VIEW)
NOW = test_settlements.NOW


def text_of(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return re.sub(r"[ \t]+", " ", "\n".join(page.extract_text() for page in reader.pages))


def records(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_the_settlement_csv_is_one_table_with_a_record_column(network: Network) -> None:
    ids = test_settlements.march(network)
    report = settlement_report(network.sued_id, MARCH, network.scope, now=NOW)

    rows = records(settlement_csv(report))

    assert [r["record"] for r in rows] == ["session"] * 4 + ["agreement"] * 2 + ["total"]
    first = rows[0]
    assert (first["session_id"], first["stopped_local"], first["station"]) == (
        str(ids["s1"]),
        "2026-03-01 00:00",
        "Marktplatz",
    )
    assert (first["charge_point"], first["agreement"], first["energy_kwh"]) == (
        "CP-SUED-1 #1",
        "Standard",
        "10.000",
    )
    assert (first["income_excl_vat"], first["vat"], first["income_incl_vat"]) == (
        "10.00",
        "1.90",
        "11.90",
    )
    assert (first["session_fees"], first["commission"], first["due_to_partner"]) == ("0.50", "", "")
    standard, bahnhof, total = rows[4], rows[5], rows[6]
    assert (standard["agreement"], standard["commission"], standard["due_to_partner"]) == (
        "Standard",
        "1.34",
        "-8.99",
    )
    assert (bahnhof["operator_percent"], bahnhof["platform_fee"], bahnhof["due_to_partner"]) == (
        "12.5",
        "5.00",
        "20.79",
    )
    assert (total["sessions"], total["energy_kwh"], total["income_excl_vat"]) == (
        "4",
        "43.350",
        "43.39",
    )
    assert (total["vat"], total["income_incl_vat"], total["commission"]) == (
        "8.25",
        "51.64",
        "5.09",
    )
    assert (total["session_fees"], total["platform_fee"], total["due_to_partner"]) == (
        "1.50",
        "25.00",
        "11.80",
    )
    assert {r["currency"] for r in rows} == {"EUR"}


def test_the_settlement_pdf_shows_the_totals(network: Network) -> None:
    test_settlements.march(network)
    report = settlement_report(network.sued_id, MARCH, network.scope, now=NOW)

    text = text_of(settlement_pdf(report))

    for expected in (
        OPERATOR,
        "Partner settlement 2026-03",
        f"Partner: {SUED}",
        "Period: 2026-03-01 to 2026-03-31 (Europe/Berlin)",
        "Standard",
        "Bahnhof deal",
        "Income excl. VAT €43.39",
        "VAT €8.25",
        "Income incl. VAT €51.64",
        "Operator commission -€5.09",
        "Session fees -€1.50",
        "Platform fee -€25.00",
        "Amount due to the partner €11.80",
        "-€8.99",  # Standard alone: Süd owes
        "rounded half up once",
        "2026-03-31 23:59",  # the last session, in local time
    ):
        assert expected in text, expected


def test_a_negative_settlement_says_the_partner_owes(network: Network) -> None:
    test_settlements.agree(network, "Standard", "10", "0.50", "20.00", test_settlements.JAN)
    report = settlement_report(network.sued_id, MARCH, network.scope, now=NOW)
    assert "Amount the partner owes €20.00" in text_of(settlement_pdf(report))
    assert records(settlement_csv(report))[-1]["due_to_partner"] == "-20.00"


def test_the_reimbursement_files(network: Network) -> None:
    test_reimbursements.home(network)
    test_reimbursements.march(network)
    report = reimbursement_report(network.employee_id, MARCH, network.scope, now=NOW)

    rows = records(reimbursement_csv(report))
    assert [r["record"] for r in rows] == ["session"] * 3 + ["other cards", "total"]
    assert (rows[0]["energy_kwh"], rows[0]["rate_per_kwh"], rows[0]["amount_exact"]) == (
        "10.112",
        "0.3125",
        "3.1600000",
    )
    assert (rows[-1]["energy_kwh"], rows[-1]["amount_exact"], rows[-1]["amount"]) == (
        "18.896",
        "5.9050000",
        "5.91",
    )
    assert (rows[3]["sessions"], rows[3]["energy_kwh"]) == ("2", "7.000")
    text = text_of(reimbursement_pdf(report))
    for expected in (
        "Home charging reimbursement 2026-03",
        f"Employee: {EMPLOYEE}",
        "CP-HOME-ZOE (0.3125 EUR/kWh)",
        "Amount to reimburse €5.91",
        "18.896 kWh",
        "Left out: 2 session(s), 7 kWh",
    ):
        assert expected in text, expected


# --- over HTTP -------------------------------------------------------------------------------


def login(organisation_id: int, email: str, permissions: set[str]) -> str:
    with db.session_scope() as s:
        role = Role(name=f"Role of {email}", permissions=",".join(sorted(permissions)))
        s.add(role)
        s.flush()
        account = OperatorAccount(
            organisation_id=organisation_id, email=email, password_hash="x", role_id=role.id
        )
        s.add(account)
        s.flush()
        token = secrets.token_urlsafe(32)
        s.add(
            LoginSession(
                account_id=stored_id(account.id),
                token_hash=auth.token_hash(token),
                expires_at=utc_now() + timedelta(hours=1),
            )
        )
    return token


@pytest.fixture
async def client(engine) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=Starlette(routes=routes.routes))
    async with httpx.AsyncClient(transport=transport, base_url="http://ccms.test") as http:
        yield http


async def fetch(client: httpx.AsyncClient, url: str, token: str | None) -> httpx.Response:
    client.cookies.clear()
    return await client.get(url, cookies={SESSION_COOKIE: token} if token else {})


async def test_the_settlement_files_over_http(network: Network, client: httpx.AsyncClient) -> None:
    test_settlements.march(network)
    pdf_url = routes.settlement_url(network.sued_id, MARCH, "pdf")
    csv_url = routes.settlement_url(network.sued_id, MARCH, "csv")
    assert pdf_url == f"/settlement-reports/{network.sued_id}/2026-03.pdf"

    assert (await fetch(client, pdf_url, None)).status_code == 401
    viewer = login(network.operator_id, "viewer@netz.example", {VIEW})
    assert (await fetch(client, pdf_url, viewer)).status_code == 403

    finance = login(network.operator_id, "finance@netz.example", {VIEW, EXPORT})
    pdf = await fetch(client, pdf_url, finance)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    name = f"settlement-{network.sued_id}-2026-03.pdf"
    assert pdf.headers["content-disposition"] == f'attachment; filename="{name}"'
    assert "Amount due to the partner €11.80" in text_of(pdf.content)
    operator_csv = await fetch(client, csv_url, finance)
    assert operator_csv.headers["content-type"].startswith("text/csv")

    partner = login(network.sued_id, "finance@sued.example", {VIEW, EXPORT})
    partner_csv = await fetch(client, csv_url, partner)
    assert partner_csv.status_code == 200
    assert partner_csv.content == operator_csv.content  # the same figures, byte for byte
    assert "€11.80" in text_of((await fetch(client, pdf_url, partner)).content)

    stranger = login(network.nord_id, "finance@nord.example", {VIEW, EXPORT})
    assert (await fetch(client, csv_url, stranger)).status_code == 404
    for wrong in (
        routes.settlement_url(network.sued_id, "2026-13", "csv"),
        routes.settlement_url("abc", MARCH, "csv"),
        routes.settlement_url(987654, MARCH, "pdf"),
        routes.settlement_url(network.operator_id, MARCH, "pdf"),
    ):
        assert (await fetch(client, wrong, finance)).status_code == 404, wrong


async def test_the_reimbursement_files_over_http(
    network: Network, client: httpx.AsyncClient
) -> None:
    test_reimbursements.home(network)
    test_reimbursements.march(network)
    url = routes.reimbursement_url(network.employee_id, MARCH, "csv")
    assert url == f"/reimbursement-reports/2026-03/{network.employee_id}.csv"

    assert (await fetch(client, url, None)).status_code == 401
    finance = login(network.operator_id, "finance@netz.example", {VIEW, EXPORT})
    reply = await fetch(client, url, finance)
    assert reply.status_code == 200
    assert records(reply.text)[-1]["amount"] == "5.91"
    pdf = await fetch(client, routes.reimbursement_url(network.employee_id, MARCH, "pdf"), finance)
    assert "Amount to reimburse €5.91" in text_of(pdf.content)
    partner = login(network.sued_id, "finance@sued.example", {VIEW, EXPORT})
    assert (await fetch(client, url, partner)).status_code == 404


def test_the_settlement_pdf_carries_the_operators_brand(network: Network) -> None:
    test_settlements.march(network)
    brands.save_brand(
        brand_caller(network.operator_id),
        brand_form(product_name="VoltNet", document_header="VoltNet GmbH · Hafenstraße 1"),
    )
    report = settlement_report(network.sued_id, MARCH, network.scope, now=NOW)
    pdf = settlement_pdf(report)
    assert "VoltNet GmbH · Hafenstraße 1" in text_of(pdf)
    assert PdfReader(io.BytesIO(pdf)).metadata.creator == "VoltNet"
