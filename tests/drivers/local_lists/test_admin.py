"""The local list screens' use cases (drivers.local_lists: lists, entries, assignments, specs):
the lists page and its counts, checked adds (pasted lines), rename, delete only when
unassigned, assign by station, the pickers' specs, and Sync now for one list over real
websockets to the simulator."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from ccms_app.accounts.models import Organisation
from ccms_app.core.listing import ListQuery, fetch_page
from ccms_app.drivers.local_lists.assignments import (
    assign_list,
    assign_stations,
    assigned_charge_point_ids,
    unassign_list,
)
from ccms_app.drivers.local_lists.entries import PASTE_MAX_LINES, add_id_tags, add_id_tags_checked
from ccms_app.drivers.local_lists.job import run_sync_job
from ccms_app.drivers.local_lists.lists import (
    LocalListError,
    create_list,
    delete_unassigned_list,
    list_summary,
    lists_for,
    update_list,
)
from ccms_app.drivers.local_lists.marks import mark_charge_points_changed
from ccms_app.drivers.local_lists.specs import (
    LOCAL_LIST_CHARGE_POINT_LIST,
    LOCAL_LIST_ENTRY_LIST,
    LOCAL_LIST_LIST,
    card_candidates_spec,
    charge_point_candidates_spec,
    station_candidates_spec,
)
from ccms_app.drivers.local_lists.sync import sync_list
from ccms_app.drivers.models import IdTag, LocalAuthListEntry, LocalListSyncState
from ccms_app.network.models import ChargePoint, Station
from ocpp_server.server import OcppServer
from ocpp_server.simulator import SimulatedChargePoint

BY = "ops@example.com"
TAGS = ["FLEET-001", "FLEET-002", "FLEET-003"]


@pytest.fixture
def network(engine: Engine, organisation: Organisation) -> dict[str, int]:
    """Cards, two stations with charge points, and another operator with its own card."""
    with Session(engine) as s:
        other = Organisation(name="Other Operator")
        north = Station(name="North", organisation_id=organisation.id)
        south = Station(name="South", organisation_id=organisation.id)
        s.add_all([other, north, south])
        s.flush()
        s.add_all(IdTag(id_tag=t, organisation_id=organisation.id) for t in TAGS)
        s.add(IdTag(id_tag="THEIR-CARD", organisation_id=other.id))
        s.add(Station(name="Theirs", organisation_id=other.id))
        cps = {
            "CP-N1": north.id,
            "CP-N2": north.id,
            "CP-S1": south.id,
            "CP-LOOSE": None,
        }
        for identity, station_id in cps.items():
            s.add(
                ChargePoint(
                    identity=identity,
                    organisation_id=organisation.id,
                    station_id=station_id,
                    registration_state="registered",
                )
            )
        s.commit()
        ids = {cp.identity: cp.id for cp in s.exec(select(ChargePoint)).all()}
        return {**ids, "north": north.id, "south": south.id, "other": other.id}


def _page(spec, scope, **query) -> dict[str, dict]:
    rows = fetch_page(spec, ListQuery(page_size=200, **query), scope).rows
    return {str(r[spec.columns[1].key]): r for r in rows}


def _entries(list_id: int, scope, **query) -> dict[str, dict]:
    filters = {**query.pop("filters", {}), "list_id": list_id}
    return _page(LOCAL_LIST_ENTRY_LIST, scope, filters=filters, **query)


def _assigned(list_id: int, scope, **query) -> dict[str, dict]:
    filters = {**query.pop("filters", {}), "list_id": list_id}
    return _page(LOCAL_LIST_CHARGE_POINT_LIST, scope, filters=filters, **query)


def _set_in_sync(engine: Engine, charge_point_id: int, version: int = 3) -> None:
    """Book the charge point as having accepted everything (what a successful sync does)."""
    with Session(engine) as s:
        state = s.exec(
            select(LocalListSyncState).where(LocalListSyncState.charge_point_id == charge_point_id)
        ).one()
        state.accepted_version = state.reported_version = version
        state.synced_change_count = state.change_count
        s.add(state)
        s.commit()


def _change_count(engine: Engine, charge_point_id: int) -> int:
    with Session(engine) as s:
        state = s.exec(
            select(LocalListSyncState).where(LocalListSyncState.charge_point_id == charge_point_id)
        ).first()
        return state.change_count if state else 0


def test_lists_page_counts_id_tags_charge_points_and_out_of_date_ones(
    engine: Engine, organisation: Organisation, network: dict[str, int]
) -> None:
    fleet = create_list(organisation.id, "Fleet", "company cars")
    create_list(organisation.id, "Empty")
    add_id_tags(fleet.id, TAGS[:2])
    assign_list(fleet.id, [network["CP-N1"], network["CP-N2"]])
    create_list(network["other"], "Not ours")

    rows = _page(LOCAL_LIST_LIST, [organisation.id])
    assert sorted(rows) == ["Empty", "Fleet"]  # the other operator's list is not seen
    fleet_row = rows["Fleet"]
    assert (fleet_row["id_tags"], fleet_row["charge_points"], fleet_row["out_of_date"]) == (
        2,
        2,
        2,  # never synced
    )
    assert (rows["Empty"]["id_tags"], rows["Empty"]["out_of_date"]) == (0, 0)

    _set_in_sync(engine, network["CP-N1"])
    summary = list_summary(fleet.id, [organisation.id])
    assert (summary.id_tag_count, summary.charge_point_count, summary.out_of_date_count) == (
        2,
        2,
        1,
    )
    assert summary.member_scope == frozenset({organisation.id})
    assert _page(LOCAL_LIST_LIST, [organisation.id], search="company")["Fleet"]["id"] == fleet.id
    by_stale = fetch_page(
        LOCAL_LIST_LIST, ListQuery(sort="out_of_date", descending=True), [organisation.id]
    )
    assert [r["name"] for r in by_stale.rows] == ["Fleet", "Empty"]


def test_pasted_id_tags_are_checked_line_by_line_and_nothing_is_half_added(
    engine: Engine, organisation: Organisation, network: dict[str, int]
) -> None:
    fleet = create_list(organisation.id, "Fleet")
    add_id_tags(fleet.id, [TAGS[0]])
    assign_list(fleet.id, [network["CP-N1"]])
    marks = _change_count(engine, network["CP-N1"])
    pasted = [
        "fleet-002",  # case does not matter
        "",
        "NO-SUCH-CARD",
        "THEIR-CARD",  # another operator's card: not in this network
        "X" * 21,
        "BAD\tTAB",
    ]
    outcome = add_id_tags_checked(fleet.id, pasted, [organisation.id])
    assert not outcome.ok and outcome.added == []
    assert [(p.line, p.text) for p in outcome.problems] == [
        (3, "NO-SUCH-CARD"),
        (4, "THEIR-CARD"),
        (5, "X" * 21),
        (6, "BAD\tTAB"),
    ]
    assert outcome.problems[0].problem == "no such RFID card in this network"
    assert "at most 20" in outcome.problems[2].problem
    assert "printable ASCII" in outcome.problems[3].problem
    assert list_summary(fleet.id).id_tag_count == 1  # nothing added
    assert _change_count(engine, network["CP-N1"]) == marks

    outcome = add_id_tags_checked(
        fleet.id, [" fleet-002 ", TAGS[0], "FLEET-003", "FLEET-002"], [organisation.id]
    )
    assert outcome.ok
    assert (outcome.added, outcome.already) == (["FLEET-002", "FLEET-003"], ["FLEET-001"])
    assert list_summary(fleet.id).id_tag_count == 3
    # The assigned charge point is marked: the next sync job run sends the difference.
    assert _change_count(engine, network["CP-N1"]) == marks + 1

    too_many = add_id_tags_checked(fleet.id, ["A"] * (PASTE_MAX_LINES + 1))
    assert too_many.problems[0].problem.endswith("at most 10000 at a time")


def test_rename_and_delete_only_when_unassigned(
    engine: Engine, organisation: Organisation, network: dict[str, int]
) -> None:
    fleet = create_list(organisation.id, "Fleet")
    create_list(organisation.id, "Visitors")
    renamed = update_list(fleet.id, "  Fleet cards ", "all company cars", [organisation.id])
    assert (renamed.name, renamed.description) == ("Fleet cards", "all company cars")
    with pytest.raises(LocalListError, match="already a local list named 'visitors'"):
        update_list(fleet.id, "visitors")
    doctors = create_list(organisation.id, "Ärzte")  # SQLite's lower() leaves Ä alone
    with pytest.raises(LocalListError, match="already a local list named 'Ärzte'"):
        update_list(fleet.id, "Ärzte")
    delete_unassigned_list(doctors.id)
    with pytest.raises(LocalListError, match="needs a name"):
        update_list(fleet.id, " ")
    with pytest.raises(LocalListError, match="does not exist"):
        update_list(fleet.id, "Hijacked", scope=[network["other"]])
    update_list(fleet.id, "fleet cards")  # its own name in another case is fine

    add_id_tags(fleet.id, TAGS)
    assign_list(fleet.id, [network["CP-N1"], network["CP-S1"]])
    marks = _change_count(engine, network["CP-N1"])
    with pytest.raises(LocalListError, match=r"assigned to 2 charge point\(s\): unassign"):
        delete_unassigned_list(fleet.id, [organisation.id])
    assert _change_count(engine, network["CP-N1"]) == marks  # nothing happened

    unassign_list(fleet.id, assigned_charge_point_ids(fleet.id))
    assert _change_count(engine, network["CP-N1"]) == marks + 1
    assert delete_unassigned_list(fleet.id, [organisation.id]) == "fleet cards"
    with Session(engine) as s:
        assert s.exec(select(LocalAuthListEntry)).all() == []
    assert [v.name for v in lists_for([organisation.id])] == ["Visitors"]


def test_assign_every_charge_point_of_stations(
    engine: Engine, organisation: Organisation, network: dict[str, int]
) -> None:
    fleet = create_list(organisation.id, "Fleet")
    assign_list(fleet.id, [network["CP-N1"]])
    outcome = assign_stations(fleet.id, [network["north"], network["south"]], [organisation.id])
    assert (outcome.charge_points, outcome.newly_assigned) == (3, 2)
    assert assigned_charge_point_ids(fleet.id) == sorted(
        [network["CP-N1"], network["CP-N2"], network["CP-S1"]]
    )
    assert _change_count(engine, network["CP-S1"]) >= 1  # marked for the sync job
    again = assign_stations(fleet.id, [network["north"]])
    assert (again.charge_points, again.newly_assigned) == (2, 0)
    with Session(engine) as s:
        theirs = s.exec(select(Station.id).where(Station.name == "Theirs")).one()
    with pytest.raises(LocalListError, match="unknown station"):
        assign_stations(fleet.id, [theirs])

    stations = _page(station_candidates_spec(fleet.id), [organisation.id])
    assert sorted(stations) == ["North", "South"]
    assert (stations["North"]["charge_points"], stations["North"]["assigned"]) == (2, 2)


def test_entries_assigned_and_picker_specs(
    engine: Engine, organisation: Organisation, network: dict[str, int]
) -> None:
    fleet = create_list(organisation.id, "Fleet")
    add_id_tags(fleet.id, TAGS[:2])
    assign_list(fleet.id, [network["CP-N1"], network["CP-N2"], network["CP-S1"]])
    with Session(engine) as s:
        blocked = s.exec(select(IdTag).where(IdTag.id_tag == TAGS[1])).one()
        blocked.status = "blocked"
        s.add(blocked)
        s.commit()

    visitors = create_list(organisation.id, "Visitors")  # another list's rows stay out
    add_id_tags(visitors.id, [TAGS[2]])
    assign_list(visitors.id, [network["CP-LOOSE"]])
    entries = _entries(fleet.id, [organisation.id])
    assert {tag: row["authorization"] for tag, row in entries.items()} == {
        TAGS[0]: "Accepted",
        TAGS[1]: "Blocked",
    }
    assert list(_entries(fleet.id, [organisation.id], search="002")) == [TAGS[1]]
    assert _entries(fleet.id, [network["other"]]) == {}  # not their list

    _set_in_sync(engine, network["CP-N1"])
    _set_in_sync(engine, network["CP-N2"])
    with Session(engine) as s:
        mark_charge_points_changed(s, [network["CP-N2"]])
        s.commit()
    assigned = _assigned(fleet.id, [organisation.id])
    assert {cp: row["sync"] for cp, row in assigned.items()} == {
        "CP-N1": "in_sync",
        "CP-N2": "out_of_date",  # a change marked since its last sync
        "CP-S1": "never_synced",
    }
    assert assigned["CP-N1"]["station"] == "North"
    stale_only = _assigned(fleet.id, [organisation.id], filters={"sync": "in_sync"})
    assert list(stale_only) == ["CP-N1"]

    cards = _page(card_candidates_spec(fleet.id), [organisation.id])
    assert {tag: row["in_list"] for tag, row in cards.items()} == {
        TAGS[0]: True,
        TAGS[1]: True,
        TAGS[2]: False,
    }
    cps = _page(charge_point_candidates_spec(fleet.id), [organisation.id], search="cp-")
    assert {cp: row["assigned"] for cp, row in cps.items()} == {
        "CP-LOOSE": False,
        "CP-N1": True,
        "CP-N2": True,
        "CP-S1": True,
    }


async def test_sync_now_for_a_list_then_changes_go_as_differential_updates(
    engine: Engine,
    organisation: Organisation,
    network: dict[str, int],
    command_port: OcppServer,
    ocpp_url: str,
) -> None:
    fleet = create_list(organisation.id, "Fleet")
    add_id_tags_checked(fleet.id, TAGS[:2])
    assign_list(fleet.id, [network["CP-N1"], network["CP-N2"]])
    charger = SimulatedChargePoint("CP-N1", ocpp_url, meter_interval=300)
    await charger.connect()
    try:
        results = await sync_list(fleet.id, BY, [organisation.id])
        by_identity = {r.identity: (r.result, r.version, r.update_type) for r in results}
        assert by_identity == {
            "CP-N1": ("accepted", 1, "Full"),
            "CP-N2": ("offline", 0, ""),
        }
        assert sorted(charger.local_list) == TAGS[:2]
        assert list_summary(fleet.id).out_of_date_count == 1  # the offline one

        assert add_id_tags_checked(fleet.id, [TAGS[2]]).added == [TAGS[2]]
        assigned = _assigned(fleet.id, [organisation.id])
        assert assigned["CP-N1"]["sync"] == "out_of_date"
        (result,) = await run_sync_job()  # the automatic sync: connected only
        assert (result.identity, result.result, result.update_type) == (
            "CP-N1",
            "accepted",
            "Differential",
        )
        assert sorted(charger.local_list) == TAGS
        assert charger.local_list_version == 2
        assigned = _assigned(fleet.id, [organisation.id])
        assert (assigned["CP-N1"]["sync"], assigned["CP-N1"]["accepted_version"]) == (
            "in_sync",
            2,
        )
    finally:
        await charger.close()
    with pytest.raises(LocalListError, match="does not exist"):
        await sync_list(fleet.id, BY, [network["other"]])
