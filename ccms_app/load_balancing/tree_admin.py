"""A load site's electrical tree as the operator edits it: nodes (panels, circuits) and the
charge points hanging under them (members).

The root is the grid connection, made with the site (`site_admin`): it is changed here like
any node but never moved under another or deleted. Every other node hangs under a node of
the same site, never under its own branch; a node with nodes or charge points below it is
not deleted (the message names them). A member is a charge point of the caller's scope at
the site's station, in one site at most, with its phase wiring (`rules.wiring`) and current
bounds (`rules.site_form.check_member`). A child's limit may exceed its parent's: the
parent's still counts for everything below it. load_balancing:edit to change; every change
tells the controller.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from ccms_app.accounts.roles import Caller, InputError, require
from ccms_app.core.i18n import tr
from ccms_app.core.rows import stored_id
from ccms_app.load_balancing.models import LoadAllocation, LoadMember, LoadNode, LoadSite
from ccms_app.load_balancing.rules.site_form import (
    MEMBER_FIELDS,
    NODE_FIELDS,
    FormError,
    MemberValues,
    NodeValues,
    check_member,
    check_node,
    valid_id,
)
from ccms_app.load_balancing.site_rows import (
    EDIT_PERMISSION,
    VIEW_PERMISSION,
    InUseError,
    changed,
    form_values,
    scoped_part,
    scoped_site,
)
from ccms_app.network.models import ChargePoint, Station

NODE, MEMBER = "load_node", "load_member"


@dataclass(frozen=True)
class NodeView:
    id: int
    site_id: int
    parent_id: int | None
    kind: str
    name: str
    limit_a: float | None
    limit_kw: float | None
    margin_a: float
    position: int
    depth: int  # 0: the root


@dataclass(frozen=True)
class MemberView:
    id: int
    site_id: int
    node_id: int
    node_name: str
    charge_point_id: int
    identity: str
    phase_rotation: str
    current_type: str
    min_current_a: float | None  # None: the site's minimum
    max_current_a: float
    fallback_current_a: float
    priority: int


def _depth_first(nodes: Sequence[LoadNode]) -> list[NodeView]:
    """Parents before their children, siblings by position; a node whose parent is missing
    (never saved so) comes last, at depth 0."""
    children: dict[int | None, list[LoadNode]] = {}
    for node in nodes:
        children.setdefault(node.parent_id, []).append(node)
    for group in children.values():
        group.sort(key=lambda n: (n.position, stored_id(n.id)))
    ordered: list[NodeView] = []
    seen: set[int] = set()
    stack = [(n, 0) for n in reversed(children.get(None, []))]
    while stack:
        node, depth = stack.pop()
        seen.add(stored_id(node.id))
        ordered.append(_node_view(node, depth))
        stack += [(c, depth + 1) for c in reversed(children.get(node.id, []))]
    ordered += [_node_view(n, 0) for n in nodes if n.id not in seen]
    return ordered


def _node_view(node: LoadNode, depth: int) -> NodeView:
    return NodeView(
        id=stored_id(node.id),
        site_id=node.site_id,
        parent_id=node.parent_id,
        kind=node.kind,
        name=node.name,
        limit_a=node.limit_a,
        limit_kw=node.limit_kw,
        margin_a=node.margin_a,
        position=node.position,
        depth=depth,
    )


def _member_views(session: Session, members: Sequence[LoadMember]) -> list[MemberView]:
    node_ids = {m.node_id for m in members}
    cp_ids = {m.charge_point_id for m in members}
    names = dict(
        session.exec(select(LoadNode.id, LoadNode.name).where(col(LoadNode.id).in_(node_ids))).all()
    )
    identities = dict(
        session.exec(
            select(ChargePoint.id, ChargePoint.identity).where(col(ChargePoint.id).in_(cp_ids))
        ).all()
    )
    return [
        MemberView(
            id=stored_id(m.id),
            site_id=m.site_id,
            node_id=m.node_id,
            node_name=names.get(m.node_id, ""),
            charge_point_id=m.charge_point_id,
            identity=identities.get(m.charge_point_id, ""),
            phase_rotation=m.phase_rotation,
            current_type=m.current_type,
            min_current_a=m.min_current_a,
            max_current_a=m.max_current_a,
            fallback_current_a=m.fallback_current_a,
            priority=m.priority,
        )
        for m in members
    ]


def site_tree(caller: Caller, site_id: int) -> tuple[list[NodeView], list[MemberView]]:
    """The site's nodes depth-first, and its members by charge point identity."""
    action = "load_site.tree"
    require(caller, VIEW_PERMISSION, action, NODE, site_id)
    with scoped_site(caller, site_id, action, write=False) as (session, _site):
        nodes = session.exec(select(LoadNode).where(col(LoadNode.site_id) == site_id)).all()
        members = session.exec(select(LoadMember).where(col(LoadMember.site_id) == site_id)).all()
        views = _member_views(session, members)
    return _depth_first(nodes), sorted(views, key=lambda m: (m.identity, m.id))


# --- nodes ------------------------------------------------------------------------------------


def _node_form(node: LoadNode) -> dict[str, Any]:
    return form_values(node, NODE_FIELDS)


def _checked_node(
    session: Session, site: LoadSite, form: Mapping[str, Any], node: LoadNode | None
) -> NodeValues:
    """The node's values; its parent a node of this site and not in its own branch."""
    root = node is not None and node.parent_id is None
    errors: dict[str, str] = {}
    values = None
    try:
        values = check_node(form, root)
    except FormError as exc:
        errors = dict(exc.errors)
    parent_id = None if root else valid_id(form, "parent_id")
    if parent_id is not None:
        parent = session.get(LoadNode, parent_id)
        if parent is None or parent.site_id != site.id:
            errors["parent_id"] = tr("No node {parent_id} in this site.", parent_id=parent_id)
        elif node is not None:
            above: LoadNode | None = parent
            while above is not None:  # walk up from the new parent: is the node itself there?
                if above.id == node.id:
                    errors["parent_id"] = tr(
                        "{parent} is in {node}'s own branch: a node cannot hang under itself.",
                        parent=parent.name,
                        node=node.name,
                    )
                    break
                above = session.get(LoadNode, above.parent_id) if above.parent_id else None
    if errors or values is None:
        raise InputError(errors)
    return values


def _apply_node(node: LoadNode, values: NodeValues) -> None:
    node.name, node.kind, node.parent_id = values.name, values.kind, values.parent_id
    node.limit_a, node.limit_kw = values.limits.limit_a, values.limits.limit_kw
    node.margin_a = values.limits.margin_a
    if values.position is not None:
        node.position = values.position


def add_node(caller: Caller, site_id: int, data: Mapping[str, Any]) -> NodeView:
    """A new panel or circuit under `data["parent_id"]` (last among its siblings unless a
    position is given)."""
    action = "load_node.create"
    require(caller, EDIT_PERMISSION, action, NODE, "")
    with scoped_site(caller, site_id, action) as (session, site):
        values = _checked_node(session, site, data, None)
        node = LoadNode(site_id=site_id, name=values.name)
        _apply_node(node, values)
        if values.position is None:
            last = session.exec(
                select(func.max(col(LoadNode.position))).where(
                    col(LoadNode.parent_id) == values.parent_id
                )
            ).one()
            node.position = 0 if last is None else int(last) + 1
        session.add(node)
        session.flush()
        view = _node_view(node, 0)
    changed(caller, site_id, action, NODE, view.id, view.name)
    return view


def update_node(caller: Caller, node_id: int, data: Mapping[str, Any]) -> NodeView:
    """Change a node (only the fields given): rename, re-limit, move under another node."""
    action = "load_node.update"
    require(caller, EDIT_PERMISSION, action, NODE, node_id)
    with scoped_part(caller, LoadNode, node_id, action, "load node") as (session, node, site):
        values = _checked_node(session, site, {**_node_form(node), **data}, node)
        _apply_node(node, values)
        session.add(node)
        session.flush()
        view = _node_view(node, 0)
    changed(caller, view.site_id, action, NODE, node_id, view.name)
    return view


def delete_node(caller: Caller, node_id: int) -> None:
    """Delete an empty panel or circuit; InUseError for the root or a node with something
    below it."""
    action = "load_node.delete"
    require(caller, EDIT_PERMISSION, action, NODE, node_id)
    with scoped_part(caller, LoadNode, node_id, action, "load node") as (session, node, _site):
        if node.parent_id is None:
            raise InUseError(
                tr(
                    "{node} is the site's grid connection (the root): delete the site instead.",
                    node=node.name,
                )
            )
        below = session.exec(select(LoadNode.name).where(col(LoadNode.parent_id) == node_id)).all()
        if below:
            raise InUseError(
                tr(
                    "{node} has nodes below it ({names}): move or delete them first.",
                    node=node.name,
                    names=_names(below),
                )
            )
        members = session.exec(
            select(ChargePoint.identity)
            .join(LoadMember, col(LoadMember.charge_point_id) == ChargePoint.id)
            .where(col(LoadMember.node_id) == node_id)
        ).all()
        if members:
            raise InUseError(
                tr(
                    "{node} has charge points ({names}): move them to another node or remove "
                    "them first.",
                    node=node.name,
                    names=_names(members),
                )
            )
        site_id, name = node.site_id, node.name
        session.delete(node)
    changed(caller, site_id, action, NODE, node_id, name)


def _names(names: Sequence[str], most: int = 5) -> str:
    shown = ", ".join(sorted(names)[:most])
    if len(names) <= most:
        return shown
    return tr("{names} and {count} more", names=shown, count=len(names) - most)


# --- members ----------------------------------------------------------------------------------


def _member_form(member: LoadMember) -> dict[str, Any]:
    return form_values(member, MEMBER_FIELDS)


def _checked_member(
    session: Session, caller: Caller, site: LoadSite, form: Mapping[str, Any], member_id: int | None
) -> MemberValues:
    """The member's values: its node in this site; its charge point in scope, at the site's
    station and in no other site."""
    errors: dict[str, str] = {}
    values = None
    try:
        values = check_member(form)
    except FormError as exc:
        errors = dict(exc.errors)
    node_id, cp_id = valid_id(form, "node_id"), valid_id(form, "charge_point_id")
    if node_id is not None:
        node = session.get(LoadNode, node_id)
        if node is None or node.site_id != site.id:
            errors["node_id"] = tr("No node {node_id} in this site.", node_id=node_id)
    if cp_id is not None:
        problem = _charge_point_problem(session, caller, site, cp_id, member_id)
        if problem:
            errors["charge_point_id"] = problem
    if errors or values is None:
        raise InputError(errors)
    return values


def _charge_point_problem(
    session: Session, caller: Caller, site: LoadSite, cp_id: int, member_id: int | None
) -> str:
    cp = session.get(ChargePoint, cp_id)
    if cp is None or cp.organisation_id not in caller.scope():
        return tr("No charge point {id} in your organisation.", id=cp_id)
    if cp.station_id != site.station_id:
        station = session.get(Station, site.station_id)
        where = station.name if station else tr("station {id}", id=site.station_id)
        return tr(
            "{charge_point} is not at {station}: a site feeds only its own station's chargers.",
            charge_point=cp.identity,
            station=where,
        )
    taken = session.exec(select(LoadMember).where(col(LoadMember.charge_point_id) == cp_id)).first()
    if taken is None or taken.id == member_id:
        return ""
    if taken.site_id == site.id:
        node = session.get(LoadNode, taken.node_id)
        return tr(
            "{charge_point} is already in this site (under {node}).",
            charge_point=cp.identity,
            node=node.name if node else "?",
        )
    other = session.get(LoadSite, taken.site_id)
    return tr(
        "{charge_point} is already in load site {site}.",
        charge_point=cp.identity,
        site=other.name if other else taken.site_id,
    )


def _apply_member(member: LoadMember, values: MemberValues) -> None:
    member.node_id = values.node_id
    member.phase_rotation, member.current_type = values.phase_rotation, values.current_type
    member.min_current_a, member.max_current_a = values.min_current_a, values.max_current_a
    member.fallback_current_a, member.priority = values.fallback_current_a, values.priority


def add_member(caller: Caller, site_id: int, data: Mapping[str, Any]) -> MemberView:
    """Hang a charge point under a node (AC or DC as the charge point says, unless given)."""
    action = "load_member.create"
    require(caller, EDIT_PERMISSION, action, MEMBER, "")
    try:
        with scoped_site(caller, site_id, action) as (session, site):
            form = dict(data)
            if form.get("current_type") in (None, "") and form.get("charge_point_id"):
                cp = _get_charge_point(session, form["charge_point_id"])
                form["current_type"] = cp.charging_method if cp else "AC"
            values = _checked_member(session, caller, site, form, None)
            member = LoadMember(
                site_id=site_id, node_id=values.node_id, charge_point_id=values.charge_point_id
            )
            _apply_member(member, values)
            session.add(member)
            session.flush()
            (view,) = _member_views(session, [member])
    except IntegrityError:  # the charge point joined a site in between
        raise InputError(
            {"charge_point_id": tr("The charge point is already in a site.")}
        ) from None
    changed(caller, site_id, action, MEMBER, view.id, view.identity)
    return view


def _get_charge_point(session: Session, raw: Any) -> ChargePoint | None:
    try:
        return session.get(ChargePoint, int(str(raw).strip()))
    except (ValueError, OverflowError):
        return None


def update_member(caller: Caller, member_id: int, data: Mapping[str, Any]) -> MemberView:
    """Change a member (only the fields given): another node, wiring, bounds, priority. The
    charge point stays (remove the member and add the other)."""
    action = "load_member.update"
    require(caller, EDIT_PERMISSION, action, MEMBER, member_id)
    what = "load member"
    with scoped_part(caller, LoadMember, member_id, action, what) as (session, member, site):
        wanted = data.get("charge_point_id")
        if wanted not in (None, "") and str(wanted).strip() != str(member.charge_point_id):
            why = tr("A member stays its charge point: remove it and add the other charge point.")
            raise InputError({"charge_point_id": why})
        form = {**_member_form(member), **data, "charge_point_id": member.charge_point_id}
        values = _checked_member(session, caller, site, form, member_id)
        _apply_member(member, values)
        session.add(member)
        session.flush()
        (view,) = _member_views(session, [member])
    changed(caller, view.site_id, action, MEMBER, member_id, view.identity)
    return view


def remove_member(caller: Caller, member_id: int) -> None:
    """Take the charge point out of the site: it keeps its last profile until that expires,
    then charges at its own default."""
    action = "load_member.delete"
    require(caller, EDIT_PERMISSION, action, MEMBER, member_id)
    what = "load member"
    with scoped_part(caller, LoadMember, member_id, action, what) as (session, member, _site):
        site_id, cp_id = member.site_id, member.charge_point_id
        session.execute(  # what its connectors were given is no longer this site's business
            delete(LoadAllocation).where(
                col(LoadAllocation.site_id) == site_id, col(LoadAllocation.charge_point_id) == cp_id
            )
        )
        session.delete(member)
    changed(caller, site_id, action, MEMBER, member_id, f"charge point {cp_id}")
