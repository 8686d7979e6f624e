"""Load Balancing -> one site across a websocket reconnect (Reflex runs on_load again in the
same tab state): the same site loading again keeps the open tab, the settings as typed (with
their errors and the delete confirmation) and the opened decision, and refreshes what the
page shows; a link naming another tab opens it; another site starts afresh. Events go through
the real gate on a real migrated database."""

from __future__ import annotations

from ccms_app.accounts.models import Organisation
from ccms_app.core.rows import stored_id
from ccms_app.load_balancing import site_admin
from ccms_app.load_balancing.state.common import site_route
from ccms_app.load_balancing.state.decisions import DecisionState
from ccms_app.load_balancing.state.site import SiteSettingsState, SiteState
from tests.finance.wallets.tabs import Tab, login
from tests.load_balancing.admin_seed import caller, charge_point, site, station

ON_LOAD = (SiteState, DecisionState, SiteSettingsState)  # this module's states of the page


async def _open(tab: Tab, path: str, socket: str = "sid-1") -> None:
    """The page's on_load handlers, as Reflex runs them on a visit (`socket` kept) or a
    reconnect (a new `socket`)."""
    tab.at(path, socket)
    for cls in ON_LOAD:
        await tab.send(cls, "load")


async def test_a_reconnect_keeps_the_tab_settings_and_decision_of_the_same_site(
    organisation: Organisation,
) -> None:
    org = stored_id(organisation.id)
    depot = station(org)
    first = site(org, depot).id
    second = site(org, station(org, "Harbour"), name="Harbour grid").id
    tab = login(org, "lb@example.com")
    await _open(tab, site_route(first))
    await tab.send(SiteState, "set_tab", tab="settings")
    await tab.send(SiteSettingsState, "set_value", name="name", value="Depot grid (north)")
    await tab.send(SiteSettingsState, "set_value", name="limit_a", value="lots")
    await tab.send(SiteSettingsState, "save")
    await tab.send(SiteSettingsState, "set_confirm_delete", value=True)
    await tab.send(DecisionState, "toggle", decision_id="7")
    settings: SiteSettingsState = await tab.state(SiteSettingsState)
    assert "limit_a" in settings.errors
    # Meanwhile: another operator changes the margin, a meter charge point is installed.
    site_admin.update_site(caller(org), first, {"margin_a": "5"})
    meter = charge_point(org, depot, "CP-METER-1")

    await _open(tab, site_route(first), "sid-2")  # the reconnect

    page: SiteState = await tab.state(SiteState)
    decisions: DecisionState = await tab.state(DecisionState)
    assert page.tab == "settings"
    assert "margin 5 A" in page.site["limit"]
    assert settings.values["name"] == "Depot grid (north)"
    assert settings.values["limit_a"] == "lots"
    assert settings.values["margin_a"] == "5"  # not typed: follows the site
    assert "limit_a" in settings.errors
    assert settings.confirm_delete
    assert [str(meter), "CP-METER-1"] in settings.meter_options
    assert decisions.open_id == "7"

    await _open(tab, f"{site_route(first)}?tab=tree", "sid-2")  # a link naming another tab
    assert page.tab == "tree"
    await tab.send(SiteState, "set_tab", tab="plans")
    await _open(tab, f"{site_route(first)}?tab=tree", "sid-2")  # the same link followed again
    assert page.tab == "tree"

    await _open(tab, site_route(second))  # another site
    assert page.tab == "live"
    assert settings.values["name"] == "Harbour grid"
    assert settings.errors == {}
    assert not settings.confirm_delete
    assert decisions.open_id == ""
