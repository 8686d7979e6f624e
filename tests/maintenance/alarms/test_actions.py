"""Operators' actions on alarms (maintenance.alarms.actions) on a real database: each writes
its timeline row with the actor, publishes kind="alarm" "changed" after the commit, stays in
the caller's organisation scope and refuses what the alarm's state does not allow."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from ccms_app.accounts.models import Organisation
from ccms_app.accounts.roles import InputError, NotFoundError, RefusedError
from ccms_app.core import db
from ccms_app.core.events import get_event_bus
from ccms_app.core.listing import ListQuery, fetch_page
from ccms_app.core.types import utc_now
from ccms_app.maintenance.alarms import actions, detail, listing
from ccms_app.maintenance.alarms.actions import AlarmStateError
from ccms_app.maintenance.alarms.assignees import assignable_accounts
from ccms_app.maintenance.alarms.models import AlarmStatus
from ccms_app.maintenance.work_orders.models import WorkOrder
from ccms_app.network.models import ChargePoint
from tests.maintenance.alarms import seed


@pytest.fixture
def org(organisation: Organisation) -> int:
    return organisation.id or 0


@pytest.fixture
def sub(org: int) -> int:
    with db.session_scope() as session:
        row = Organisation(name="Sub Operator", parent_id=org)
        session.add(row)
        session.flush()
        return row.id or 0


async def test_acknowledge_records_who_and_publishes_after_the_commit(org: int) -> None:
    cp = seed.charge_point(org)
    alarm_id = seed.alarm(org, cp)
    heard = get_event_bus().subscribe()
    try:
        await asyncio.to_thread(actions.acknowledge, seed.caller(org), alarm_id)
        event = await asyncio.wait_for(heard.get(), 2)
    finally:
        get_event_bus().unsubscribe(heard)
    row = seed.stored(alarm_id)
    assert row.status == AlarmStatus.ACKNOWLEDGED and row.acknowledged_by == "ops@ccms.test"
    assert row.acknowledged_at is not None and row.open_key is not None  # still open
    assert event.kind == "alarm" and event.identity == "CP-1" and event.charge_point_id == cp
    assert event.data == {
        "alarm_id": alarm_id,
        "organisation_id": org,
        "connector_id": 1,
        "cause": "connector_faulted",
        "severity": "major",
        "status": "acknowledged",
        "changed": True,
    }
    assert seed.activity(alarm_id)[-1] == ("acknowledged", "ops@ccms.test", "")
    with pytest.raises(AlarmStateError, match=r"already acknowledged by ops@ccms\.test"):
        actions.acknowledge(seed.caller(org), alarm_id)


def test_close_needs_a_reason_and_records_downtime_until_now(org: int) -> None:
    cp = seed.charge_point(org)
    started = utc_now() - timedelta(hours=2)
    alarm_id = seed.alarm(org, cp, started=started)
    with pytest.raises(InputError) as refused:
        actions.close(seed.caller(org), alarm_id, "   ")
    assert refused.value.errors == {
        "reason": "Give a reason: what was done, or why the alarm needs no action."
    }
    closed_at = started + timedelta(hours=2, minutes=5)
    actions.close(seed.caller(org), alarm_id, "Replaced the RCD", now=closed_at)
    row = seed.stored(alarm_id)
    assert (row.status, row.closed_by, row.close_reason) == (
        "closed",
        "ops@ccms.test",
        "Replaced the RCD",
    )
    assert row.open_key is None and row.closed_at == closed_at
    assert row.downtime_s == 2 * 3600 + 5 * 60
    assert seed.activity(alarm_id)[-1] == ("closed", "ops@ccms.test", "Replaced the RCD")
    with pytest.raises(AlarmStateError, match=r"already closed by ops@ccms\.test"):
        actions.close(seed.caller(org), alarm_id, "again")
    with pytest.raises(AlarmStateError, match="closed: reopen it"):
        actions.acknowledge(seed.caller(org), alarm_id)


def test_a_closed_alarm_frees_its_key_and_reopens_only_while_no_newer_one_is_open(
    org: int,
) -> None:
    cp = seed.charge_point(org)
    first = seed.alarm(org, cp)
    actions.close(seed.caller(org), first, "Reset remotely")
    newer = seed.alarm(org, cp)  # the same fault again: a new alarm (the key is free)
    with pytest.raises(AlarmStateError, match=f"Alarm {newer} is open for the same fault"):
        actions.reopen(seed.caller(org), first)
    actions.close(seed.caller(org), newer, "Duplicate")
    actions.reopen(seed.caller(org), first, "Still faulted on site")
    row = seed.stored(first)
    assert row.status == "open" and row.open_key == f"{cp}:1:connector_faulted"
    assert row.closed_at is None and row.close_reason == "" and row.downtime_s is None
    assert seed.activity(first)[-1] == ("reopened", "ops@ccms.test", "Still faulted on site")
    with pytest.raises(AlarmStateError, match="nothing to reopen"):
        actions.reopen(seed.caller(org), first)


def test_comments_and_exclusion_reasons(org: int) -> None:
    cp = seed.charge_point(org)
    alarm_id = seed.alarm(org, cp)
    actions.comment(seed.caller(org), alarm_id, "  Technician on the way  ")
    with pytest.raises(InputError) as empty:
        actions.comment(seed.caller(org), alarm_id, "")
    assert empty.value.errors == {"text": "Write a comment."}
    actions.set_exclusion(seed.caller(org), alarm_id, "utility_interruption")
    assert seed.stored(alarm_id).excluded_reason == "utility_interruption"
    with pytest.raises(InputError) as unknown:
        actions.set_exclusion(seed.caller(org), alarm_id, "bad_luck")
    assert "Unknown reason 'bad_luck'" in unknown.value.errors["reason"]
    with pytest.raises(AlarmStateError, match="already electric utility"):
        actions.set_exclusion(seed.caller(org), alarm_id, "utility_interruption")
    actions.set_exclusion(seed.caller(org), alarm_id, "")
    assert seed.stored(alarm_id).excluded_reason == ""
    assert seed.activity(alarm_id)[1:] == [
        ("comment", "ops@ccms.test", "Technician on the way"),
        ("excluded", "ops@ccms.test", "Electric utility service interruption"),
        ("exclusion_removed", "ops@ccms.test", "Counted (not excluded)"),
    ]


def test_assign_only_to_accounts_that_see_the_alarm_and_open_maintenance(
    org: int, sub: int
) -> None:
    cp = seed.charge_point(org)
    alarm_id = seed.alarm(org, cp)
    tech = seed.account(org, "tech@ccms.test")
    sales = seed.account(org, "sales@ccms.test", "Sales", permissions="assets:view")
    sub_tech = seed.account(sub, "subtech@ccms.test")
    actions.assign(seed.caller(org), alarm_id, tech)
    assert seed.stored(alarm_id).assignee_account_id == tech
    assert seed.activity(alarm_id)[-1] == (
        "assigned",
        "ops@ccms.test",
        "Assigned to Tech (tech@ccms.test)",
    )
    with pytest.raises(InputError) as role:
        actions.assign(seed.caller(org), alarm_id, sales)
    assert role.value.errors["assignee_account_id"] == (
        "sales@ccms.test's role cannot open Maintenance: give it maintenance:view first."
    )
    with pytest.raises(InputError) as other:  # a sub-operator's people cannot see it
        actions.assign(seed.caller(org), alarm_id, sub_tech)
    assert "belongs to another organisation" in other.value.errors["assignee_account_id"]
    with pytest.raises(InputError, match="No such operator account"):
        actions.assign(seed.caller(org), alarm_id, 987654)
    assert [label for _, label in assignable_accounts(org, seed.caller(org).scope())] == [
        "Tech <tech@ccms.test>"
    ]
    actions.assign(seed.caller(org), alarm_id, None)
    assert seed.stored(alarm_id).assignee_account_id is None
    with pytest.raises(AlarmStateError, match="not assigned to anyone"):
        actions.assign(seed.caller(org), alarm_id, None)


def test_scope_and_permission(org: int, sub: int) -> None:
    theirs = seed.alarm(org, seed.charge_point(org, "CP-PARENT"))
    mine = seed.alarm(sub, seed.charge_point(sub, "CP-SUB", "Sub depot"))
    with pytest.raises(NotFoundError):
        actions.acknowledge(seed.caller(sub), theirs)
    with pytest.raises(NotFoundError):
        detail.alarm_detail(theirs, seed.caller(sub).scope())
    actions.acknowledge(seed.caller(org), mine)  # the parent acts on its sub-operator's
    with pytest.raises(RefusedError):
        actions.close(seed.caller(org, "maintenance:view"), theirs, "no")
    assert seed.stored(theirs).status == "open"


def test_bulk_acknowledge_skips_what_is_not_open(org: int, sub: int) -> None:
    cp = seed.charge_point(org)
    a = seed.alarm(org, cp, connector_id=1)
    b = seed.alarm(org, cp, connector_id=2)
    c = seed.alarm(org, cp, connector_id=3)
    other = seed.alarm(sub, seed.charge_point(sub, "CP-SUB", "Sub depot"))
    actions.acknowledge(seed.caller(org), b)
    actions.close(seed.caller(org), c, "Fixed")
    done = actions.acknowledge_many(seed.caller(sub), [a, b, c, other, 999])
    assert done == [other]
    assert actions.acknowledge_many(seed.caller(org), [a, b, c]) == [a]
    with pytest.raises(InputError, match="At most 200 alarms"):
        actions.acknowledge_many(seed.caller(org), list(range(1, 202)))


def test_list_filters_and_detail(org: int) -> None:
    north = seed.charge_point(org, "CP-N", "North")
    south = seed.charge_point(org, "CP-S", "South")
    old = seed.alarm(org, north, started=utc_now() - timedelta(days=10), severity="critical")
    new = seed.alarm(org, south, cause="offline", connector_id=0, severity="minor")
    actions.close(seed.caller(org), old, "Fixed")
    scope = seed.caller(org).scope()

    def ids(**filters: object) -> list[int]:
        query = ListQuery(filters=dict(filters), sort="first_raised_at", descending=True)
        return [r["id"] for r in fetch_page(listing.ALARM_LIST, query, scope).rows]

    assert ids() == [new, old]
    assert ids(status="active") == [new] and ids(status="closed") == [old]
    assert ids(severity="critical") == [old] and ids(cause="offline") == [new]
    assert ids(charge_point="CP-N") == [old] and ids(assignee_account_id="none") == [new, old]
    with db.read_session() as session:
        south_station = session.get(ChargePoint, south)
        assert south_station is not None
    assert ids(station_id=south_station.station_id) == [new]
    yesterday = (utc_now() - timedelta(days=1)).date().isoformat()
    since, until = listing.day_range(yesterday, "", "UTC")
    recent = listing.raised_within(listing.ALARM_LIST, since, until)
    assert [r["id"] for r in fetch_page(recent, ListQuery(), scope).rows] == [new]
    with db.session_scope() as session:
        session.add(
            WorkOrder(organisation_id=org, title="Fix RCD", charge_point_id=north, alarm_id=old)
        )
    found = detail.alarm_detail(old, scope)
    assert found.row["station"] == "North" and found.row["downtime_s"] is not None
    assert [a.kind for a in found.activity] == ["raised", "closed"]
    assert [w.title for w in found.work_orders] == ["Fix RCD"]
