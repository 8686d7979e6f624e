"""A load site's time plans and priority rules as the operator edits them.

Plans: a different site limit on some weekdays between two local times (the station's zone),
e.g. weekdays 08:00-18:00 100 kW; of two plans active at once the higher priority wins
(`rules.plans.active_plan`). Each needs a limit (A or kW); weekdays and times are checked by
`rules.plans`. Priorities: sessions matching a user group, a membership plan, an id tag or a
charge point are served before lower ones; the group, plan or charge point must exist in the
caller's scope (a charge point at the site's station), an id tag is any 1..20 characters
(a card not issued yet may be named). load_balancing:edit to change; every change tells the
controller.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from ccms_app.accounts.roles import Caller, InputError, require
from ccms_app.core.i18n import N_, tr
from ccms_app.core.rows import stored_id
from ccms_app.drivers.models import UserGroup
from ccms_app.finance.memberships.models import MembershipPlan
from ccms_app.load_balancing.models import LoadPlan, LoadPriority, LoadSite, PriorityKind
from ccms_app.load_balancing.rules.site_form import (
    PLAN_FIELDS,
    PRIORITY_FIELDS,
    FormError,
    PlanValues,
    PriorityValues,
    check_plan,
    check_priority,
)
from ccms_app.load_balancing.site_rows import (
    EDIT_PERMISSION,
    VIEW_PERMISSION,
    changed,
    form_values,
    scoped_part,
    scoped_site,
)
from ccms_app.network.models import ChargePoint

PLAN, PRIORITY = "load_plan", "load_priority"


@dataclass(frozen=True)
class PlanView:
    id: int
    site_id: int
    name: str
    priority: int
    weekdays: str  # ISO weekday digits, Monday = 1
    start_time: str  # local HH:MM
    end_time: str
    limit_a: float | None
    limit_kw: float | None
    enabled: bool


@dataclass(frozen=True)
class PriorityView:
    id: int
    site_id: int
    kind: str
    ref: str
    ref_name: str  # what the ref names: the group's or plan's name, the identity, the tag
    priority: int
    label: str


def _plan_view(plan: LoadPlan) -> PlanView:
    return PlanView(
        id=stored_id(plan.id),
        site_id=plan.site_id,
        name=plan.name,
        priority=plan.priority,
        weekdays=plan.weekdays,
        start_time=plan.start_time,
        end_time=plan.end_time,
        limit_a=plan.limit_a,
        limit_kw=plan.limit_kw,
        enabled=plan.enabled,
    )


def list_plans(caller: Caller, site_id: int) -> list[PlanView]:
    """The site's plans, highest priority first."""
    action = "load_plan.list"
    require(caller, VIEW_PERMISSION, action, PLAN, site_id)
    with scoped_site(caller, site_id, action, write=False) as (session, _site):
        plans = session.exec(
            select(LoadPlan)
            .where(col(LoadPlan.site_id) == site_id)
            .order_by(col(LoadPlan.priority).desc(), col(LoadPlan.id))
        ).all()
    return [_plan_view(p) for p in plans]


def _checked_plan(form: Mapping[str, Any]) -> PlanValues:
    try:
        return check_plan(form)
    except FormError as exc:
        raise InputError(exc.errors) from None


def _apply_plan(plan: LoadPlan, values: PlanValues) -> None:
    plan.name, plan.priority, plan.weekdays = values.name, values.priority, values.weekdays
    plan.start_time, plan.end_time = values.start_time, values.end_time
    plan.limit_a, plan.limit_kw, plan.enabled = values.limit_a, values.limit_kw, values.enabled


def add_plan(caller: Caller, site_id: int, data: Mapping[str, Any]) -> PlanView:
    action = "load_plan.create"
    require(caller, EDIT_PERMISSION, action, PLAN, "")
    with scoped_site(caller, site_id, action) as (session, _site):
        values = _checked_plan(data)
        plan = LoadPlan(site_id=site_id, name=values.name)
        _apply_plan(plan, values)
        session.add(plan)
        session.flush()
        view = _plan_view(plan)
    changed(caller, site_id, action, PLAN, view.id, view.name)
    return view


def update_plan(caller: Caller, plan_id: int, data: Mapping[str, Any]) -> PlanView:
    """Change a plan (only the fields given)."""
    action = "load_plan.update"
    require(caller, EDIT_PERMISSION, action, PLAN, plan_id)
    with scoped_part(caller, LoadPlan, plan_id, action, "load plan") as (session, plan, _site):
        current = form_values(plan, PLAN_FIELDS)
        _apply_plan(plan, _checked_plan({**current, **data}))
        session.add(plan)
        session.flush()
        view = _plan_view(plan)
    changed(caller, view.site_id, action, PLAN, plan_id, view.name)
    return view


def delete_plan(caller: Caller, plan_id: int) -> None:
    action = "load_plan.delete"
    require(caller, EDIT_PERMISSION, action, PLAN, plan_id)
    with scoped_part(caller, LoadPlan, plan_id, action, "load plan") as (session, plan, _site):
        site_id, name = plan.site_id, plan.name
        session.delete(plan)
    changed(caller, site_id, action, PLAN, plan_id, name)


# --- priorities -------------------------------------------------------------------------------


def _ref_name(session: Session, caller: Caller, site: LoadSite, kind: str, ref: str) -> str | None:
    """What the rule's ref names, if it exists in the caller's scope (None: it does not)."""
    if kind == PriorityKind.ID_TAG:
        return ref
    scope = caller.scope()
    row_id = int(ref) if ref.isdigit() else 0
    if kind == PriorityKind.USER_GROUP:
        group = session.get(UserGroup, row_id)
        return group.name if group and group.organisation_id in scope else None
    if kind == PriorityKind.MEMBERSHIP_PLAN:
        plan = session.get(MembershipPlan, row_id)
        return plan.name if plan and plan.organisation_id in scope else None
    cp = session.get(ChargePoint, row_id)
    in_site = cp is not None and cp.organisation_id in scope and cp.station_id == site.station_id
    return cp.identity if cp is not None and in_site else None


_MISSING = {  # in the reader's language where raised
    PriorityKind.USER_GROUP: N_("No user group {ref} in your organisation."),
    PriorityKind.MEMBERSHIP_PLAN: N_("No membership plan {ref} in your organisation."),
    PriorityKind.CHARGE_POINT: N_("No charge point {ref} at this site's station."),
}


def _checked_priority(
    session: Session, caller: Caller, site: LoadSite, form: Mapping[str, Any]
) -> tuple[PriorityValues, str]:
    """The rule's values and the name of what it matches; InputError naming every bad field."""
    try:
        values = check_priority(form)
    except FormError as exc:
        raise InputError(exc.errors) from None
    name = _ref_name(session, caller, site, values.kind, values.ref)
    if name is None:
        raise InputError({"ref": tr(_MISSING[PriorityKind(values.kind)], ref=values.ref)})
    return values, name


def _priority_view(rule: LoadPriority, ref_name: str) -> PriorityView:
    return PriorityView(
        id=stored_id(rule.id),
        site_id=rule.site_id,
        kind=rule.kind,
        ref=rule.ref,
        ref_name=ref_name,
        priority=rule.priority,
        label=rule.label,
    )


def _priority_views(
    session: Session, caller: Caller, site: LoadSite, rules: Sequence[LoadPriority]
) -> list[PriorityView]:
    """The rules with what each names ("(gone)" when the group, plan or charge point was
    deleted or left the scope: the rule then matches nothing)."""
    return [
        _priority_view(r, _ref_name(session, caller, site, r.kind, r.ref) or "(gone)")
        for r in rules
    ]


def list_priorities(caller: Caller, site_id: int) -> list[PriorityView]:
    """The site's priority rules, highest first."""
    action = "load_priority.list"
    require(caller, VIEW_PERMISSION, action, PRIORITY, site_id)
    with scoped_site(caller, site_id, action, write=False) as (session, site):
        rules = session.exec(
            select(LoadPriority)
            .where(col(LoadPriority.site_id) == site_id)
            .order_by(col(LoadPriority.priority).desc(), col(LoadPriority.id))
        ).all()
        return _priority_views(session, caller, site, rules)


def _apply_priority(rule: LoadPriority, values: PriorityValues) -> None:
    rule.kind, rule.ref, rule.priority, rule.label = (
        values.kind,
        values.ref,
        values.priority,
        values.label,
    )


def add_priority(caller: Caller, site_id: int, data: Mapping[str, Any]) -> PriorityView:
    action = "load_priority.create"
    require(caller, EDIT_PERMISSION, action, PRIORITY, "")
    with scoped_site(caller, site_id, action) as (session, site):
        values, name = _checked_priority(session, caller, site, data)
        rule = LoadPriority(site_id=site_id, kind=values.kind, ref=values.ref)
        _apply_priority(rule, values)
        session.add(rule)
        session.flush()
        view = _priority_view(rule, name)
    changed(caller, site_id, action, PRIORITY, view.id, f"{view.kind} {view.ref_name}")
    return view


def update_priority(caller: Caller, priority_id: int, data: Mapping[str, Any]) -> PriorityView:
    """Change a rule (only the fields given)."""
    action = "load_priority.update"
    require(caller, EDIT_PERMISSION, action, PRIORITY, priority_id)
    what = "load priority"
    with scoped_part(caller, LoadPriority, priority_id, action, what) as (session, rule, site):
        current = form_values(rule, PRIORITY_FIELDS)
        values, name = _checked_priority(session, caller, site, {**current, **data})
        _apply_priority(rule, values)
        session.add(rule)
        session.flush()
        view = _priority_view(rule, name)
    changed(caller, view.site_id, action, PRIORITY, priority_id, f"{view.kind} {view.ref_name}")
    return view


def delete_priority(caller: Caller, priority_id: int) -> None:
    action = "load_priority.delete"
    require(caller, EDIT_PERMISSION, action, PRIORITY, priority_id)
    what = "load priority"
    with scoped_part(caller, LoadPriority, priority_id, action, what) as (session, rule, _site):
        site_id = rule.site_id
        session.delete(rule)
    changed(caller, site_id, action, PRIORITY, priority_id, "")
