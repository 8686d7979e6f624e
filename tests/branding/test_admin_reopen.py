"""System > Branding across a websocket reconnect (Reflex runs on_load again in the same tab
state): the same organisation's form loading again re-reads the brand and keeps what was
typed but not saved; another organisation's starts afresh. Events go through the real gate
on a real migrated database."""

from __future__ import annotations

from dataclasses import replace

import pytest

from ccms_app.branding import brands
from ccms_app.branding.state.admin import BrandAdminState
from tests.branding.support import Network, caller, form, network
from tests.finance.wallets.tabs import Tab, login

ROUTE = "/system/branding"


@pytest.fixture
def net(engine) -> Network:
    return network()


async def _typed_with_an_error(tab: Tab) -> BrandAdminState:
    """The root's form with a typed name and colour, and a refused save (a bad accent)."""
    await tab.at(ROUTE).send(BrandAdminState, "load")
    await tab.send(BrandAdminState, "set_value", name="product_name", value="Voltaris Go")
    await tab.send(BrandAdminState, "set_value", name="primary_colour", value="#b91c1c")
    await tab.send(BrandAdminState, "set_value", name="accent_colour", value="not a colour")
    await tab.send(BrandAdminState, "save")
    state: BrandAdminState = await tab.state(BrandAdminState)
    assert "accent_colour" in state.errors
    return state


async def test_a_reconnect_keeps_the_typed_brand_and_another_organisation_starts_afresh(
    net: Network,
) -> None:
    tab = login(net.root, "brand@example.com").at(ROUTE)
    await _typed_with_an_error(tab)
    # Someone else saves the login text meanwhile (the fields typed here are still "").
    brands.save_brand(caller(net.root), form(login_text="Welcome to Voltaris"))

    await tab.at(ROUTE).send(BrandAdminState, "load")  # the reconnect's on_load

    state: BrandAdminState = await tab.state(BrandAdminState)
    assert state.values["product_name"] == "Voltaris Go"
    assert state.values["primary_colour"] == "#b91c1c"
    assert state.values["accent_colour"] == "not a colour"
    assert state.values["login_text"] == "Welcome to Voltaris"  # not typed: follows the brand
    assert "accent_colour" in state.errors
    assert state.preview_primary == "#b91c1c"

    brands.save_brand(caller(net.sub), form(product_name="City Charge"))
    other = replace(tab, session_hash=login(net.sub, "sub@example.com").session_hash)
    await other.at(ROUTE).send(BrandAdminState, "load")  # the same tab, another login

    assert state.values["product_name"] == "City Charge"
    assert state.values["primary_colour"] == ""
    assert state.values["accent_colour"] == ""
    assert state.errors == {}
