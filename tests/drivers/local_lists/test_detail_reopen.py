"""Users -> one local list across a websocket reconnect (Reflex runs on_load again in the same
tab state): the same list loading again refreshes its counts and rows and keeps each list's
search, sort, page, filters and selection and the last Sync now's results; another list
starts from clean queries. Events go through the real gate on a real migrated database,
those the load returns too."""

from __future__ import annotations

from reflex.event import Event
from reflex.state import State

from ccms_app.accounts.models import Organisation
from ccms_app.core.db import session_scope
from ccms_app.core.rows import stored_id
from ccms_app.drivers.local_lists.assignments import assign_list
from ccms_app.drivers.local_lists.entries import add_id_tags
from ccms_app.drivers.local_lists.lists import create_list
from ccms_app.drivers.local_lists.state.detail import (
    AssignedListState,
    EntryListState,
    LocalListDetailState,
    SyncRow,
)
from ccms_app.drivers.local_lists.state.lists import ROUTE
from ccms_app.drivers.models import IdTag
from ccms_app.network.models import ChargePoint
from tests.finance.wallets.tabs import Tab, login

TAGS = [f"FLEET-{n:03}" for n in range(1, 14)]


async def _open(tab: Tab, list_id: int) -> None:
    """The page's on_load, then the events it returns, as Reflex runs them."""
    result = await tab.at(f"{ROUTE}/{list_id}").send(LocalListDetailState, "load")
    for event in Event.from_event_type(result):
        state_path, _, handler = event.name.rpartition(".")
        await tab.send(State.get_class_substate(state_path), handler, **event.payload)


def _charge_point(organisation_id: int, identity: str) -> int:
    with session_scope() as s:
        row = ChargePoint(
            identity=identity, organisation_id=organisation_id, registration_state="registered"
        )
        s.add(row)
        s.flush()
        return stored_id(row.id)


async def test_a_reconnect_keeps_the_queries_selections_and_sync_results_of_the_same_list(
    organisation: Organisation,
) -> None:
    org = stored_id(organisation.id)
    with session_scope() as s:
        s.add_all(IdTag(id_tag=tag, organisation_id=org) for tag in TAGS)
    cp = _charge_point(org, "CP-N1")
    fleet = create_list(org, "Fleet").id
    empty = create_list(org, "Empty").id
    add_id_tags(fleet, TAGS[:12])
    assign_list(fleet, [cp])
    tab = login(org, "lists@example.com")
    await _open(tab, fleet)
    await tab.send(EntryListState, "set_search", value="FLEET")
    await tab.send(EntryListState, "sort_by", key="id_tag")  # the default: now descending
    await tab.send(EntryListState, "set_page_size", value="10")
    await tab.send(EntryListState, "go_to_page", page=2)
    await tab.send(EntryListState, "toggle", key="FLEET-012")
    await tab.send(AssignedListState, "set_filter", key="online", value="false")
    await tab.send(AssignedListState, "toggle", key=str(cp))
    detail: LocalListDetailState = await tab.state(LocalListDetailState)
    detail.sync_results = [SyncRow(identity="CP-N1", result="Accepted", ok=True)]
    detail.sync_message = "Synced 1 charge point(s)."  # as a Sync now left them
    add_id_tags(fleet, TAGS[12:])  # meanwhile, from another tab

    await _open(tab, fleet)  # the reconnect

    entries: EntryListState = await tab.state(EntryListState)
    assigned: AssignedListState = await tab.state(AssignedListState)
    assert (entries.search, entries.sort, entries.descending) == ("FLEET", "id_tag", True)
    assert (entries.page, entries.total) == (2, 13)
    assert [row["id_tag"] for row in entries.rows] == ["FLEET-003", "FLEET-002", "FLEET-001"]
    assert entries.selected == ["FLEET-012"]
    assert (assigned.filters, assigned.selected) == ({"online": "false"}, [str(cp)])
    assert detail.id_tag_count == 13
    assert [row.identity for row in detail.sync_results] == ["CP-N1"]
    assert detail.sync_message == "Synced 1 charge point(s)."

    await _open(tab, empty)  # another list
    assert (entries.search, entries.sort, entries.page, entries.selected) == ("", "", 1, [])
    assert (assigned.filters, assigned.selected) == ({}, [])
    assert (detail.sync_results, detail.sync_message) == ([], "")
