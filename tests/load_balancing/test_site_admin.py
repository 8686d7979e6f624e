"""Load sites as operators manage them (load_balancing.site_admin) and the pure site form
(rules.site_form.check_site): one site per station, scope, limits, events, delete."""

from __future__ import annotations

import asyncio

import pytest
from sqlmodel import select

from ccms_app.accounts.models import AuditEntry, Organisation
from ccms_app.accounts.roles import InputError, NotFoundError, RefusedError
from ccms_app.core import db
from ccms_app.core.events import NetworkEvent
from ccms_app.core.rows import table_of
from ccms_app.core.types import utc_now
from ccms_app.load_balancing import building_load, plan_admin, site_admin, tree_admin
from ccms_app.load_balancing.models import (
    BuildingLoadReading,
    LoadMember,
    LoadNode,
    LoadPlan,
    LoadSite,
    NodeKind,
    PriorityKind,
    Strategy,
)
from ccms_app.load_balancing.rules.site_form import (
    NODE_KIND_LABELS,
    PRIORITY_KIND_LABELS,
    STRATEGY_LABELS,
    FormError,
    check_site,
)
from tests.load_balancing import admin_seed as seed
from tests.load_balancing.admin_seed import heard, site_events

__all__ = ["site_events"]


def test_the_form_names_every_wrong_field() -> None:
    with pytest.raises(FormError) as wrong:
        check_site(
            {
                "station_id": "depot",
                "name": "",
                "strategy": "greedy",
                "enabled": "maybe",
                "min_current_a": "64",
                "change_threshold_a": "0.05",
                "profile_validity_s": "30",
                "meter_charge_point_id": "0",
                "building_load_max_age_s": "1.5",
                "limit_a": "20000",
                "margin_a": "-1",
            }
        )
    errors = wrong.value.errors
    assert set(errors) == {
        "station_id", "name", "strategy", "enabled", "min_current_a", "change_threshold_a",
        "profile_validity_s", "meter_charge_point_id", "building_load_max_age_s", "limit_a",
        "margin_a",
    }  # fmt: skip
    assert errors["limit_a"] == "Give more than 0 and at most 10000 A (20000 given)."
    assert errors["min_current_a"] == "Give at least 0 and at most 63 A (64 given)."
    assert errors["profile_validity_s"] == "Give 60 to 86400 seconds (30 given)."
    assert errors["strategy"] == "Choose one of static, dynamic ('greedy' given)."
    assert errors["building_load_max_age_s"] == "Give a whole number ('1.5' given)."


def test_the_form_limits_and_defaults() -> None:
    with pytest.raises(FormError) as none:
        check_site({"station_id": 1, "name": "Depot"})
    assert none.value.errors == {
        "limit_a": "Give the grid connection a current limit (A) or a power limit (kW)."
    }
    with pytest.raises(FormError) as margin:
        check_site(
            {"station_id": 1, "name": "Depot", "limit_a": 100, "limit_kw": 11, "margin_a": 20}
        )
    # 11 kW three-phase at 230 V is 15.9 A per phase: a 20 A margin would leave nothing
    assert margin.value.errors == {
        "margin_a": "The margin must stay below the 11 kW limit (15.9 A per phase)."
    }
    values = check_site({"station_id": 7, "name": " Depot ", "limit_kw": 100.0})
    assert values.station_id == 7 and values.name == "Depot" and values.strategy == "static"
    assert (values.min_current_a, values.change_threshold_a) == (6.0, 1.0)
    assert (values.profile_validity_s, values.building_load_max_age_s) == (600, 300)
    assert values.limits.limit_a is None and values.limits.limit_kw == 100.0
    assert values.enabled is True and values.meter_charge_point_id is None


def test_the_form_labels_are_the_models() -> None:
    assert set(STRATEGY_LABELS) == set(Strategy)
    assert set(NODE_KIND_LABELS) == set(NodeKind)
    assert set(PRIORITY_KIND_LABELS) == set(PriorityKind)


async def test_site_lifecycle(
    organisation: Organisation, site_events: asyncio.Queue[NetworkEvent]
) -> None:
    org = organisation.id or 0
    ops = seed.caller(org)
    depot = seed.station(org, "Depot")
    meter = seed.charge_point(org, depot, "METER-1")
    created = seed.site(org, depot, meter_charge_point_id=meter, meter_connector_id="1")
    assert created.station_name == "Depot" and created.timezone == "Europe/Berlin"
    assert (created.limit_a, created.limit_kw, created.margin_a) == (63.0, None, 3.0)
    assert created.meter_identity == "METER-1" and created.strategy == "dynamic"
    assert heard(site_events) == [{"site_id": created.id}]
    with db.read_session() as session:
        (root,) = session.exec(select(LoadNode).where(LoadNode.site_id == created.id)).all()
    assert root.parent_id is None and root.kind == "grid" and root.limit_a == 63.0

    with pytest.raises(InputError) as twice:
        seed.site(org, depot, name="Second")
    assert twice.value.errors == {
        "station_id": "Station Depot already has a load site (Depot grid): a station has one "
        "grid connection; add its charge points to that site."
    }

    changed = site_admin.update_site(
        ops, created.id, {"limit_a": None, "limit_kw": "150", "strategy": "static"}
    )
    assert (changed.limit_a, changed.limit_kw, changed.strategy) == (None, 150.0, "static")
    assert changed.name == "Depot grid" and changed.meter_identity == "METER-1"
    with pytest.raises(InputError) as no_limit:
        site_admin.update_site(ops, created.id, {"limit_kw": ""})
    assert set(no_limit.value.errors) == {"limit_a"}
    with pytest.raises(InputError) as moved:
        site_admin.update_site(ops, created.id, {"station_id": seed.station(org, "Yard")})
    assert "stays at its station" in moved.value.errors["station_id"]
    assert heard(site_events) == [{"site_id": created.id}]  # one per saved change

    assert [s.id for s in site_admin.list_sites(ops)] == [created.id]
    assert site_admin.get_site(ops, created.id) == changed


def test_station_and_meter_must_be_in_scope(organisation: Organisation) -> None:
    org = organisation.id or 0
    other = seed.organisation(None, "Other Operator")
    theirs = seed.station(other, "Their depot")
    their_meter = seed.charge_point(other, theirs, "THEIRS-1")
    with pytest.raises(InputError) as wrong:
        seed.site(org, theirs, meter_charge_point_id=their_meter)
    assert wrong.value.errors == {
        "station_id": f"No station {theirs} in your organisation.",
        "meter_charge_point_id": f"No charge point {their_meter} in your organisation.",
    }


def test_scope_and_permissions(organisation: Organisation) -> None:
    org = organisation.id or 0
    sub = seed.organisation(org)
    parents = seed.site(org, seed.station(org, "Parent depot"))
    subs = seed.site(sub, seed.station(sub, "Sub depot"))
    sub_ops = seed.caller(sub)
    assert [s.id for s in site_admin.list_sites(sub_ops)] == [subs.id]
    assert {s.id for s in site_admin.list_sites(seed.caller(org))} == {parents.id, subs.id}
    with pytest.raises(NotFoundError, match="No such load site"):
        site_admin.get_site(sub_ops, parents.id)
    with pytest.raises(NotFoundError):
        site_admin.delete_site(sub_ops, parents.id)
    viewer = seed.caller(org, "load_balancing:view")
    with pytest.raises(RefusedError):
        site_admin.update_site(viewer, parents.id, {"name": "Mine"})
    with db.read_session() as session:
        refused = session.exec(
            select(AuditEntry.action).where(AuditEntry.outcome == "refused")
        ).all()
    assert set(refused) == {"load_site.get", "load_site.delete", "load_site.update"}


def test_delete_takes_the_whole_site(organisation: Organisation) -> None:
    org = organisation.id or 0
    ops = seed.caller(org)
    depot = seed.station(org)
    cp = seed.charge_point(org, depot, "CP-1")
    site = seed.site(org, depot)
    nodes, _ = tree_admin.site_tree(ops, site.id)
    panel = tree_admin.add_node(ops, site.id, {"name": "Panel A", "parent_id": nodes[0].id})
    circuit = tree_admin.add_node(ops, site.id, {"name": "Circuit 1", "parent_id": panel.id})
    tree_admin.add_member(ops, site.id, {"node_id": circuit.id, "charge_point_id": cp})
    plan_admin.add_plan(ops, site.id, {"name": "Day", "weekdays": "12345", "limit_kw": "40"})
    plan_admin.add_priority(ops, site.id, {"kind": "id_tag", "ref": "FLEET-1", "priority": 5})
    building_load.record_reading(site.id, utc_now(), 10, 11, 12, "api")
    site_admin.delete_site(ops, site.id)
    with db.read_session() as session:
        for model in (LoadSite, LoadNode, LoadMember, LoadPlan, BuildingLoadReading):
            assert session.exec(select(table_of(model).c.id)).all() == [], model.__name__
    again = seed.site(org, depot, name="New depot grid")  # the station is free again
    assert site_admin.list_sites(ops) == [again]
