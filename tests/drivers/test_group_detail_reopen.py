"""Users -> one group across a websocket reconnect (Reflex runs on_load again in the same tab
state): the same group loading again refreshes its members and keeps the add-member picker
(the driver picked, its search, its error); another group starts with an empty picker.
Events go through the real gate on a real migrated database."""

from __future__ import annotations

from ccms_app.accounts.models import Organisation
from ccms_app.core.rows import stored_id
from ccms_app.drivers import driver_admin as drivers
from ccms_app.drivers import user_groups
from ccms_app.drivers.common import Scope
from ccms_app.drivers.driver_admin import DriverInput
from ccms_app.drivers.state.detail import GROUPS_ROUTE, GroupDetailState
from ccms_app.drivers.user_groups import GroupInput
from tests.finance.wallets.tabs import login


async def test_a_reconnect_keeps_the_picked_driver_of_the_same_group(
    organisation: Organisation,
) -> None:
    org = stored_id(organisation.id)
    scope = Scope.of(org)
    bob = drivers.create_driver(scope, DriverInput("Bob Berger", "bob@example.com")).id
    carol = drivers.create_driver(scope, DriverInput("Carol Chen", "carol@example.com")).id
    fleet = user_groups.create_group(scope, GroupInput("Fleet")).id
    other_group = user_groups.create_group(scope, GroupInput("Night shift")).id
    user_groups.add_member(scope, fleet, bob)
    tab = login(org, "users@example.com").at(f"{GROUPS_ROUTE}/{fleet}")
    await tab.send(GroupDetailState, "load")
    await tab.send(GroupDetailState, "search_drivers", text="Bob")
    await tab.send(GroupDetailState, "choose_driver", driver_id=str(bob))
    await tab.send(GroupDetailState, "add_member")  # Bob is in already: an error, not saved
    state: GroupDetailState = await tab.state(GroupDetailState)
    assert "already in Fleet" in state.member_error
    user_groups.add_member(scope, fleet, carol)  # meanwhile, from another tab

    await tab.at(f"{GROUPS_ROUTE}/{fleet}").send(GroupDetailState, "load")  # the reconnect

    assert state.values == {"driver_id": str(bob)}
    assert "already in Fleet" in state.member_error
    assert state.driver_search == "Bob"
    assert [label for _, label in state.driver_options] == ["Bob Berger <bob@example.com>"]
    assert sorted(m.label for m in state.members) == ["Bob Berger", "Carol Chen"]

    await tab.at(f"{GROUPS_ROUTE}/{other_group}").send(GroupDetailState, "load")
    assert (state.values, state.member_error, state.driver_search) == ({}, "", "")
    assert state.name == "Night shift"
