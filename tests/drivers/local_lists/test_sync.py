"""Local authorization lists end to end: service -> real OCPP server -> websocket -> simulator,
on a real migrated database."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from ccms_app.accounts.models import Organisation
from ccms_app.control.models import ChargePointCommand, ChargePointConfiguration, OcppMessage
from ccms_app.core.config import Settings
from ccms_app.core.db import session_scope, writer_engine
from ccms_app.core.events import get_event_bus
from ccms_app.core.scheduler import get_scheduler
from ccms_app.core.types import utc_now
from ccms_app.drivers.local_lists.assignments import assign_list, unassign_list
from ccms_app.drivers.local_lists.entries import add_id_tags, remove_id_tags
from ccms_app.drivers.local_lists.job import SYNC_JOB_ID, run_sync_job
from ccms_app.drivers.local_lists.lists import (
    LocalListError,
    create_list,
    delete_list,
    get_list,
    lists_for,
)
from ccms_app.drivers.local_lists.marks import mark_id_tags_changed
from ccms_app.drivers.local_lists.status import local_list_status, out_of_date_charge_points
from ccms_app.drivers.local_lists.sync import fetch_list_version, sync_all, sync_charge_point
from ccms_app.drivers.models import Driver, IdTag, LocalListSentEntry, LocalListSyncState
from ccms_app.network.models import ChargePoint
from ccms_app.runtime import network_runtime
from ocpp_server.server import OcppServer
from ocpp_server.simulator import EvProfile, SimulatedChargePoint
from ocpp_server.simulator.local_list import LocalEntry
from tests.fixtures.ocpp import eventually

BY = "ops@example.com"
CP = "CP-LIST-1"
CP2 = "CP-LIST-2"
TAGS = ["LIST-TAG-1", "LIST-TAG-2", "LIST-TAG-3"]
CAR = EvProfile(capacity_wh=60_000, start_soc=30.0, max_power_w=22_000)


def add_charge_point(engine: Engine, organisation: Organisation, identity: str) -> int:
    with Session(engine) as s:
        cp = ChargePoint(
            identity=identity, organisation_id=organisation.id, registration_state="registered"
        )
        s.add(cp)
        s.commit()
        return cp.id


@pytest.fixture
def cp_id(engine: Engine, organisation: Organisation) -> int:
    with Session(engine) as s:
        s.add(IdTag(id_tag=TAGS[0], organisation_id=organisation.id, parent_id_tag="FLEET-1"))
        expiry = utc_now() + timedelta(days=30)
        s.add(IdTag(id_tag=TAGS[1], organisation_id=organisation.id, expiry_date=expiry))
        s.add(IdTag(id_tag=TAGS[2], organisation_id=organisation.id, status="blocked"))
        s.commit()
    return add_charge_point(engine, organisation, CP)


@pytest.fixture
def fleet_list(cp_id: int, organisation: Organisation) -> int:
    """A list with the three id tags, assigned to CP."""
    view = create_list(organisation.id, "Fleet cards")
    add_id_tags(view.id, TAGS)
    assign_list(view.id, [cp_id])
    return view.id


@pytest.fixture
async def charger(
    ocpp_url: str, cp_id: int, command_port: OcppServer
) -> AsyncIterator[SimulatedChargePoint]:
    cp = SimulatedChargePoint(CP, ocpp_url, meter_interval=60)
    await cp.connect()
    yield cp
    await cp.close()


def rows(engine: Engine, model: Any, *where: Any) -> list[Any]:
    with Session(engine) as s:
        return list(s.exec(select(model).where(*where)).all())


def sync_state(engine: Engine, charge_point_id: int) -> LocalListSyncState:
    (state,) = rows(
        engine, LocalListSyncState, LocalListSyncState.charge_point_id == charge_point_id
    )
    return state


def sent_commands(engine: Engine, charge_point_id: int, action: str) -> list[dict[str, Any]]:
    found = rows(
        engine,
        ChargePointCommand,
        ChargePointCommand.charge_point_id == charge_point_id,
        ChargePointCommand.action == action,
    )
    return [json.loads(c.request_payload) for c in sorted(found, key=lambda c: c.id)]


def block(engine: Engine, tag: str) -> None:
    # A write transaction (BEGIN IMMEDIATE): a plain read-then-write can hit "database is
    # locked" while the OCPP server's writer commits.
    with session_scope() as s:
        row = s.exec(select(IdTag).where(IdTag.id_tag == tag)).one()
        row.status = "blocked"
        s.add(row)
    mark_id_tags_changed([tag])


def statuses(charger: SimulatedChargePoint) -> dict[str, str]:
    return {tag: e.status for tag, e in charger.local_list.items()}


async def test_first_sync_sends_the_whole_list(
    charger: SimulatedChargePoint, cp_id: int, fleet_list: int, engine: Engine
) -> None:
    queue = get_event_bus().subscribe()
    try:
        result = await sync_charge_point(cp_id, BY)
    finally:
        get_event_bus().unsubscribe(queue)
    assert (result.result, result.update_type, result.version, result.updates_sent) == (
        "accepted",
        "Full",
        1,
        1,
    )
    assert charger.local_list_version == 1
    assert statuses(charger) == {TAGS[0]: "Accepted", TAGS[1]: "Accepted", TAGS[2]: "Blocked"}
    assert charger.local_list[TAGS[0]].parent_id_tag == "FLEET-1"
    assert charger.local_list[TAGS[1]].expiry_date is not None
    # The version was asked first, and the list limits fetched before the first full update.
    assert sent_commands(engine, cp_id, "GetLocalListVersion") == [{}]
    limits = rows(
        engine, ChargePointConfiguration, ChargePointConfiguration.charge_point_id == cp_id
    )
    assert {r.key: r.value for r in limits} == {
        "LocalAuthListMaxLength": "1000",
        "SendLocalListMaxLength": "100",
    }
    state = sync_state(engine, cp_id)
    assert (state.accepted_version, state.reported_version, state.last_result) == (1, 1, "accepted")
    assert state.synced_change_count == state.change_count
    sent = rows(engine, LocalListSentEntry, LocalListSentEntry.charge_point_id == cp_id)
    assert sorted((e.id_tag, e.status, e.version) for e in sent) == [
        (TAGS[0], "Accepted", 1),
        (TAGS[1], "Accepted", 1),
        (TAGS[2], "Blocked", 1),
    ]
    events = [queue.get_nowait() for _ in range(queue.qsize())]
    assert [e.data["result"] for e in events if e.kind == "local_list"] == ["accepted"]
    status = local_list_status(cp_id)
    assert not status.out_of_date and status.lists == ["Fleet cards"]
    assert [(e.id_tag, e.change) for e in status.entries] == [(t, "") for t in TAGS]

    again = await sync_charge_point(cp_id, BY)  # nothing changed: only the version check
    assert (again.result, again.version) == ("up_to_date", 1)
    assert len(sent_commands(engine, cp_id, "SendLocalList")) == 1


async def test_blocking_a_tag_sends_a_differential_update(
    charger: SimulatedChargePoint, cp_id: int, fleet_list: int, engine: Engine
) -> None:
    assert (await sync_charge_point(cp_id, BY)).result == "accepted"
    block(engine, TAGS[0])
    (stale,) = out_of_date_charge_points([sync_state_org(engine, cp_id)])
    assert stale.reasons == ["1 change(s) not sent yet"]
    assert [(e.id_tag, e.change, e.status, e.desired_status) for e in stale.entries] == [
        (TAGS[0], "change", "Accepted", "Blocked"),
        (TAGS[1], "", "Accepted", "Accepted"),
        (TAGS[2], "", "Blocked", "Blocked"),
    ]

    (result,) = await run_sync_job()  # the scheduler's job pushes it
    assert (result.result, result.update_type, result.version) == ("accepted", "Differential", 2)
    assert charger.local_list_version == 2
    assert statuses(charger)[TAGS[0]] == "Blocked"
    assert sent_commands(engine, cp_id, "SendLocalList")[-1] == {
        "list_version": 2,
        "update_type": "Differential",
        "local_authorization_list": [
            {"id_tag": TAGS[0], "id_tag_info": {"parent_id_tag": "FLEET-1", "status": "Blocked"}}
        ],
    }
    assert out_of_date_charge_points([sync_state_org(engine, cp_id)]) == []
    assert await run_sync_job() == []  # nothing left to do


async def test_removing_a_tag_from_the_list_removes_it_on_the_charge_point(
    charger: SimulatedChargePoint, cp_id: int, fleet_list: int, engine: Engine
) -> None:
    assert (await sync_charge_point(cp_id, BY)).result == "accepted"
    remove_id_tags(fleet_list, [TAGS[1]])
    (result,) = await run_sync_job()
    assert (result.result, result.update_type) == ("accepted", "Differential")
    assert sent_commands(engine, cp_id, "SendLocalList")[-1]["local_authorization_list"] == [
        {"id_tag": TAGS[1]}  # no idTagInfo: remove
    ]
    assert sorted(charger.local_list) == [TAGS[0], TAGS[2]]


async def test_version_mismatch_falls_back_to_a_full_update_once(
    charger: SimulatedChargePoint, cp_id: int, fleet_list: int, engine: Engine
) -> None:
    assert (await sync_charge_point(cp_id, BY)).version == 1
    block(engine, TAGS[1])
    answer_version = charger.decide_get_local_list_version

    def changed_right_after_the_check() -> Any:
        """Someone else updates the charge point's list just after it answered version 1."""
        decision = answer_version()
        charger.replace_local_list(99, [LocalEntry("SOMEONE-ELSE", "Accepted")])
        del charger.decide_get_local_list_version  # only once
        return decision

    charger.decide_get_local_list_version = changed_right_after_the_check  # type: ignore[method-assign]
    result = await sync_charge_point(cp_id, BY)
    assert (result.result, result.update_type, result.version) == ("accepted", "Full", 100)
    assert result.fell_back_to_full
    assert "VersionMismatch" in result.detail and "fell back to a full update" in result.detail
    assert charger.local_list_version == 100
    assert statuses(charger) == {TAGS[0]: "Accepted", TAGS[1]: "Blocked", TAGS[2]: "Blocked"}
    updates = sent_commands(engine, cp_id, "SendLocalList")
    assert [(u["update_type"], u["list_version"]) for u in updates] == [
        ("Full", 1),
        ("Differential", 2),
        ("Full", 100),
    ]
    state = sync_state(engine, cp_id)
    assert (state.full_fallbacks, state.accepted_version, state.last_result) == (1, 100, "accepted")


async def test_out_of_date_detection_and_get_local_list_version(
    charger: SimulatedChargePoint, cp_id: int, fleet_list: int, engine: Engine, organisation
) -> None:
    other = add_charge_point(engine, organisation, CP2)
    assign_list(fleet_list, [other])
    stale = out_of_date_charge_points([organisation.id])
    assert [(s.identity, s.reasons) for s in stale] == [
        (CP, ["never synced", "3 change(s) not sent yet"]),
        (CP2, ["never synced", "3 change(s) not sent yet"]),
    ]
    assert (await sync_charge_point(cp_id, BY)).result == "accepted"
    assert [s.identity for s in out_of_date_charge_points([organisation.id])] == [CP2]

    # The charge point's list was reset behind CCMS's back: its reported version says so.
    charger.replace_local_list(0, [])
    view = await fetch_list_version(cp_id, BY)
    assert (view.status, json.loads(view.response)) == ("accepted", {"list_version": 0})
    assert sync_state(engine, cp_id).reported_version == 0
    stale = {s.identity: s.reasons for s in out_of_date_charge_points([organisation.id])}
    assert stale[CP] == ["charge point reports version 0, CCMS sent 1"]

    result = await sync_charge_point(cp_id, BY)  # a version that is not CCMS's: full update
    assert (result.result, result.update_type, result.version) == ("accepted", "Full", 2)
    assert len(charger.local_list) == 3


async def test_a_charge_point_without_lists_is_left_alone(
    charger: SimulatedChargePoint, cp_id: int, engine: Engine, organisation: Organisation
) -> None:
    charger.replace_local_list(7, [LocalEntry("SOMEONE-ELSES", "Accepted")])
    view = await fetch_list_version(cp_id, BY)
    assert json.loads(view.response) == {"list_version": 7}
    assert local_list_status(cp_id).reported_version == 7
    assert out_of_date_charge_points([organisation.id]) == []
    assert await run_sync_job() == []  # CCMS does not manage its list: not touched
    assert charger.local_list_version == 7


async def test_a_charge_point_that_reconnects_is_synced_after_its_boot(
    charger: SimulatedChargePoint, cp_id: int, fleet_list: int, engine: Engine
) -> None:
    assert (await run_sync_job())[0].update_type == "Full"  # never synced: the job does it
    assert await run_sync_job() == []
    await charger.close()
    await eventually(lambda: not sync_state_cp(engine, cp_id).is_online)
    block(engine, TAGS[0])
    assert await run_sync_job() == []  # offline: waits for the charge point

    await charger.connect()
    (result,) = await run_sync_job()
    assert (result.result, result.update_type, result.version) == ("accepted", "Differential", 2)
    assert statuses(charger)[TAGS[0]] == "Blocked"

    # A boot with nothing changed: the version is checked, nothing is sent.
    await charger.close()
    await charger.connect()
    (check,) = await run_sync_job()
    assert (check.result, check.version) == ("up_to_date", 2)
    assert len(sent_commands(engine, cp_id, "GetLocalListVersion")) == 3
    assert len(sent_commands(engine, cp_id, "SendLocalList")) == 2
    assert await run_sync_job() == []


async def test_long_lists_are_split_and_too_long_lists_refused(
    charger: SimulatedChargePoint, cp_id: int, fleet_list: int, engine: Engine, organisation
) -> None:
    charger.configuration.set_live("SendLocalListMaxLength", "2")
    result = await sync_charge_point(cp_id, BY)
    assert (result.result, result.version, result.updates_sent) == ("accepted", 2, 2)
    updates = sent_commands(engine, cp_id, "SendLocalList")
    assert [(u["update_type"], len(u["local_authorization_list"])) for u in updates] == [
        ("Full", 2),
        ("Differential", 1),
    ]
    assert len(charger.local_list) == 3

    with Session(engine) as s:
        s.add(IdTag(id_tag="LIST-TAG-4", organisation_id=organisation.id))
        s.commit()
    add_id_tags(fleet_list, ["LIST-TAG-4"])
    # Read and write in one write transaction (BEGIN IMMEDIATE): a plain one that read first
    # cannot upgrade once the server's writer committed meanwhile ("database is locked").
    with Session(writer_engine(engine)) as s:
        row = s.exec(
            select(ChargePointConfiguration).where(
                ChargePointConfiguration.charge_point_id == cp_id,
                ChargePointConfiguration.key == "LocalAuthListMaxLength",
            )
        ).one()
        row.value = "3"
        s.add(row)
        s.commit()
    refused = await sync_charge_point(cp_id, BY)
    assert refused.result == "too_long"
    assert "4 id tags do not fit" in refused.detail and "at most 3" in refused.detail
    assert len(sent_commands(engine, cp_id, "SendLocalList")) == 2  # nothing sent
    assert sync_state(engine, cp_id).last_result == "too_long"


async def test_sync_all_runs_concurrently_and_reports_each_charge_point(
    charger: SimulatedChargePoint,
    cp_id: int,
    fleet_list: int,
    engine: Engine,
    organisation: Organisation,
    ocpp_url: str,
) -> None:
    second_id = add_charge_point(engine, organisation, CP2)
    offline_id = add_charge_point(engine, organisation, "CP-LIST-OFFLINE")
    assign_list(fleet_list, [second_id, offline_id])
    second = SimulatedChargePoint(CP2, ocpp_url, meter_interval=60)
    await second.connect()
    try:
        results = await sync_all(BY, [organisation.id])
    finally:
        await second.close()
    by_identity = {r.identity: (r.result, r.version) for r in results}
    assert by_identity == {
        CP: ("accepted", 1),
        CP2: ("accepted", 1),
        "CP-LIST-OFFLINE": ("offline", 0),
    }
    assert len(second.local_list) == 3
    assert [s.identity for s in out_of_date_charge_points([organisation.id])] == ["CP-LIST-OFFLINE"]
    assert sent_commands(engine, offline_id, "SendLocalList") == []  # offline: nothing recorded


async def test_local_pre_authorize_starts_without_asking_the_csms(
    charger: SimulatedChargePoint, cp_id: int, fleet_list: int, engine: Engine
) -> None:
    assert (await sync_charge_point(cp_id, BY)).result == "accepted"
    assert charger.configuration.value("LocalPreAuthorize") == "false"
    assert await charger.plug_in_and_charge(1, TAGS[0], ev=CAR) is not None
    await charger.stop_charging(1)
    assert len(authorize_requests(engine)) == 1  # LocalPreAuthorize off: asked the CSMS

    charger.configuration.set_live("LocalPreAuthorize", "true")
    assert await charger.plug_in_and_charge(2, TAGS[1], ev=CAR) is not None
    assert len(authorize_requests(engine)) == 1  # accepted from the local list
    assert await charger.plug_in_and_charge(1, TAGS[2], ev=CAR) is None  # Blocked in the list
    await eventually(lambda: len(authorize_requests(engine)) == 2)  # so the CSMS is asked
    await charger.stop_charging(2)


async def test_operator_views_show_versions_pending_changes_and_results(
    charger: SimulatedChargePoint,
    cp_id: int,
    fleet_list: int,
    engine: Engine,
    organisation: Organisation,
) -> None:
    from ccms_app.drivers.local_lists.state.charge_point_tab import load_panel, sync_message
    from ccms_app.drivers.state.overview import out_of_date_rows, summary

    panel = load_panel(cp_id)
    assert (panel.managed, panel.out_of_date, panel.lists) == (True, True, "Fleet cards")
    assert (panel.accepted_version, panel.reported_version) == ("none", "not asked yet")
    assert [(r.id_tag, r.status, r.change, r.desired) for r in panel.rows] == [
        (TAGS[0], "—", "to add", "Accepted"),
        (TAGS[1], "—", "to add", "Accepted"),
        (TAGS[2], "—", "to add", "Blocked"),
    ]
    assert sync_message(await sync_charge_point(cp_id, BY)) == (
        "Local list synced: full update to version 1 with 3 id tag(s).",
        True,
    )
    block(engine, TAGS[0])
    panel = load_panel(cp_id)
    assert (panel.accepted_version, panel.reported_version, panel.pending) == ("1", "1", 1)
    assert (panel.reasons, panel.last_result_text) == ("1 change(s) not sent yet", "accepted")
    (row,) = out_of_date_rows(out_of_date_charge_points([organisation.id]), "UTC")
    assert (row.identity, row.online, row.sent_version, row.reported_version, row.reasons) == (
        CP,
        True,
        "1",
        "1",
        "1 change(s) not sent yet",
    )
    assert summary(await sync_all(BY, [organisation.id])) == (
        "Sync all, 1 charge point(s): 1 accepted.",
        True,
    )
    assert summary([]) == ("Every charge point's local list is up to date: nothing to sync.", True)
    assert not load_panel(cp_id).out_of_date
    await charger.close()
    offline = await sync_charge_point(cp_id, BY, full=True)
    assert sync_message(offline) == ("Not synced: the charge point is offline.", False)


async def test_an_entry_whose_expiry_passed_is_sent_again_as_expired(
    charger: SimulatedChargePoint, cp_id: int, fleet_list: int, engine: Engine
) -> None:
    assert (await sync_charge_point(cp_id, BY)).result == "accepted"
    assert await run_sync_job() == []
    past = utc_now() - timedelta(minutes=1)
    with Session(engine) as s:  # time passes: the card's expiry (as sent) is now behind us
        for model, column in (
            (IdTag, IdTag.id_tag),
            (LocalListSentEntry, LocalListSentEntry.id_tag),
        ):
            row = s.exec(select(model).where(column == TAGS[1])).one()
            row.expiry_date = past
            s.add(row)
        s.commit()
    (result,) = await run_sync_job()  # nobody marked it: the job finds it
    assert (result.result, result.update_type) == ("accepted", "Differential")
    assert statuses(charger)[TAGS[1]] == "Expired"
    assert await run_sync_job() == []


def test_a_suspended_drivers_card_is_listed_as_blocked(
    engine: Engine, organisation: Organisation, cp_id: int, fleet_list: int
) -> None:
    with Session(engine) as s:
        driver = Driver(organisation_id=organisation.id, name="Sam", status="suspended")
        s.add(driver)
        s.flush()
        tag = s.exec(select(IdTag).where(IdTag.id_tag == TAGS[0])).one()
        tag.driver_id = driver.id
        s.add(tag)
        s.commit()
    entries = {e.id_tag: e.desired_status for e in local_list_status(cp_id).entries}
    assert entries == {TAGS[0]: "Blocked", TAGS[1]: "Accepted", TAGS[2]: "Blocked"}


def test_simulator_local_list_rules() -> None:
    sim = SimulatedChargePoint("CP-SIM-LIST", "ws://127.0.0.1:1/ocpp")
    entry = {"id_tag": "A", "id_tag_info": {"status": "Accepted"}}

    def send(version: int, kind: str, items: list[dict[str, Any]]) -> str:
        return sim.decide_send_local_list(version, kind, items).result.status

    assert sim.decide_get_local_list_version().result.list_version == 0
    assert send(3, "Full", [entry, {"id_tag": "B", "id_tag_info": {"status": "Blocked"}}]) == (
        "Accepted"
    )
    assert send(3, "Differential", [{"id_tag": "B"}]) == "VersionMismatch"  # not higher
    assert send(2, "Differential", [{"id_tag": "B"}]) == "VersionMismatch"
    assert send(4, "Differential", [{"id_tag": "b"}]) == "Accepted"  # case-insensitive removal
    assert (sim.local_list_version, sorted(sim.local_list)) == (4, ["A"])
    assert send(1, "Full", [entry]) == "Accepted"  # a full update may set any version
    sim.configuration.set_live("SendLocalListMaxLength", "1")
    assert send(2, "Full", [entry, {"id_tag": "C", "id_tag_info": {"status": "Accepted"}}]) == (
        "Failed"
    )
    sim.configuration.set_live("SendLocalListMaxLength", "10")
    sim.configuration.set_live("LocalAuthListMaxLength", "1")
    assert send(2, "Differential", [{"id_tag": "C", "id_tag_info": {"status": "Accepted"}}]) == (
        "Failed"
    )
    assert (sim.local_list_version, sorted(sim.local_list)) == (1, ["A"])  # unchanged
    expired = {"status": "Accepted", "expiry_date": "2020-01-01T00:00:00Z"}
    assert send(2, "Full", [{"id_tag": "A", "id_tag_info": expired}]) == "Accepted"
    assert sim.local_authorization("a") == "Expired"
    assert sim.local_authorization("unknown") is None


async def test_list_changes_are_checked(
    engine: Engine, organisation: Organisation, cp_id: int, fleet_list: int
) -> None:
    with pytest.raises(LocalListError, match="already a local list named 'Fleet cards'"):
        create_list(organisation.id, "Fleet cards")
    with pytest.raises(LocalListError, match="a list needs a name"):
        create_list(organisation.id, "  ")
    with pytest.raises(LocalListError, match="unknown id tag"):
        add_id_tags(fleet_list, ["NO-SUCH-TAG"])
    with pytest.raises(LocalListError, match="unknown charge point"):
        assign_list(fleet_list, [cp_id + 100])
    with Session(engine) as s:
        other_org = Organisation(name="Someone Else")
        s.add(other_org)
        s.commit()
        s.refresh(other_org)
    with pytest.raises(LocalListError, match=r"local list \d+ does not exist"):
        get_list(fleet_list, scope=[other_org.id])
    foreign = create_list(other_org.id, "Theirs")
    with pytest.raises(LocalListError, match="unknown charge point"):
        assign_list(foreign.id, [cp_id])  # not their charge point
    view = get_list(fleet_list)
    assert (view.id_tags, view.charge_point_ids) == (TAGS, [cp_id])

    before = sync_state(engine, cp_id).change_count
    unassign_list(fleet_list, [cp_id])
    assert sync_state(engine, cp_id).change_count == before + 1
    delete_list(fleet_list)
    assert lists_for([organisation.id]) == []


async def test_network_runtime_schedules_the_sync_job(engine: Engine, database_url: str) -> None:
    settings = Settings(database_url=database_url, ocpp_host="127.0.0.1", ocpp_port=0)
    async with network_runtime(settings):
        job = get_scheduler().get_job(SYNC_JOB_ID)
        assert job is not None and job.trigger.interval == timedelta(seconds=30)


def authorize_requests(engine: Engine) -> list[OcppMessage]:
    return rows(
        engine,
        OcppMessage,
        OcppMessage.charge_point_identity == CP,
        OcppMessage.direction == "in",
        OcppMessage.message_type == 2,
        OcppMessage.action == "Authorize",
    )


def sync_state_cp(engine: Engine, charge_point_id: int) -> ChargePoint:
    (cp,) = rows(engine, ChargePoint, ChargePoint.id == charge_point_id)
    return cp


def sync_state_org(engine: Engine, charge_point_id: int) -> int:
    return sync_state_cp(engine, charge_point_id).organisation_id
