"""Preventive maintenance plans: created, listed, changed, deleted, and the job that turns
due plans into work orders.

A plan covers one charge point, or every charge point of a vendor (and model) in the plan's
organisation and its sub-operators (rules/plans.covers). When its next due date has come,
the job creates one work order per covered charge point (source plan), idempotent by the
unique (plan, charge point, due date): a second run, or a second process, adds none. Then
the plan's next due date moves on by its period (missed periods are skipped).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from ccms_app.accounts.organisations import organisation_scope
from ccms_app.accounts.roles import Caller, InputError, not_found
from ccms_app.core.db import read_session, session_scope
from ccms_app.core.events import NetworkEvent
from ccms_app.core.i18n import tr
from ccms_app.core.listing import ListColumn, ListSpec
from ccms_app.core.local_time import utc_to_wall_time
from ccms_app.core.rows import stored_id
from ccms_app.core.types import utc_now
from ccms_app.maintenance.rules.plans import PlanInput, covers, next_due, read_plan_form
from ccms_app.maintenance.work_orders.common import (
    WorkOrderError,
    publish,
    require_edit,
    work_order_event,
)
from ccms_app.maintenance.work_orders.creation import create_work_order
from ccms_app.maintenance.work_orders.models import MaintenancePlan, WorkOrder, WorkOrderSource
from ccms_app.network.models import ChargePoint, RegistrationState, Station
from ccms_app.network.station_zone import station_zone_of

log = logging.getLogger(__name__)
OBJECT = "maintenance_plan"
BATCH = 200

_WORK_ORDERS = (
    sa_select(func.count(col(WorkOrder.id)))
    .where(col(WorkOrder.plan_id) == MaintenancePlan.id)
    .correlate(MaintenancePlan)
    .scalar_subquery()
)

PLAN_LIST = ListSpec(
    name="maintenance plans",
    base=lambda: (
        sa_select(MaintenancePlan)
        .outerjoin(ChargePoint, col(ChargePoint.id) == MaintenancePlan.charge_point_id)
        .outerjoin(Station, col(Station.id) == ChargePoint.station_id)
    ),
    columns=(
        ListColumn("id", "Id", MaintenancePlan.id),
        ListColumn("name", "Name", MaintenancePlan.name, searchable=True),
        ListColumn("charge_point", "Charge point", ChargePoint.identity, searchable=True),
        ListColumn(
            "charge_point_id", "Charge point id", MaintenancePlan.charge_point_id, filterable=True
        ),
        ListColumn("vendor", "Vendor", MaintenancePlan.vendor, searchable=True, filterable=True),
        ListColumn("model", "Model", MaintenancePlan.model, searchable=True),
        ListColumn("every_months", "Every (months)", MaintenancePlan.every_months),
        ListColumn("next_due_at", "Next due (UTC)", MaintenancePlan.next_due_at),
        ListColumn("last_run_at", "Last run (UTC)", MaintenancePlan.last_run_at),
        ListColumn("priority", "Priority", MaintenancePlan.priority, filterable=True),
        ListColumn("description", "Description", MaintenancePlan.description, sortable=False),
        ListColumn("enabled", "Enabled", MaintenancePlan.enabled, filterable=True),
        ListColumn("work_orders", "Work orders", _WORK_ORDERS, sortable=False),
        ListColumn(
            "organisation_id", "Organisation id", MaintenancePlan.organisation_id, filterable=True
        ),
        ListColumn("created_by", "Created by", MaintenancePlan.created_by),
        ListColumn("created_at", "Created (UTC)", MaintenancePlan.created_at),
    ),
    organisation_column=MaintenancePlan.organisation_id,
    id_column=MaintenancePlan.id,
    default_sort="next_due_at",
    zone=Station.timezone,  # a plan for one charge point: its station's; else the operator's
)


def plan_form(plan: MaintenancePlan, zone: str = "UTC") -> dict[str, str]:
    """The edit form as the web UI fills it; the next due day as a day in `zone`."""
    return {
        "name": plan.name,
        "charge_point_id": str(plan.charge_point_id or ""),
        "vendor": plan.vendor,
        "model": plan.model,
        "every_months": str(plan.every_months),
        "priority": plan.priority,
        "description": plan.description,
        "enabled": "true" if plan.enabled else "false",
        "next_due_at": utc_to_wall_time(plan.next_due_at, zone)[:10],
    }


def plan_zone(session: Session, charge_point_id: int | None, operator_zone: str) -> str:
    """Whose days a plan's next due day is, as its list row shows it: a plan for one charge
    point its station's zone; a plan by vendor / model (or a charge point without a station)
    `operator_zone`."""
    return station_zone_of(session, charge_point_id) or operator_zone


def _checked(
    session: Session, form: Mapping[str, str], scope: frozenset[int], operator_zone: str | None
) -> PlanInput:
    """The form checked; its next due day in `plan_zone` (operator_zone None: UTC, the API)."""
    checked, errors = read_plan_form(form, operator_zone or "UTC")
    if checked is None:
        raise InputError(errors)
    if checked.charge_point_id is not None:
        cp = session.get(ChargePoint, checked.charge_point_id)
        if cp is None or cp.organisation_id not in scope:
            raise InputError({"charge_point_id": tr("No such charge point in your network.")})
        zone = operator_zone and plan_zone(session, checked.charge_point_id, operator_zone)
        if zone and zone != operator_zone:  # the day is the station's: read it again in its zone
            checked, errors = read_plan_form(form, zone)
            if checked is None:
                raise InputError(errors)
    return checked


def _apply(row: MaintenancePlan, checked: PlanInput) -> None:
    row.name, row.charge_point_id = checked.name, checked.charge_point_id
    row.vendor, row.model = checked.vendor, checked.model
    row.every_months, row.priority = checked.every_months, checked.priority
    row.description, row.enabled = checked.description, checked.enabled
    row.next_due_at = checked.next_due_at


@contextmanager
def _plan(
    caller: Caller, plan_id: int, action: str, write: bool = True
) -> Iterator[tuple[Session, MaintenancePlan]]:
    """The plan in a transaction, or NotFoundError (audited after the transaction ends)."""
    with session_scope() if write else read_session() as session:
        row = session.get(MaintenancePlan, plan_id) if plan_id > 0 else None
        if row is not None and row.organisation_id in caller.scope():
            yield session, row
            return
    not_found(caller, action, OBJECT, plan_id, "maintenance plan")


def create_plan(
    caller: Caller,
    form: Mapping[str, str],
    organisation_id: int | None = None,
    zone: str | None = None,
) -> int:
    """A new plan; `zone` is the operator's (the web form: its next due day is a day in
    `plan_zone`), None for UTC days (the API)."""
    action = "maintenance_plan.create"
    require_edit(caller, action, "")
    scope = caller.scope()
    owner = caller.organisation_id if organisation_id is None else organisation_id
    if owner not in scope:
        not_found(caller, action, OBJECT, "", "organisation")
    with session_scope() as session:
        checked = _checked(session, form, scope, zone)
        row = MaintenancePlan(
            organisation_id=owner,
            created_by=caller.email,
            name=checked.name,
            every_months=checked.every_months,
            next_due_at=checked.next_due_at,
        )
        _apply(row, checked)
        session.add(row)
        session.flush()
        return stored_id(row.id)


def get_plan_form(caller: Caller, plan_id: int, zone: str | None = None) -> dict[str, str]:
    """The plan's form; its next due day in `plan_zone` of the operator's `zone` (None: UTC,
    the API)."""
    with _plan(caller, plan_id, "maintenance_plan.view", write=False) as (session, row):
        shown = zone and plan_zone(session, row.charge_point_id, zone)
        return plan_form(row, shown or "UTC")


def update_plan(
    caller: Caller, plan_id: int, form: Mapping[str, str], zone: str | None = None
) -> None:
    """Change the plan; `zone` as for `create_plan`."""
    action = "maintenance_plan.update"
    require_edit(caller, action, plan_id)
    with _plan(caller, plan_id, action) as (session, row):
        _apply(row, _checked(session, form, caller.scope(), zone))
        session.add(row)


def delete_plan(caller: Caller, plan_id: int) -> None:
    """Delete a plan that made no work order yet; one that did is disabled instead (its
    work orders keep pointing at it)."""
    action = "maintenance_plan.delete"
    require_edit(caller, action, plan_id)
    with _plan(caller, plan_id, action) as (session, row):
        used = session.exec(select(WorkOrder.id).where(col(WorkOrder.plan_id) == plan_id)).first()
        if used is not None:
            raise WorkOrderError(
                tr("This plan has made work orders: disable it instead (they keep their plan).")
            )
        session.delete(row)


# --- the job ----------------------------------------------------------------------------


def _covered(session: Session, plan: MaintenancePlan) -> list[ChargePoint]:
    if plan.charge_point_id is not None:
        cp = session.get(ChargePoint, plan.charge_point_id)
        return [cp] if cp is not None else []
    candidates = session.exec(
        select(ChargePoint).where(
            col(ChargePoint.organisation_id).in_(list(organisation_scope(plan.organisation_id))),
            col(ChargePoint.registration_state) != RegistrationState.UNREGISTERED,
            func.lower(col(ChargePoint.vendor)) == plan.vendor.strip().lower(),
        )
    ).all()
    return [
        cp
        for cp in candidates
        if covers(None, plan.vendor, plan.model, stored_id(cp.id), cp.vendor, cp.model)
    ]


def _exists(session: Session, plan_id: int, charge_point_id: int, due: datetime) -> bool:
    found = session.exec(
        select(WorkOrder.id).where(
            col(WorkOrder.plan_id) == plan_id,
            col(WorkOrder.charge_point_id) == charge_point_id,
            col(WorkOrder.plan_due_at) == due,
        )
    ).first()
    return found is not None


def _run_plan(session: Session, plan: MaintenancePlan, now: datetime) -> list[NetworkEvent]:
    plan_id, due = stored_id(plan.id), plan.next_due_at
    events = []
    for cp in _covered(session, plan):
        cp_id = stored_id(cp.id)
        if _exists(session, plan_id, cp_id, due):
            continue
        try:
            with session.begin_nested():
                row = create_work_order(
                    session,
                    organisation_id=cp.organisation_id,
                    charge_point_id=cp_id,
                    title=f"Preventive maintenance: {plan.name}"[:200],
                    description=plan.description,
                    priority=plan.priority,
                    source=WorkOrderSource.PLAN,
                    actor="",
                    plan_id=plan_id,
                    plan_due_at=due,
                    now=now,
                )
        except IntegrityError:  # another run made it first: one per plan, charge point, due
            continue
        events.append(work_order_event(row, cp.identity, created=True))
    plan.next_due_at = next_due(due, plan.every_months, now)
    plan.last_run_at = now
    session.add(plan)
    return events


def run_due_plans(now: datetime | None = None) -> int:
    """Work orders for every enabled plan that is due; how many were created."""
    now = now or utc_now()
    events: list[NetworkEvent] = []
    with session_scope() as session:
        plans = session.exec(
            select(MaintenancePlan)
            .where(col(MaintenancePlan.enabled), col(MaintenancePlan.next_due_at) <= now)
            .order_by(col(MaintenancePlan.next_due_at))
            .limit(BATCH)
        ).all()
        for plan in plans:
            events.extend(_run_plan(session, plan, now))
    publish(events)
    if events:
        log.info("preventive work orders created", extra={"work_orders": len(events)})
    return len(events)


async def run_plans_job() -> None:
    """The scheduler's job; a failure is logged, the next run tries again."""
    try:
        await asyncio.to_thread(run_due_plans)
    except Exception:
        log.exception("maintenance plan run failed")
