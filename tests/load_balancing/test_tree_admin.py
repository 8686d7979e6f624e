"""A site's tree as operators edit it (load_balancing.tree_admin): nodes in the same site,
no loops, what may not be deleted and why; members at the site's station, in one site,
wired and bounded sensibly."""

from __future__ import annotations

import asyncio

import pytest

from ccms_app.accounts.models import Organisation
from ccms_app.accounts.roles import InputError, NotFoundError
from ccms_app.core.events import NetworkEvent
from ccms_app.load_balancing import tree_admin
from ccms_app.load_balancing.rules.site_form import FormError, check_member
from ccms_app.load_balancing.site_rows import InUseError
from tests.load_balancing import admin_seed as seed
from tests.load_balancing.admin_seed import heard, site_events

__all__ = ["site_events"]


def test_member_form_bounds() -> None:
    with pytest.raises(FormError) as wrong:
        check_member(
            {
                "node_id": "1",
                "charge_point_id": "2",
                "phase_rotation": "L1L1L2",
                "current_type": "HVDC",
                "min_current_a": "20",
                "max_current_a": "16",
                "fallback_current_a": "17",
            }
        )
    assert wrong.value.errors == {
        "phase_rotation": "Phase rotation must be the supply phases of the charger's L1, L2, L3 "
        "in order (e.g. L1L2L3, L2L3L1, L3L1L2) or one phase (L1, L2, L3), got 'L1L1L2'.",
        "current_type": "Choose one of AC, DC ('HVDC' given).",
        "min_current_a": "The minimum may not exceed the maximum (16 A).",
        "fallback_current_a": "The fallback may not exceed the maximum (16 A).",
    }
    with pytest.raises(FormError) as big:
        check_member({"node_id": 1, "charge_point_id": 2, "max_current_a": 501})
    assert big.value.errors == {"max_current_a": "Give more than 0 and at most 500 A (501 given)."}
    values = check_member({"node_id": 1, "charge_point_id": 2, "phase_rotation": "l2 l3 l1"})
    assert values.phase_rotation == "L2L3L1" and values.min_current_a is None
    assert (values.max_current_a, values.fallback_current_a, values.current_type) == (32, 6, "AC")


async def test_nodes_in_one_site_without_loops(
    organisation: Organisation, site_events: asyncio.Queue[NetworkEvent]
) -> None:
    org = organisation.id or 0
    ops = seed.caller(org)
    site = seed.site(org, seed.station(org, "Depot"))
    other = seed.site(org, seed.station(org, "Yard"))
    heard(site_events)
    ((root,), _) = tree_admin.site_tree(ops, site.id)
    ((their_root,), _) = tree_admin.site_tree(ops, other.id)
    panel = tree_admin.add_node(
        ops, site.id, {"name": "Panel A", "kind": "panel", "parent_id": root.id, "limit_a": 40}
    )
    second = tree_admin.add_node(
        ops, site.id, {"name": "Panel B", "kind": "panel", "parent_id": root.id}
    )
    circuit = tree_admin.add_node(
        ops, site.id, {"name": "Circuit 1", "parent_id": panel.id, "limit_kw": 22}
    )
    assert (panel.position, second.position, circuit.kind) == (0, 1, "circuit")
    assert heard(site_events) == [{"site_id": site.id}] * 3

    nodes, members = tree_admin.site_tree(ops, site.id)
    assert [(n.name, n.depth) for n in nodes] == [
        ("Grid connection", 0), ("Panel A", 1), ("Circuit 1", 2), ("Panel B", 1),
    ]  # fmt: skip
    assert members == []

    with pytest.raises(InputError) as elsewhere:
        tree_admin.add_node(ops, site.id, {"name": "X", "parent_id": their_root.id, "kind": "grid"})
    assert elsewhere.value.errors == {  # every wrong field at once
        "kind": "Choose one of panel, circuit ('grid' given).",
        "parent_id": f"No node {their_root.id} in this site.",
    }
    with pytest.raises(InputError) as foreign:
        tree_admin.add_node(ops, site.id, {"name": "X", "parent_id": their_root.id})
    assert foreign.value.errors == {"parent_id": f"No node {their_root.id} in this site."}
    with pytest.raises(InputError) as loop:
        tree_admin.update_node(ops, panel.id, {"parent_id": circuit.id})
    assert loop.value.errors == {
        "parent_id": "Circuit 1 is in Panel A's own branch: a node cannot hang under itself."
    }
    with pytest.raises(InputError) as itself:
        tree_admin.update_node(ops, panel.id, {"parent_id": panel.id})
    assert "own branch" in itself.value.errors["parent_id"]
    with pytest.raises(InputError) as root_moved:
        tree_admin.update_node(ops, root.id, {"parent_id": panel.id, "limit_a": None})
    assert root_moved.value.errors == {
        "parent_id": "The grid connection is the root of the tree: it has no parent.",
        "limit_a": "Give the grid connection a current limit (A) or a power limit (kW).",
    }
    moved = tree_admin.update_node(ops, circuit.id, {"parent_id": second.id, "margin_a": 2})
    assert (moved.parent_id, moved.limit_kw, moved.margin_a) == (second.id, 22.0, 2.0)
    renamed = tree_admin.update_node(ops, root.id, {"name": "Main fuse", "limit_a": 80})
    assert (renamed.name, renamed.kind, renamed.limit_a) == ("Main fuse", "grid", 80.0)


def test_what_may_not_be_deleted(organisation: Organisation) -> None:
    org = organisation.id or 0
    ops = seed.caller(org)
    depot = seed.station(org)
    cp = seed.charge_point(org, depot, "CP-1")
    site = seed.site(org, depot)
    ((root,), _) = tree_admin.site_tree(ops, site.id)
    panel = tree_admin.add_node(ops, site.id, {"name": "Panel A", "parent_id": root.id})
    circuit = tree_admin.add_node(ops, site.id, {"name": "Circuit 1", "parent_id": panel.id})
    member = tree_admin.add_member(ops, site.id, {"node_id": circuit.id, "charge_point_id": cp})
    with pytest.raises(InUseError, match="the root"):
        tree_admin.delete_node(ops, root.id)
    with pytest.raises(InUseError) as children:
        tree_admin.delete_node(ops, panel.id)
    assert (
        str(children.value) == "Panel A has nodes below it (Circuit 1): move or delete them first."
    )
    with pytest.raises(InUseError) as chargers:
        tree_admin.delete_node(ops, circuit.id)
    assert str(chargers.value) == (
        "Circuit 1 has charge points (CP-1): move them to another node or remove them first."
    )
    tree_admin.remove_member(ops, member.id)
    tree_admin.delete_node(ops, circuit.id)
    tree_admin.delete_node(ops, panel.id)
    nodes, members = tree_admin.site_tree(ops, site.id)
    assert [n.id for n in nodes] == [root.id] and members == []
    with pytest.raises(NotFoundError):
        tree_admin.delete_node(ops, panel.id)


async def test_members(
    organisation: Organisation, site_events: asyncio.Queue[NetworkEvent]
) -> None:
    org = organisation.id or 0
    ops = seed.caller(org)
    depot, yard = seed.station(org, "Depot"), seed.station(org, "Yard")
    ac = seed.charge_point(org, depot, "CP-AC")
    dc = seed.charge_point(org, depot, "CP-DC", method="DC")
    at_yard = seed.charge_point(org, yard, "CP-YARD")
    other_org = seed.organisation(None, "Other")
    theirs = seed.charge_point(other_org, seed.station(other_org, "Theirs"), "CP-THEIRS")
    site = seed.site(org, depot)
    yard_site = seed.site(org, yard, name="Yard grid")
    ((root,), _) = tree_admin.site_tree(ops, site.id)
    ((yard_root,), _) = tree_admin.site_tree(ops, yard_site.id)
    heard(site_events)

    single = tree_admin.add_member(
        ops,
        site.id,
        {"node_id": root.id, "charge_point_id": ac, "phase_rotation": "L2", "max_current_a": 16},
    )
    assert (single.identity, single.phase_rotation, single.current_type) == ("CP-AC", "L2", "AC")
    assert (single.node_name, single.max_current_a, single.fallback_current_a) == (
        "Grid connection", 16.0, 6.0,
    )  # fmt: skip
    fast = tree_admin.add_member(
        ops, site.id, {"node_id": root.id, "charge_point_id": dc, "max_current_a": 200}
    )
    assert fast.current_type == "DC"  # as the charger says
    assert heard(site_events) == [{"site_id": site.id}] * 2

    cases = {
        theirs: f"No charge point {theirs} in your organisation.",
        at_yard: "CP-YARD is not at Depot: a site feeds only its own station's chargers.",
        ac: "CP-AC is already in this site (under Grid connection).",
    }
    for cp_id, message in cases.items():
        with pytest.raises(InputError) as wrong:
            tree_admin.add_member(ops, site.id, {"node_id": root.id, "charge_point_id": cp_id})
        assert wrong.value.errors == {"charge_point_id": message}, cp_id
    tree_admin.add_member(ops, yard_site.id, {"node_id": yard_root.id, "charge_point_id": at_yard})
    with pytest.raises(InputError) as node_elsewhere:
        tree_admin.update_member(
            ops, single.id, {"node_id": yard_root.id, "fallback_current_a": 20}
        )
    assert node_elsewhere.value.errors == {
        "node_id": f"No node {yard_root.id} in this site.",
        "fallback_current_a": "The fallback may not exceed the maximum (16 A).",
    }
    with pytest.raises(InputError) as swapped:
        tree_admin.update_member(ops, single.id, {"charge_point_id": dc})
    assert "stays its charge point" in swapped.value.errors["charge_point_id"]

    panel = tree_admin.add_node(ops, site.id, {"name": "Panel A", "parent_id": root.id})
    moved = tree_admin.update_member(
        ops, single.id, {"node_id": panel.id, "min_current_a": 8, "priority": 3}
    )
    assert (moved.node_name, moved.min_current_a, moved.priority) == ("Panel A", 8.0, 3)
    assert moved.phase_rotation == "L2"  # kept
    tree_admin.remove_member(ops, fast.id)
    _, members = tree_admin.site_tree(ops, site.id)
    assert [m.identity for m in members] == ["CP-AC"]
    sub_ops = seed.caller(seed.organisation(org))
    with pytest.raises(NotFoundError):
        tree_admin.update_member(sub_ops, single.id, {"priority": 9})
    with pytest.raises(NotFoundError):
        tree_admin.site_tree(sub_ops, site.id)
