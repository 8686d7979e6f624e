"""Finance -> Payments, Top-ups and the Payments section of Billing settings: the pages'
states on a real migrated database with the fake Stripe server, each event sent through the
real gate first (a tab whose cookie holds a live login session), as Reflex sends it."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from reflex.istate.data import RouterData
from reflex.state import StateUpdate

from ccms_app.accounts import auth
from ccms_app.accounts.models import Organisation
from ccms_app.accounts.rules.permissions import ADMINISTRATOR, Action, Module, permission
from ccms_app.core.db import session_scope
from ccms_app.finance.payments import top_ups
from ccms_app.finance.payments.top_ups import TopUpRequest
from ccms_app.finance.state.billing_settings import BillingSettingsState, PaymentSettingsState
from ccms_app.finance.state.payments import PaymentListState, RefundState
from ccms_app.finance.state.top_ups import PackageState, TopUpFormState, TopUpListState
from tests.finance.payments.support import PayWorld, deliver
from tests.finance.test_tariff_states import Tab, _login, _role, _tab
from tests.fixtures.fake_stripe import FakeStripe


@pytest.fixture
def admin(organisation: Organisation) -> Tab:
    with session_scope() as s:
        role_id = auth.built_in_role_id(s, ADMINISTRATOR)
    return _tab(_login(int(organisation.id or 0), "finance@example.com", role_id))


@pytest.fixture
def viewer(organisation: Organisation) -> Tab:
    org = int(organisation.id or 0)
    role_id = _role(org, {permission(Module.FINANCE, Action.VIEW)})
    return _tab(_login(org, "viewer@example.com", role_id))


async def _paid_top_up(
    world: PayWorld, fake: FakeStripe, posts: httpx.AsyncClient, **choice: Any
) -> int:
    opened = top_ups.start(world.scope, "driver", world.zoe, TopUpRequest(**choice), "ops")
    await deliver(
        posts, fake, "checkout.session.completed", fake.complete(opened.checkout_session_id)
    )
    return int(opened.id or 0)


async def test_the_payments_list_reconciliation_view_and_a_refund(
    admin: Tab, pay_world: PayWorld, fake_stripe: FakeStripe, stripe_posts: httpx.AsyncClient
) -> None:
    await _paid_top_up(pay_world, fake_stripe, stripe_posts, recharge_minor=2000)
    odd = top_ups.start(
        pay_world.scope, "driver", pay_world.zoe, TopUpRequest(recharge_minor=1000), "ops"
    )
    completed = {**fake_stripe.complete(odd.checkout_session_id), "amount_total": 900}
    await deliver(stripe_posts, fake_stripe, "checkout.session.completed", completed)

    await admin.at("/finance/payments").send(PaymentListState, "load_zone")
    await admin.send(PaymentListState, "load")
    payments = await admin.state(PaymentListState)
    assert (payments.zone, payments.total) == ("Europe/Berlin", 2)
    rows = {row["amount"]: row for row in payments.rows}
    paid, differs = rows["€20.00"], rows["€10.00"]
    assert (paid["kind"], paid["status"], paid["holder"], paid["refundable"], paid["left"]) == (
        "top-up",
        "succeeded",
        "Zoë Müller",
        "yes",
        "€20.00",
    )
    assert (differs["mismatch"], differs["refundable"]) == ("yes", "")
    assert differs["mismatch_note"].startswith("Stripe received 9.00 EUR")

    await admin.send(PaymentListState, "show_view", view="reconciliation")
    assert [row["id"] for row in payments.rows] == [differs["id"]]
    await admin.send(PaymentListState, "show_view", view="all")
    assert payments.total == 2
    await admin.send(PaymentListState, "set_filter", key="status", value="succeeded")
    assert payments.total == 1

    refund = await admin.state(RefundState)
    await admin.send(RefundState, "open_refund", payment_id=paid["id"], left=paid["left"])
    await admin.send(RefundState, "set_amount", value="30")
    await admin.send(RefundState, "refund")
    assert set(refund.errors) == {"amount", "reason"} and refund.payment_id == paid["id"]
    await admin.send(RefundState, "set_amount", value="5")
    await admin.send(RefundState, "set_reason", value="charger broke")
    assert set(refund.errors) == {"amount", "reason"}  # until the next refund: typing keeps them
    await admin.send(RefundState, "refund")
    assert refund.payment_id == "" and refund.errors == {}
    await admin.send(PaymentListState, "clear_filters")
    refunded = {row["kind"]: row for row in payments.rows}
    assert refunded["refund"]["amount"] == "€5.00"
    assert refunded["top-up"]["refunded"] == "€5.00"


def _over(tab: Tab, socket: str) -> Tab:
    """The same tab, its events now coming over websocket `socket` (after a reconnect)."""
    tab.root.router_data = {**tab.root.router_data, "sid": socket}
    tab.root.router = RouterData.from_router_data(tab.root.router_data)
    return tab


async def test_a_reconnect_keeps_the_view_and_filters_the_operator_chose(
    admin: Tab, pay_world: PayWorld
) -> None:
    """Reflex runs on_load again on a reconnect: the link's `?view=` and filters were applied
    when it was followed, and do not come back over what the operator chose since."""
    await admin.at("/finance/payments?view=reconciliation&kind=refund").send(
        PaymentListState, "load_zone"
    )
    payments = await admin.state(PaymentListState)
    assert payments.view == "reconciliation"
    assert payments.filters == {"kind": "refund", "mismatch": "true"}
    await admin.send(PaymentListState, "show_view", view="all")
    await admin.send(PaymentListState, "clear_filters")

    await _over(admin, "sid-2").send(PaymentListState, "load_zone")
    assert (payments.view, payments.filters) == ("all", {})

    await admin.send(PaymentListState, "load_zone")  # the same link followed again
    assert payments.view == "reconciliation"
    assert payments.filters == {"kind": "refund", "mismatch": "true"}

    await admin.send(PaymentListState, "clear_filters")
    await _over(admin.at("/finance/payments?kind=top_up"), "sid-3").send(
        PaymentListState, "load_zone"
    )  # another address opened in the tab (a new page load): its filter applies
    assert payments.filters == {"kind": "top_up"}


async def test_a_viewer_sees_payments_but_changes_nothing(
    viewer: Tab, pay_world: PayWorld, fake_stripe: FakeStripe
) -> None:
    await viewer.at("/finance/payments").send(PaymentListState, "load")
    assert (await viewer.state(PaymentListState)).loaded
    for cls, handler, payload in (
        (RefundState, "refund", {}),
        (TopUpFormState, "start", {}),
        (PackageState, "save", {}),
        (PackageState, "toggle_active", {"package_id": "1", "active": False}),
        (PaymentSettingsState, "save", {}),
        (PaymentListState, "export_csv", {}),
    ):
        refused = await viewer.send(cls, handler, **payload)
        assert isinstance(refused, StateUpdate), handler


async def test_starting_a_top_up_from_the_page(
    admin: Tab, pay_world: PayWorld, fake_stripe: FakeStripe
) -> None:
    admin.at("/finance/top-ups")
    await admin.send(TopUpFormState, "load")
    form = await admin.state(TopUpFormState)
    assert form.configured
    await admin.send(TopUpFormState, "start")
    assert form.errors == {"holder": "Choose who tops up.", "amount": "Choose an amount."}
    await admin.send(TopUpFormState, "set_query", value="zo")
    assert form.holders == [[str(pay_world.zoe), "Zoë Müller (zoe@example.com)"]]
    await admin.send(TopUpFormState, "choose_holder", value=str(pay_world.zoe))
    assert form.recharge_options[0] == ["1000", "€10.00"]
    assert (form.limit_low, form.limit_high) == ("5.00 EUR", "500.00 EUR")
    await admin.send(TopUpFormState, "set_mode", value="custom")
    await admin.send(TopUpFormState, "set_amount", value="1")
    await admin.send(TopUpFormState, "start")
    assert "between" in form.errors["amount"]
    await admin.send(TopUpFormState, "set_amount", value="20")
    assert "between" in form.errors["amount"]  # until the next start: typing keeps it
    await admin.send(TopUpFormState, "set_mode", value="amount")
    await admin.send(TopUpFormState, "set_recharge", value="2000")
    await admin.send(TopUpFormState, "start")
    assert form.checkout_url.startswith(fake_stripe.base_url + "/checkout/cs_")
    history = await admin.state(TopUpListState)
    await admin.send(TopUpListState, "load")
    (row,) = history.rows
    assert (row["holder"], row["paid"], row["state"], row["checkout_url"]) == (
        "Zoë Müller",
        "€20.00",
        "open",
        form.checkout_url,
    )
    await admin.send(TopUpFormState, "set_kind", value="group")
    assert form.holders == []  # no group called "zo"
    await admin.send(TopUpFormState, "set_query", value="")
    assert form.holders == [[str(pay_world.fleet), "Fleet (fleet@example.com)"]]


async def test_top_ups_say_they_are_not_configured(
    admin: Tab, pay_world: PayWorld, stripe_not_configured: None
) -> None:
    await admin.at("/finance/top-ups").send(TopUpFormState, "load")
    assert not (await admin.state(TopUpFormState)).configured


async def test_packages_are_created_edited_and_switched_off(
    admin: Tab, pay_world: PayWorld
) -> None:
    admin.at("/finance/top-ups")
    state = await admin.state(PackageState)
    await admin.send(PackageState, "open_new")
    await admin.send(PackageState, "set_value", name="name", value="Big")
    await admin.send(PackageState, "set_value", name="pay", value="50")
    await admin.send(PackageState, "set_value", name="credit", value="40")
    await admin.send(PackageState, "save")
    assert list(state.errors) == ["credit"] and state.editing == "new"
    await admin.send(PackageState, "set_value", name="credit", value="55")
    assert list(state.errors) == ["credit"]
    await admin.send(PackageState, "save")
    assert state.editing == ""
    (row,) = state.rows
    assert (row["name"], row["pay"], row["credit"], row["bonus"], row["active"]) == (
        "Big",
        "€50.00",
        "€55.00",
        "€5.00",
        "yes",
    )
    await admin.send(PackageState, "open_edit", package_id=row["id"])
    assert state.values["credit"] == "55.00"
    await admin.send(PackageState, "set_value", name="credit", value="60")
    await admin.send(PackageState, "save")
    await admin.send(PackageState, "toggle_active", package_id=row["id"], active=False)
    assert (state.rows[0]["bonus"], state.rows[0]["active"]) == ("€10.00", "")


async def test_the_payments_section_of_billing_settings(
    admin: Tab, pay_world: PayWorld, fake_stripe: FakeStripe
) -> None:
    admin.at("/finance/settings")
    await admin.send(BillingSettingsState, "load")
    await admin.send(PaymentSettingsState, "load")
    section = await admin.state(PaymentSettingsState)
    assert section.loaded and section.stripe_configured and section.currency == "EUR"
    assert section.values["wallet_minimum"] == "5.00"
    await admin.send(PaymentSettingsState, "set_value", name="top_up_minimum", value="abc")
    await admin.send(PaymentSettingsState, "save")
    assert list(section.errors) == ["top_up_minimum"]
    await admin.send(PaymentSettingsState, "set_value", name="top_up_minimum", value="10")
    await admin.send(PaymentSettingsState, "set_value", name="recharge_amounts", value="10 30")
    await admin.send(PaymentSettingsState, "set_memberships", enabled=False)
    await admin.send(PaymentSettingsState, "save")
    assert section.errors == {}
    assert (section.values["recharge_amounts"], section.values["memberships_enabled"]) == (
        "10.00, 30.00",
        "false",
    )
    await admin.send(
        BillingSettingsState, "choose_organisation", value=str(pay_world.sub_operator_id)
    )
    await admin.send(PaymentSettingsState, "load")
    assert section.values["recharge_amounts"] == "10.00, 20.00, 50.00"  # the sub-operator's own
