"""Finance -> Memberships: the page's states on a real migrated database, each event sent
through the real gate first (a tab whose cookie holds a live login session), as Reflex sends
it. Plans are created with every wrong field named, members enrolled and cancelled, the
lists show them in the operator's zone; a role that may only look is refused every change;
the driver page's badge reads the driver's membership."""

from __future__ import annotations

from datetime import timedelta

import pytest
from reflex.state import StateUpdate

from ccms_app.accounts import auth
from ccms_app.accounts.models import Organisation
from ccms_app.accounts.rules.permissions import ADMINISTRATOR, Action, Module, permission
from ccms_app.core.db import session_scope
from ccms_app.core.types import utc_now
from ccms_app.finance.memberships import enrolment
from ccms_app.finance.state.membership_forms import MembershipActionsState, PlanFormState
from ccms_app.finance.state.memberships import (
    DriverMembershipState,
    MembershipListState,
    MembershipPlanListState,
)
from tests.finance.memberships.support import ACTOR, Club, fill_wallet, plan
from tests.finance.test_tariff_states import Tab, _login, _role, _tab

ROUTE = "/finance/memberships"


@pytest.fixture
def admin(organisation: Organisation, club: Club) -> Tab:
    with session_scope() as s:
        role_id = auth.built_in_role_id(s, ADMINISTRATOR)
    return _tab(_login(int(organisation.id or 0), "finance@example.com", role_id)).at(ROUTE)


@pytest.fixture
def viewer(organisation: Organisation, club: Club) -> Tab:
    org = int(organisation.id or 0)
    role_id = _role(org, {permission(Module.FINANCE, Action.VIEW)})
    return _tab(_login(org, "viewer@example.com", role_id)).at(ROUTE)


async def _open(tab: Tab) -> tuple[MembershipPlanListState, MembershipListState]:
    await tab.at(ROUTE).send(MembershipListState, "load_zone")
    await tab.send(MembershipListState, "load")
    await tab.send(MembershipPlanListState, "load")
    return await tab.state(MembershipPlanListState), await tab.state(MembershipListState)


async def _fill_plan(tab: Tab, **values: str) -> PlanFormState:
    await tab.send(PlanFormState, "open_new")
    for name, value in values.items():
        await tab.send(PlanFormState, "set_value", name=name, value=value)
    await tab.send(PlanFormState, "save")
    return await tab.state(PlanFormState)


async def test_a_plan_is_created_from_the_form_and_listed(admin: Tab, club: Club) -> None:
    plans_list, _members = await _open(admin)
    assert plans_list.total == 0

    form = await _fill_plan(
        admin,
        name="Gold",
        monthly_fee="9.90",
        discount_percent="10",
        included_kwh="50",
        member_tariff_id=str(club.member_tariff),
    )

    assert form.errors == {} and not form.is_open
    assert plans_list.total == 1, plans_list.error
    (row,) = plans_list.rows
    assert (row["name"], row["monthly_fee_minor"], row["fee_collection"]) == (
        "Gold",
        "€9.90",
        "from the wallet",
    )
    assert row["benefits"] == "10 % off, tariff Members, 50 kWh included"
    assert (row["members"], row["active"]) == ("0", "offered")

    await admin.send(PlanFormState, "open_edit", plan_id=row["id"])
    assert form.values["included_kwh"] == "50" and form.plan_id == row["id"]
    await admin.send(PlanFormState, "set_value", name="member_tariff_id", value="none")
    await admin.send(PlanFormState, "save")
    assert plans_list.rows[0]["benefits"] == "10 % off, 50 kWh included"
    await admin.send(PlanFormState, "set_offered", plan_id=row["id"], offered=False)
    assert plans_list.rows[0]["active"] == "not offered"


async def test_wrong_fields_stay_with_their_message(admin: Tab, club: Club) -> None:
    plans_list, _ = await _open(admin)
    form = await _fill_plan(admin, name="", monthly_fee="abc", discount_percent="150")

    assert form.is_open and set(form.errors) == {"name", "monthly_fee", "discount_percent"}
    assert form.values["monthly_fee"] == "abc"  # what was typed stays
    await admin.send(PlanFormState, "set_value", name="discount_percent", value="")
    await admin.send(PlanFormState, "set_value", name="name", value="Bare")
    await admin.send(PlanFormState, "set_value", name="monthly_fee", value="5")
    await admin.send(PlanFormState, "save")
    assert set(form.errors) == {"benefits"} and plans_list.total == 0


async def test_members_are_enrolled_listed_and_cancelled(admin: Tab, club: Club) -> None:
    gold = plan(club, "Gold", monthly_fee="9.90", included_kwh="50")
    fill_wallet(club, "driver", club.driver, 500)
    _, members = await _open(admin)

    await admin.send(MembershipActionsState, "open_enrol")
    actions = await admin.state(MembershipActionsState)
    assert actions.plan_options == [[str(gold.id), "Gold · 9.90 EUR / month"]]
    await admin.send(MembershipActionsState, "search_holders", text="ada")
    assert actions.holder_options == [[str(club.driver), "Ada Lovelace"]]
    await admin.send(MembershipActionsState, "set_holder", value=str(club.driver))
    await admin.send(MembershipActionsState, "enrol")
    assert actions.errors["holder_id"].startswith("The wallet holds 5.00 EUR")  # too little

    fill_wallet(club, "driver", club.driver, 1000, ref="t2")
    await admin.send(MembershipActionsState, "enrol")
    assert actions.errors == {} and not actions.enrol_open
    assert members.total == 1, members.error
    (row,) = members.rows
    assert (row["holder_name"], row["holder_kind"], row["plan_name"]) == (
        "Ada Lovelace",
        "driver",
        "Gold",
    )
    assert (row["status"], row["fee_collection"], row["included"]) == (
        "active",
        "from the wallet",
        "0 of 50 kWh",
    )
    assert " to " in row["current_period_end"] and row["fee"] == "€9.90"

    await admin.send(MembershipActionsState, "open_cancel", membership_id=row["id"], label="x")
    await admin.send(MembershipActionsState, "cancel_membership")
    assert members.rows[0]["status"] == "active · ends at period end"
    await admin.send(MembershipListState, "set_filter", key="status", value="cancelled")
    assert members.total == 0


async def test_a_viewer_sees_but_changes_nothing(viewer: Tab, club: Club) -> None:
    plan(club, "Gold")
    plans_list, _ = await _open(viewer)
    assert plans_list.total == 1
    for cls, handler, payload in (
        (PlanFormState, "save", {}),
        (PlanFormState, "set_offered", {"plan_id": plans_list.rows[0]["id"], "offered": False}),
        (MembershipActionsState, "enrol", {}),
        (MembershipActionsState, "cancel_membership", {}),
    ):
        refused = await viewer.send(cls, handler, **payload)
        assert isinstance(refused, StateUpdate), f"{cls.__name__}.{handler} was let through"
    assert (await viewer.state(MembershipPlanListState)).rows[0]["active"] == "offered"


async def test_the_driver_page_badge_reads_the_drivers_membership(admin: Tab, club: Club) -> None:
    gold = plan(club, "Gold")
    fill_wallet(club, "driver", club.driver, 5000)
    page = f"/users/drivers/{club.driver}"
    await admin.at(page).send(DriverMembershipState, "load_driver")
    badge = await admin.state(DriverMembershipState)
    assert badge.plan == ""

    enrolment.enrol(club.scope, gold.id, "driver", club.driver, ACTOR, utc_now() - timedelta(1))
    await admin.send(DriverMembershipState, "load_driver")

    assert (badge.plan, badge.status) == ("Gold", "active")
    assert badge.detail.startswith("active, renews ")
