"""Preventive maintenance plans: one work order per covered charge point and due date,
however often the job runs, and the next due date moves on."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import col, select

from ccms_app.accounts.roles import InputError, NotFoundError
from ccms_app.core.db import read_session, session_scope
from ccms_app.core.rows import stored_id
from ccms_app.maintenance.work_orders import plans
from ccms_app.maintenance.work_orders.common import WorkOrderError
from ccms_app.maintenance.work_orders.models import MaintenancePlan, WorkOrder
from ccms_app.network.models import ChargePoint
from tests.maintenance.work_orders.support import Workshop


def _second_charge_point(w: Workshop, vendor: str, model: str) -> int:
    with session_scope() as s:
        cp = ChargePoint(
            organisation_id=w.organisation_id,
            identity=f"CP-{vendor}-{model}",
            vendor=vendor,
            model=model,
            registration_state="registered",
        )
        s.add(cp)
        s.flush()
        return stored_id(cp.id)


def _orders(plan_id: int) -> list[WorkOrder]:
    with read_session() as s:
        return list(
            s.exec(
                select(WorkOrder)
                .where(col(WorkOrder.plan_id) == plan_id)
                .order_by(col(WorkOrder.charge_point_id))
            ).all()
        )


def test_a_vendor_plan_makes_one_order_per_charge_point_and_is_idempotent(
    workshop: Workshop,
) -> None:
    w = workshop
    same_model = _second_charge_point(w, "acme", "WALLBOX 22")
    _second_charge_point(w, "ACME", "Wallbox 11")
    _second_charge_point(w, "Other", "Wallbox 22")
    plan_id = plans.create_plan(
        w.admin,
        {
            "name": "Annual check",
            "vendor": "ACME",
            "model": "Wallbox 22",
            "every_months": "12",
            "next_due_at": "2025-01-31",
            "priority": "medium",
            "description": "RCD test, torque check",
        },
    )
    now = datetime(2025, 2, 1, 8, 0, tzinfo=UTC)
    assert plans.run_due_plans(now) == 2
    assert plans.run_due_plans(now) == 0  # moved on: nothing due
    orders = _orders(plan_id)
    assert [o.charge_point_id for o in orders] == [w.charge_point_id, same_model]
    assert {(o.source, o.priority, o.plan_due_at) for o in orders} == {
        ("plan", "medium", datetime(2025, 1, 31, tzinfo=UTC))
    }
    assert orders[0].title == "Preventive maintenance: Annual check"
    with read_session() as s:
        plan = s.get(MaintenancePlan, plan_id)
        assert plan is not None and plan.next_due_at == datetime(2026, 1, 31, tzinfo=UTC)
    # Set back (a second process that read the old due date): no duplicate work orders.
    with session_scope() as s:
        plan = s.get(MaintenancePlan, plan_id)
        assert plan is not None
        plan.next_due_at = datetime(2025, 1, 31, tzinfo=UTC)
        s.add(plan)
    assert plans.run_due_plans(now) == 0 and len(_orders(plan_id)) == 2


def test_a_charge_point_plan_disabled_plans_and_deleting(workshop: Workshop) -> None:
    w = workshop
    form = {
        "name": "Quarterly",
        "charge_point_id": str(w.charge_point_id),
        "every_months": "3",
        "next_due_at": "2025-01-15",
        "enabled": "false",
    }
    plan_id = plans.create_plan(w.admin, form)
    assert plans.run_due_plans(datetime(2025, 2, 1, tzinfo=UTC)) == 0  # disabled
    plans.update_plan(w.admin, plan_id, form | {"enabled": "true"})
    assert plans.run_due_plans(datetime(2025, 2, 1, tzinfo=UTC)) == 1
    assert plans.get_plan_form(w.admin, plan_id)["next_due_at"] == "2025-04-15"
    with pytest.raises(WorkOrderError, match="disable it instead"):
        plans.delete_plan(w.admin, plan_id)
    unused = plans.create_plan(w.admin, form | {"name": "Unused"})
    plans.delete_plan(w.admin, unused)
    with pytest.raises(NotFoundError):
        plans.get_plan_form(w.admin, unused)


def test_plan_form_errors(workshop: Workshop) -> None:
    with pytest.raises(InputError) as caught:
        plans.create_plan(
            workshop.admin,
            {
                "name": "X",
                "charge_point_id": "999999",
                "every_months": "1",
                "next_due_at": "2025-01-01",
            },
        )
    assert caught.value.errors == {"charge_point_id": "No such charge point in your network."}
