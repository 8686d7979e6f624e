"""Finance -> Settlements and Reimbursements: the pages' states on a real migrated database,
each event sent through the real gate first (a tab whose cookie holds a live login
session), as Reflex sends it. The operator makes an agreement and reads a partner's month;
the partner's own login reads the same month and its agreements and changes nothing; a
role that may only view is refused a save by the gate; home chargers are marked from an
identity and an e-mail, and the month per employee shows."""

from __future__ import annotations

import secrets
from datetime import timedelta

from reflex.state import State, StateUpdate
from sqlmodel import Session, select

from ccms_app.accounts import auth
from ccms_app.accounts.models import LoginSession, OperatorAccount, Role
from ccms_app.accounts.rules.permissions import ADMINISTRATOR
from ccms_app.core.db import session_scope
from ccms_app.core.types import utc_now
from ccms_app.finance.partners.models import HomeCharger, RevenueShareAgreement
from ccms_app.finance.state.reimbursements import (
    HomeChargerFormState,
    HomeChargerListState,
    ReimbursementState,
)
from ccms_app.finance.state.settlements import (
    AgreementFormState,
    AgreementListState,
    SettlementState,
)
from tests.finance.partners import test_reimbursements, test_settlements
from tests.finance.partners.support import EMPLOYEE, MARCH, SUED, Network
from tests.finance.test_tariff_states import Tab

SETTLEMENTS = "/finance/settlements"
REIMBURSEMENTS = "/finance/reimbursements"


def tab(organisation_id: int, email: str, permissions: set[str] | None = None) -> Tab:
    """A tab of a new login of the organisation: an administrator, or a role with exactly
    `permissions`."""
    with session_scope() as s:
        if permissions is None:
            role_id = auth.built_in_role_id(s, ADMINISTRATOR)
        else:
            role = Role(
                name=f"Role of {email}",
                organisation_id=organisation_id,
                permissions=",".join(sorted(permissions)),
            )
            s.add(role)
            s.flush()
            role_id = int(role.id or 0)
        account = OperatorAccount(
            organisation_id=organisation_id, email=email, password_hash="-", role_id=role_id
        )
        s.add(account)
        s.flush()
        session_hash = auth.token_hash(secrets.token_urlsafe(32))
        s.add(
            LoginSession(
                account_id=account.id,
                token_hash=session_hash,
                expires_at=utc_now() + timedelta(days=1),
            )
        )
    return Tab(State(_reflex_internal_init=True), session_hash).at(SETTLEMENTS)


async def open_settlements(page: Tab) -> None:
    for state, handler in (
        (AgreementListState, "load_context"),
        (AgreementListState, "load"),
        (SettlementState, "load"),
    ):
        await page.send(state, handler)
    await page.send(SettlementState, "set_month", value=MARCH)


async def fill(page: Tab, values: dict[str, str]) -> None:
    for name, value in values.items():
        await page.send(AgreementFormState, "set_value", name=name, value=value)


async def test_the_operator_makes_an_agreement_and_reads_the_month(
    network: Network, session: Session
) -> None:
    admin = tab(network.operator_id, "admin@netz.example")
    await open_settlements(admin)
    listing = await admin.state(AgreementListState)
    assert listing.editable and listing.zone == "Europe/Berlin"

    await admin.send(AgreementFormState, "open_new")
    form = await admin.state(AgreementFormState)
    assert form.open and form.values["currency"] == "EUR"
    assert [p[1] for p in form.partners] == ["Nord Laden AG", SUED]
    await admin.send(AgreementFormState, "set_partner", value=str(network.sued_id))
    assert [s[1] for s in form.stations] == ["All stations", "Bahnhof", "Marktplatz"]
    await fill(
        admin,
        {
            "name": "Standard",
            "operator_percent": "150",
            "fee_per_session": "0.50",
            "platform_fee": "20",
            "valid_from": "2026-02-30",
        },
    )
    await admin.send(AgreementFormState, "save")
    assert set(form.errors) == {"operator_percent", "valid_from"} and form.open
    await fill(admin, {"operator_percent": "10", "valid_from": "2026-01-01"})
    await admin.send(AgreementFormState, "save")
    assert not form.open, (form.errors, form.message)
    session.rollback()
    stored = session.exec(select(RevenueShareAgreement)).one()
    assert stored.valid_from == test_settlements.JAN  # 1 January in Berlin
    assert [row["name"] for row in listing.rows] == ["Standard"]

    await admin.send(AgreementFormState, "open_edit", agreement_id=str(stored.id))
    assert (form.values["valid_from"], form.values["valid_until"]) == ("2026-01-01", "")
    assert form.values["fee_per_session"] == "0.50"

    test_settlements.agree(
        network,
        "Bahnhof deal",
        "12.5",
        "0.25",
        "5.00",
        test_settlements.JAN,
        station_id=network.bahnhof_id,
    )
    await admin.send(SettlementState, "set_partner", value=str(network.sued_id))
    month = await admin.state(SettlementState)
    assert month.shown and month.title == f"{SUED}, {MARCH}"
    assert month.period == "2026-03-01 to 2026-03-31 (Europe/Berlin)"
    assert month.totals["due"] == "-€25.00"  # no session yet: two platform fees
    assert month.totals["due_label"] == "Amount the partner owes"
    assert month.pdf_url == f"/settlement-reports/{network.sued_id}/2026-03.pdf"


async def test_the_partner_sees_the_operators_figures_and_changes_nothing(
    network: Network, session: Session
) -> None:
    test_settlements.march(network)
    admin = tab(network.operator_id, "admin@netz.example")
    await open_settlements(admin)
    await admin.send(SettlementState, "set_partner", value=str(network.sued_id))
    operator_view = await admin.state(SettlementState)
    assert operator_view.totals["due"] == "€11.80"
    assert [a["due"] for a in operator_view.agreements] == ["-€8.99", "€20.79"]

    partner = tab(network.sued_id, "admin@sued.example")
    await open_settlements(partner)
    partner_view = await partner.state(SettlementState)
    assert partner_view.partners == [[str(network.sued_id), SUED]]
    assert partner_view.totals == operator_view.totals
    assert partner_view.agreements == operator_view.agreements
    listing = await partner.state(AgreementListState)
    assert not listing.editable
    assert [row["name"] for row in listing.rows] == ["Standard", "Bahnhof deal"]

    await partner.send(AgreementFormState, "open_new")
    await fill(partner, {"name": "Mine", "operator_percent": "0", "valid_from": "2026-05-01"})
    await partner.send(AgreementFormState, "save")
    form = await partner.state(AgreementFormState)
    assert "operator above" in form.message
    session.rollback()
    assert len(session.exec(select(RevenueShareAgreement)).all()) == 2


async def test_a_viewer_is_refused_a_save_by_the_gate(network: Network, session: Session) -> None:
    reader = tab(network.operator_id, "reader@netz.example", {"finance:view"})
    await open_settlements(reader)
    await reader.send(AgreementFormState, "open_new")
    await fill(reader, {"name": "Sneaky", "operator_percent": "1", "valid_from": "2026-01-01"})

    refused = await reader.send(AgreementFormState, "save")
    refused_mark = await reader.at(REIMBURSEMENTS).send(HomeChargerFormState, "save")
    refused_remove = await reader.send(
        HomeChargerFormState, "remove_home_charger", charge_point_id=str(network.cp_home)
    )

    for update in (refused, refused_mark, refused_remove):
        assert isinstance(update, StateUpdate)
        assert "does not allow edit on Finance" in str(update.events)
    assert session.exec(select(RevenueShareAgreement)).all() == []


async def test_home_chargers_and_the_month_per_employee(network: Network, session: Session) -> None:
    admin = tab(network.operator_id, "admin@netz.example").at(REIMBURSEMENTS)
    for state, handler in (
        (HomeChargerListState, "load_zone"),
        (HomeChargerListState, "load"),
        (ReimbursementState, "load"),
    ):
        await admin.send(state, handler)
    await admin.send(ReimbursementState, "set_month", value=MARCH)

    await admin.send(HomeChargerFormState, "open_new")
    for name, value in {
        "charge_point": "cp-nowhere",
        "employee": "nobody@x.example",
        "rate_per_kwh": "0.3125",
        "since": "2026-03-05",
    }.items():
        await admin.send(HomeChargerFormState, "set_value", name=name, value=value)
    await admin.send(HomeChargerFormState, "save")
    form = await admin.state(HomeChargerFormState)
    assert set(form.errors) == {"charge_point", "employee"} and form.open
    await admin.send(HomeChargerFormState, "set_value", name="charge_point", value="cp-home-zoe")
    await admin.send(HomeChargerFormState, "set_value", name="employee", value="ZOE@netz.example")
    await admin.send(HomeChargerFormState, "save")
    assert not form.open, form.errors
    session.rollback()
    stored = session.exec(select(HomeCharger)).one()
    assert stored.since == test_reimbursements.SINCE and stored.currency == "EUR"
    listing = await admin.state(HomeChargerListState)
    assert [(r["employee"], r["since"]) for r in listing.rows] == [(EMPLOYEE, "2026-03-05")]

    test_reimbursements.march(network)
    await admin.send(ReimbursementState, "set_month", value=MARCH)
    report = await admin.state(ReimbursementState)
    (row,) = report.rows
    assert (row["employee"], row["amount"], row["energy"]) == (EMPLOYEE, "€5.91", "18.896 kWh")
    assert row["csv_url"] == f"/reimbursement-reports/2026-03/{network.employee_id}.csv"
    assert report.total == "€5.91"

    await admin.send(
        HomeChargerFormState, "remove_home_charger", charge_point_id=str(network.cp_home)
    )
    assert report.rows == [] and listing.rows == []
