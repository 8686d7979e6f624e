"""The work order pages' states on a real database, every event through the real gate: an
administrator creates a work order, a Maintenance staff technician finds it, claims it,
notes, resolves; a viewer is refused; staff profiles and plans are edited."""

from __future__ import annotations

from reflex.state import StateUpdate
from sqlmodel import select

from ccms_app.accounts.gate_marks import requirement
from ccms_app.accounts.rules.permissions import BUILT_IN_ROLES, MAINTENANCE_STAFF
from ccms_app.core.db import read_session
from ccms_app.maintenance.state.plans import PlanFormState, PlanListState
from ccms_app.maintenance.state.staff import StaffState
from ccms_app.maintenance.state.work_orders import (
    MyWorkOrdersState,
    WorkOrderCreateState,
    WorkOrderListState,
)
from ccms_app.maintenance.state.work_orders_commands import WorkOrderCommandState
from ccms_app.maintenance.state.work_orders_detail import WorkOrderDetailState
from ccms_app.maintenance.work_orders.models import WorkOrder
from tests.finance.wallets.tabs import login
from tests.maintenance.work_orders.support import Workshop

LIST = "/maintenance/work-orders"


async def test_create_claim_note_and_resolve_through_the_gate(workshop: Workshop) -> None:
    w = workshop
    admin = login(w.organisation_id, "boss@example.com").at(LIST)
    await admin.send(WorkOrderCreateState, "open_new")
    await admin.send(WorkOrderCreateState, "search_charge_points", term="WO")
    form = await admin.state(WorkOrderCreateState)
    assert form.cp_choices == [[str(w.charge_point_id), w.identity]]
    await admin.send(WorkOrderCreateState, "save")
    assert set(form.errors) == {"charge_point_id", "title"}
    for name, value in {"charge_point_id": str(w.charge_point_id), "title": "Screen dark"}.items():
        await admin.send(WorkOrderCreateState, "set_value", name=name, value=value)
    assert set(form.errors) == {"charge_point_id", "title"}  # until the next save
    await admin.send(WorkOrderCreateState, "save")
    assert form.open is False and form.errors == {} and form.message == ""
    with read_session() as s:
        work_order_id = s.exec(select(WorkOrder.id)).one() or 0

    tech = login(w.organisation_id, "t2@example.com", set(BUILT_IN_ROLES[MAINTENANCE_STAFF]))
    tech.at(LIST)
    await tech.send(WorkOrderListState, "load")
    listed = await tech.state(WorkOrderListState)
    assert [r["title"] for r in listed.rows] == ["Screen dark"]
    page = tech.at(f"{LIST}/{work_order_id}")
    await page.send(WorkOrderDetailState, "load")
    detail = await page.state(WorkOrderDetailState)
    assert detail.wo["status"] == "open" and detail.actions == ["claim", "start", "close"]
    await page.send(WorkOrderDetailState, "act", action="claim")
    assert detail.wo["status"] == "assigned" and detail.wo["mine"] == "yes"
    await page.send(WorkOrderDetailState, "act", action="start")
    await page.send(WorkOrderDetailState, "set_note", value="Backlight fuse blown")
    await page.send(WorkOrderDetailState, "add_note")
    assert detail.note == "" and detail.events[0]["text"] == "Backlight fuse blown"
    await page.send(WorkOrderDetailState, "act", action="resolve")
    assert detail.errors == {"resolution": "Write the resolution (what was done) first."}
    await page.send(WorkOrderDetailState, "set_reason", value="Fuse replaced")
    assert detail.errors == {"resolution": "Write the resolution (what was done) first."}
    await page.send(WorkOrderDetailState, "act", action="resolve")
    assert detail.errors == {}
    assert detail.wo["status"] == "resolved" and detail.wo["resolution"] == "Fuse replaced"
    assert detail.events[0]["move"] == "In progress → Resolved"
    assert detail.wo["zone"] == "Europe/Berlin"

    await tech.at(LIST).send(MyWorkOrdersState, "load")
    mine = await tech.state(MyWorkOrdersState)
    assert [(r["id"], r["status"]) for r in mine.rows] == [(str(work_order_id), "resolved")]


async def test_a_viewer_sees_but_is_refused_changes(workshop: Workshop) -> None:
    w = workshop
    admin = login(w.organisation_id, "boss@example.com").at(LIST)
    await admin.send(WorkOrderCreateState, "open_new")
    for name, value in {"charge_point_id": str(w.charge_point_id), "title": "Loose"}.items():
        await admin.send(WorkOrderCreateState, "set_value", name=name, value=value)
    await admin.send(WorkOrderCreateState, "save")
    with read_session() as s:
        work_order_id = s.exec(select(WorkOrder.id)).one() or 0
    viewer = login(w.organisation_id, "v@example.com", {"maintenance:view"})
    page = viewer.at(f"{LIST}/{work_order_id}")
    await page.send(WorkOrderDetailState, "load")
    assert (await page.state(WorkOrderDetailState)).wo["title"] == "Loose"
    refused = await page.send(WorkOrderDetailState, "act", action="claim")
    assert isinstance(refused, StateUpdate)
    with read_session() as s:
        assert s.get(WorkOrder, work_order_id).status == "open"  # type: ignore[union-attr]
    assert requirement(WorkOrderCommandState, "send") == "live_monitoring:control"
    assert requirement(WorkOrderDetailState, "upload_photo") == "maintenance:edit"


async def test_staff_profile_and_a_plan_through_the_gate(workshop: Workshop) -> None:
    w = workshop
    admin = login(w.organisation_id, "boss@example.com").at("/maintenance/staff")
    await admin.send(StaffState, "load")
    staff = await admin.state(StaffState)
    assert [r["name"] for r in staff.rows] == ["Toni Tech", "Olga Other"]
    await admin.send(StaffState, "open_edit", account_id=str(w.other_tech.account_id))
    await admin.send(StaffState, "set_phone", value="+49 170 1")
    await admin.send(StaffState, "toggle_area", area_id=str(w.area_id), checked=True)
    await admin.send(StaffState, "save")
    assert staff.editing_id == 0 and staff.errors == {}
    await admin.send(StaffState, "load")  # what the save's returned event does
    assert staff.rows[0]["name"] == "Olga Other" and staff.rows[0]["areas"] == "North"

    plans = admin.at("/maintenance/plans")
    await plans.send(PlanListState, "load")
    await plans.send(PlanFormState, "open_new")
    await plans.send(PlanFormState, "set_value", name="name", value="Yearly check")
    await plans.send(PlanFormState, "set_value", name="vendor", value="ACME")
    await plans.send(PlanFormState, "save")
    await plans.send(PlanListState, "refresh")
    listed = await plans.state(PlanListState)
    assert [(r["name"], r["covers"]) for r in listed.rows] == [("Yearly check", "ACME every model")]
    await plans.send(PlanFormState, "open_edit", plan_id=str(listed.rows[0]["id"]))
    await plans.send(PlanFormState, "delete")
    await plans.send(PlanListState, "refresh")
    assert listed.rows == [] and (await plans.state(PlanFormState)).mode == ""
