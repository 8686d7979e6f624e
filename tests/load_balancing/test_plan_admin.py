"""A site's time plans and priority rules as operators edit them
(load_balancing.plan_admin): weekdays and times checked, a limit required; priority refs that
exist in the caller's scope."""

from __future__ import annotations

import asyncio

import pytest

from ccms_app.accounts.models import Organisation
from ccms_app.accounts.roles import InputError, NotFoundError, RefusedError
from ccms_app.core import db
from ccms_app.core.events import NetworkEvent
from ccms_app.core.rows import stored_id
from ccms_app.drivers.models import UserGroup
from ccms_app.finance.memberships.models import MembershipPlan
from ccms_app.load_balancing import plan_admin
from tests.load_balancing import admin_seed as seed
from tests.load_balancing.admin_seed import heard, site_events

__all__ = ["site_events"]


def _group_and_plan(organisation_id: int) -> tuple[int, int]:
    with db.session_scope() as session:
        group = UserGroup(organisation_id=organisation_id, name=f"Fleet {organisation_id}")
        plan = MembershipPlan(organisation_id=organisation_id, name=f"Gold {organisation_id}")
        session.add_all([group, plan])
        session.flush()
        return stored_id(group.id), stored_id(plan.id)


async def test_plans(organisation: Organisation, site_events: asyncio.Queue[NetworkEvent]) -> None:
    org = organisation.id or 0
    ops = seed.caller(org)
    site = seed.site(org, seed.station(org))
    heard(site_events)
    with pytest.raises(InputError) as wrong:
        plan_admin.add_plan(
            ops,
            site.id,
            {"name": "", "weekdays": "189", "start_time": "25:00", "end_time": "8", "enabled": "?"},
        )
    assert wrong.value.errors == {
        "name": "Give the plan a name (e.g. Office hours).",
        "weekdays": "Weekdays must be digits 1 (Monday) to 7 (Sunday), got '189'.",
        "start_time": "Time must be HH:MM between 00:00 and 23:59, got '25:00'.",
        "end_time": "Time must be HH:MM between 00:00 and 23:59, got '8'.",
        "limit_a": "Give the plan's limit: a current (A) or a power (kW).",
        "enabled": "Yes or no.",
    }
    office = plan_admin.add_plan(
        ops,
        site.id,
        {"name": "Office hours", "weekdays": "5,1,2,3,4", "start_time": "8:00",
         "end_time": "18:00", "limit_kw": 100},
    )  # fmt: skip
    night = plan_admin.add_plan(
        ops,
        site.id,
        {
            "name": "Night",
            "priority": 2,
            "start_time": "22:00",
            "end_time": "06:00",
            "limit_a": 200,
        },
    )
    assert (office.weekdays, office.start_time, office.limit_kw) == ("12345", "08:00", 100.0)
    assert (night.weekdays, night.limit_a, night.limit_kw) == ("1234567", 200.0, None)
    assert heard(site_events) == [{"site_id": site.id}] * 2
    assert [p.name for p in plan_admin.list_plans(ops, site.id)] == ["Night", "Office hours"]

    changed = plan_admin.update_plan(ops, office.id, {"limit_kw": None, "limit_a": 150})
    assert (changed.limit_a, changed.limit_kw, changed.weekdays) == (150.0, None, "12345")
    with pytest.raises(InputError) as no_limit:
        plan_admin.update_plan(ops, office.id, {"limit_a": ""})
    assert set(no_limit.value.errors) == {"limit_a"}
    sub_ops = seed.caller(seed.organisation(org))
    with pytest.raises(NotFoundError):
        plan_admin.update_plan(sub_ops, office.id, {"name": "Mine"})
    with pytest.raises(NotFoundError):
        plan_admin.list_plans(sub_ops, site.id)
    with pytest.raises(RefusedError):
        plan_admin.delete_plan(seed.caller(org, "load_balancing:view"), office.id)
    plan_admin.delete_plan(ops, office.id)
    assert [p.id for p in plan_admin.list_plans(ops, site.id)] == [night.id]
    assert heard(site_events) == [{"site_id": site.id}] * 2


def test_priorities_name_what_exists_in_scope(organisation: Organisation) -> None:
    org = organisation.id or 0
    ops = seed.caller(org)
    depot, yard = seed.station(org, "Depot"), seed.station(org, "Yard")
    bay = seed.charge_point(org, depot, "CP-BAY")
    at_yard = seed.charge_point(org, yard, "CP-YARD")
    group, membership = _group_and_plan(org)
    other = seed.organisation(None, "Other")
    their_group, their_plan = _group_and_plan(other)
    site = seed.site(org, depot)

    added = [
        plan_admin.add_priority(ops, site.id, {"kind": kind, "ref": ref, "priority": n})
        for n, (kind, ref) in enumerate(
            [("user_group", group), ("membership_plan", membership), ("id_tag", " FLEET-07 "),
             ("charge_point", bay)],
            start=1,
        )
    ]  # fmt: skip
    assert [(p.kind, p.ref, p.ref_name) for p in added] == [
        ("user_group", str(group), f"Fleet {org}"),
        ("membership_plan", str(membership), f"Gold {org}"),
        ("id_tag", "FLEET-07", "FLEET-07"),
        ("charge_point", str(bay), "CP-BAY"),
    ]
    listed = plan_admin.list_priorities(ops, site.id)
    assert [p.priority for p in listed] == [4, 3, 2, 1]

    mine = "in your organisation."
    cases: list[tuple[dict[str, object], dict[str, str]]] = [
        (
            {"kind": "user_group", "ref": their_group},
            {"ref": f"No user group {their_group} {mine}"},
        ),
        (
            {"kind": "membership_plan", "ref": their_plan},
            {"ref": f"No membership plan {their_plan} {mine}"},
        ),
        (
            {"kind": "charge_point", "ref": at_yard},
            {"ref": f"No charge point {at_yard} at this site's station."},
        ),
        ({"kind": "id_tag", "ref": "X" * 21}, {"ref": "At most 20 characters (21 given)."}),
        ({"kind": "user_group", "ref": "fleet"}, {"ref": "Give a whole number ('fleet' given)."}),
        (
            {"kind": "vip", "ref": "1", "priority": "high"},
            {
                "kind": "Choose one of user_group, membership_plan, id_tag, charge_point "
                "('vip' given).",
                "priority": "Give a whole number ('high' given).",
            },
        ),
    ]
    for data, errors in cases:
        with pytest.raises(InputError) as wrong:
            plan_admin.add_priority(ops, site.id, data)
        assert wrong.value.errors == errors, data

    changed = plan_admin.update_priority(ops, added[2].id, {"priority": 9, "label": "Fleet card"})
    assert (changed.ref, changed.priority, changed.label) == ("FLEET-07", 9, "Fleet card")
    plan_admin.delete_priority(ops, added[0].id)
    assert len(plan_admin.list_priorities(ops, site.id)) == 3
    with pytest.raises(NotFoundError):
        plan_admin.delete_priority(seed.caller(other), added[1].id)
