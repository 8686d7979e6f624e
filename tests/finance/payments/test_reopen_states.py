"""Billing settings (with its Payments section) and Top-ups loading again in the same tab
state, as Reflex runs a page's on_load on every websocket reconnect: what the operator
chose and typed stays, what others stored meanwhile shows, and another organisation or
another login in the tab starts fresh. Events go through the real gate, as Reflex sends
them (tests/finance/test_tariff_states.py's Tab)."""

from __future__ import annotations

import pytest

from ccms_app.accounts import auth
from ccms_app.accounts.models import Organisation
from ccms_app.accounts.rules.permissions import ADMINISTRATOR
from ccms_app.core.db import session_scope
from ccms_app.finance import billing_profiles
from ccms_app.finance.payments import packages
from ccms_app.finance.payments import settings as payment_settings
from ccms_app.finance.state.billing_settings import BillingSettingsState, PaymentSettingsState
from ccms_app.finance.state.top_ups import PackageState, TopUpFormState
from tests.finance.payments.support import PayWorld
from tests.finance.test_tariff_states import Tab, _login, _tab
from tests.fixtures.fake_stripe import FakeStripe


def _administrator(organisation_id: int, email: str) -> str:
    """A login session (its hash) of a new administrator of the organisation."""
    with session_scope() as s:
        role_id = auth.built_in_role_id(s, ADMINISTRATOR)
    return _login(organisation_id, email, role_id)


@pytest.fixture
def admin(organisation: Organisation) -> Tab:
    return _tab(_administrator(int(organisation.id or 0), "finance@example.com"))


def _colleague(tab: Tab, organisation_id: int) -> Tab:
    """Another login in the same browser tab (the same state tree)."""
    return Tab(tab.root, _administrator(organisation_id, "colleague@example.com"))


async def _open_settings(tab: Tab) -> None:
    """/finance/settings' on_load handlers after the login check."""
    tab.at("/finance/settings")
    await tab.send(BillingSettingsState, "load")
    await tab.send(PaymentSettingsState, "load")


async def _choose(tab: Tab, organisation_id: int) -> None:
    """The organisation picker, and the section load it returns."""
    await tab.send(BillingSettingsState, "choose_organisation", value=str(organisation_id))
    await tab.send(PaymentSettingsState, "load")


async def test_billing_settings_stay_on_the_organisation_chosen_with_what_was_typed(
    admin: Tab, pay_world: PayWorld, fake_stripe: FakeStripe
) -> None:
    own, sub, scope = pay_world.organisation_id, pay_world.sub_operator_id, pay_world.scope
    await _open_settings(admin)
    billing = await admin.state(BillingSettingsState)
    section = await admin.state(PaymentSettingsState)
    await _choose(admin, sub)
    await admin.send(BillingSettingsState, "set_value", name="seller_name", value="Sub GmbH")
    await admin.send(BillingSettingsState, "set_value", name="vat_percent", value="abc")
    await admin.send(BillingSettingsState, "save")
    assert list(billing.errors) == ["vat_percent"]
    await admin.send(PaymentSettingsState, "set_value", name="top_up_minimum", value="12")
    billing_profiles.save_profile(sub, {"seller_email": "billing@sub.example"}, "x", scope)
    payment_settings.save(sub, {"wallet_minimum": "7"}, "colleague@example.com", scope)

    await _open_settings(admin)  # a reconnect

    assert billing.organisation_id == str(sub)
    typed = (billing.values["seller_name"], billing.values["vat_percent"], list(billing.errors))
    assert typed == ("Sub GmbH", "abc", ["vat_percent"])
    assert billing.values["seller_email"] == "billing@sub.example"  # read again
    assert section.values["top_up_minimum"] == "12"
    assert section.values["wallet_minimum"] == "7.00"  # read again

    await _choose(admin, own)  # another organisation: fresh forms
    assert (billing.values["seller_name"], billing.errors) == ("", {})
    assert section.values["top_up_minimum"] == "5.00"

    await _choose(admin, sub)
    await _open_settings(_colleague(admin, own))  # another login: its own organisation
    assert (billing.organisation_id, billing.values["seller_name"]) == (str(own), "")


async def test_the_top_up_form_keeps_its_checkout_link_when_the_page_loads_again(
    admin: Tab, pay_world: PayWorld, fake_stripe: FakeStripe
) -> None:
    async def open_page(tab: Tab) -> None:
        tab.at("/finance/top-ups")
        await tab.send(TopUpFormState, "load")
        await tab.send(PackageState, "load")

    await open_page(admin)
    form = await admin.state(TopUpFormState)
    await admin.send(TopUpFormState, "set_query", value="zo")
    await admin.send(TopUpFormState, "choose_holder", value=str(pay_world.zoe))
    await admin.send(TopUpFormState, "set_recharge", value="2000")
    await admin.send(TopUpFormState, "start")
    link = form.checkout_url
    assert link.startswith(fake_stripe.base_url + "/checkout/cs_")
    big = {"name": "Big", "pay": "50", "credit": "55", "active": "true"}
    packages.create(pay_world.organisation_id, big, "colleague@example.com", pay_world.scope)

    await open_page(admin)  # a reconnect

    assert (form.checkout_url, form.holder_id, form.recharge) == (
        link,
        str(pay_world.zoe),
        "2000",
    )
    assert [label for _id, label in form.package_options] == [
        "Big: pay €50.00, get €55.00"
    ]  # read again

    await open_page(_colleague(admin, pay_world.organisation_id))  # another login
    assert form.checkout_url == ""
