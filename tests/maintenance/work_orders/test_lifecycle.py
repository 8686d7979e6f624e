"""Work orders by hand, their lifecycle (claim, start, hold, resume, resolve, close,
reopen), assignment, notes, parts and time: every change a history entry with from/to,
who and when; events published after the commit."""

from __future__ import annotations

import asyncio

import pytest

from ccms_app.accounts.models import Organisation
from ccms_app.accounts.roles import Caller, InputError, NotFoundError, RefusedError
from ccms_app.core import events
from ccms_app.core.db import read_session, session_scope
from ccms_app.maintenance.work_orders import creation, detail, lifecycle, records
from ccms_app.maintenance.work_orders.common import WorkOrderError
from ccms_app.maintenance.work_orders.models import WorkOrder
from tests.maintenance.work_orders.support import Workshop, make_workshop


def _new(w: Workshop, **fields: str) -> int:
    form = {"charge_point_id": str(w.charge_point_id), "title": "Cable torn", **fields}
    return creation.create_by_hand(w.admin, form)


def test_created_by_hand_with_sla_due_station_and_first_event(workshop: Workshop) -> None:
    w = workshop
    work_order_id = _new(w, priority="critical", connector_id="2", description="Cable 2 cut")
    view = detail.get_work_order(w.tech, work_order_id)
    assert (view.status, view.priority, view.source) == ("open", "critical", "manual")
    assert (view.station, view.timezone, view.connector_id) == ("Depot", "Europe/Berlin", 2)
    assert view.due_at is not None and (view.due_at - view.created_at).total_seconds() == 4 * 3600
    (first,) = view.events
    assert (first.kind, first.from_status, first.to_status, first.actor) == (
        "status",
        "",
        "open",
        "admin@example.com",
    )
    assert view.actions == ("claim", "start", "close")


def test_the_form_names_every_wrong_field(workshop: Workshop) -> None:
    with pytest.raises(InputError) as caught:
        creation.create_by_hand(
            workshop.admin, {"charge_point_id": "x", "title": " ", "priority": "asap"}
        )
    assert set(caught.value.errors) == {"charge_point_id", "title", "priority"}
    with pytest.raises(InputError) as caught:
        _new(workshop, assignee_account_id="999999")
    assert caught.value.errors == {"assignee_account_id": "No such person in your organisation."}


def test_a_technician_claims_starts_holds_resumes_and_resolves(workshop: Workshop) -> None:
    w = workshop
    work_order_id = _new(w)
    assert lifecycle.act(w.tech, work_order_id, "claim") == "assigned"
    assert lifecycle.act(w.tech, work_order_id, "start") == "in_progress"
    assert lifecycle.act(w.tech, work_order_id, "hold", "waiting for a new cable") == "on_hold"
    assert lifecycle.act(w.tech, work_order_id, "resume") == "in_progress"
    with pytest.raises(InputError) as caught:
        lifecycle.act(w.tech, work_order_id, "resolve", "  ")
    assert caught.value.errors == {"resolution": "Write the resolution (what was done) first."}
    assert lifecycle.act(w.tech, work_order_id, "resolve", "Cable replaced") == "resolved"
    view = detail.get_work_order(w.tech, work_order_id)
    assert view.assignee == "Toni Tech" and view.resolution == "Cable replaced"
    assert view.started_at is not None and view.resolved_at is not None
    moves = [(e.from_status, e.to_status) for e in reversed(view.events) if e.kind == "status"]
    assert moves == [
        ("", "open"),
        ("open", "assigned"),
        ("assigned", "in_progress"),
        ("in_progress", "on_hold"),
        ("on_hold", "in_progress"),
        ("in_progress", "resolved"),
    ]
    assert all(e.actor == "tech@example.com" for e in view.events if e.to_status != "open")
    held = next(e for e in view.events if e.to_status == "on_hold")
    assert held.text == "waiting for a new cable"


def test_someone_else_claims_first_and_wrong_moves_are_refused(workshop: Workshop) -> None:
    w = workshop
    work_order_id = _new(w)
    lifecycle.act(w.tech, work_order_id, "start")
    with pytest.raises(WorkOrderError, match="claim it first"):
        lifecycle.act(w.other_tech, work_order_id, "resolve", "done")
    with pytest.raises(WorkOrderError, match="in progress cannot be started"):
        lifecycle.act(w.tech, work_order_id, "start")
    lifecycle.act(w.other_tech, work_order_id, "claim")
    view = detail.get_work_order(w.other_tech, work_order_id)
    assert view.assignee == "Olga Other" and view.status == "in_progress"
    assert view.events[0].kind == "assigned" and view.events[0].text == "assigned to Olga Other"


def test_close_and_reopen_clear_the_resolution_times(workshop: Workshop) -> None:
    w = workshop
    work_order_id = _new(w)
    lifecycle.act(w.tech, work_order_id, "start")
    lifecycle.act(w.tech, work_order_id, "resolve", "fixed")
    assert lifecycle.act(w.admin, work_order_id, "close") == "closed"
    with read_session() as s:
        assert s.get(WorkOrder, work_order_id).closed_at is not None  # type: ignore[union-attr]
    assert lifecycle.act(w.admin, work_order_id, "reopen", "still broken") == "in_progress"
    view = detail.get_work_order(w.admin, work_order_id)
    assert view.resolved_at is None and view.closed_at is None and view.verified_at is None
    assert view.events[0].text == "still broken"


def test_assignment_only_to_people_of_the_scope(
    workshop: Workshop, organisation: Organisation
) -> None:
    w = workshop
    work_order_id = _new(w)
    assert lifecycle.assign(w.admin, work_order_id, w.other_tech.account_id) == "assigned"
    assert lifecycle.assign(w.admin, work_order_id, None) == "open"
    with session_scope() as s:
        foreign = Organisation(name="Elsewhere")
        s.add(foreign)
        s.flush()
        s.refresh(foreign)
    stranger = make_workshop(foreign, identity="CP-X", prefix="x-")
    with pytest.raises(InputError):
        lifecycle.assign(w.admin, work_order_id, stranger.tech.account_id)
    with pytest.raises(NotFoundError):
        detail.get_work_order(stranger.admin, work_order_id)
    with pytest.raises(NotFoundError):
        lifecycle.act(stranger.tech, work_order_id, "claim")


def test_notes_parts_and_time_spent(workshop: Workshop) -> None:
    w = workshop
    work_order_id = _new(w)
    records.add_note(w.tech, work_order_id, "RCD tripped twice")
    records.add_part(w.tech, work_order_id, "Type 2 cable 5 m", "2")
    records.log_time(w.tech, work_order_id, "45", "diagnosis")
    records.log_time(w.tech, work_order_id, 30)
    with pytest.raises(InputError) as caught:
        records.add_part(w.tech, work_order_id, "", "0")
    assert set(caught.value.errors) == {"part", "quantity"}
    with pytest.raises(InputError) as caught:
        records.log_time(w.tech, work_order_id, "-5")
    assert set(caught.value.errors) == {"minutes"}
    view = detail.get_work_order(w.tech, work_order_id)
    assert view.time_spent_min == 75
    assert [(p.part, p.quantity) for p in view.parts] == [("Type 2 cable 5 m", 2)]
    assert [e.kind for e in view.events][:4] == ["time", "time", "part", "note"]
    assert view.events[2].text == "2 x Type 2 cable 5 m"
    assert view.events[0].text == "30 min" and view.events[1].text == "45 min: diagnosis"


def test_viewers_may_not_change_work_orders(workshop: Workshop) -> None:
    w = workshop
    work_order_id = _new(w)
    viewer = Caller(w.tech.account_id, w.organisation_id, "v@example.com", frozenset())
    with pytest.raises(RefusedError):
        lifecycle.act(viewer, work_order_id, "claim")
    with pytest.raises(RefusedError):
        records.add_note(viewer, work_order_id, "hello")


async def test_status_changes_are_published_after_the_commit(workshop: Workshop) -> None:
    bus = events.get_event_bus()
    queue = bus.subscribe()
    try:
        work_order_id = await asyncio.to_thread(_new, workshop)
        await asyncio.to_thread(lifecycle.act, workshop.tech, work_order_id, "start")
        created = await asyncio.wait_for(queue.get(), 2)
        started = await asyncio.wait_for(queue.get(), 2)
    finally:
        bus.unsubscribe(queue)
    assert created.kind == "work_order" and created.data["created"] is True
    assert created.identity == workshop.identity
    assert started.data == {
        "work_order_id": work_order_id,
        "organisation_id": workshop.organisation_id,
        "status": "in_progress",
        "status_changed": True,
        "from_status": "open",
    }
