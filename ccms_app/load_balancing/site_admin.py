"""Load sites as the operator manages them: list, read, create, change, delete.

Load Balancing -> Sites and the REST API's /load-sites call these. Seeing needs
load_balancing:view, changing load_balancing:edit (checked here again; refusals are
audited). A site is one station's grid connection: one per station, owned by the station's
organisation, in the caller's scope. Creating a site creates the root of its tree (the grid
connection node) with the site's limits; the site's `limit_a`, `limit_kw` and `margin_a` are
that root's. The form is checked by `rules.site_form.check_site` (every wrong field at
once); a change is merged onto the stored values, so a partial change is checked whole.
Every change tells the controller (`site_rows.changed`: a `load_site` event after the commit).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from ccms_app.accounts.roles import Caller, InputError, require
from ccms_app.core.db import read_session, session_scope
from ccms_app.core.i18n import tr
from ccms_app.core.rows import stored_id
from ccms_app.core.types import utc_now
from ccms_app.load_balancing.models import (
    BuildingLoadReading,
    LoadAllocation,
    LoadDecision,
    LoadMember,
    LoadNode,
    LoadPlan,
    LoadPriority,
    LoadSite,
    NodeKind,
)
from ccms_app.load_balancing.rules.site_form import (
    SITE_FIELDS,
    FormError,
    SiteValues,
    check_site,
    valid_id,
)
from ccms_app.load_balancing.site_rows import (
    EDIT_PERMISSION,
    VIEW_PERMISSION,
    changed,
    form_values,
    scoped_site,
)
from ccms_app.network.models import ChargePoint, Station

OBJECT = "load_site"
ROOT_NAME = "Grid connection"


@dataclass(frozen=True)
class SiteView:
    id: int
    organisation_id: int
    station_id: int
    station_name: str
    timezone: str  # the station's: plans are read in it
    name: str
    strategy: str
    enabled: bool
    min_current_a: float
    change_threshold_a: float
    profile_validity_s: int
    meter_charge_point_id: int | None
    meter_identity: str  # "" without a meter
    meter_connector_id: int
    building_load_max_age_s: int
    limit_a: float | None  # the root node's, per phase
    limit_kw: float | None  # the root node's
    margin_a: float  # the root node's


def root_node(session: Session, site_id: int) -> LoadNode | None:
    """The site's grid connection node (the one without a parent)."""
    statement = select(LoadNode).where(
        col(LoadNode.site_id) == site_id, col(LoadNode.parent_id).is_(None)
    )
    return session.exec(statement.order_by(col(LoadNode.id))).first()


def site_views(session: Session, sites: Sequence[LoadSite]) -> list[SiteView]:
    """The sites with their station, meter and root limits (three queries for any number)."""
    ids = [stored_id(s.id) for s in sites]
    station_ids = {s.station_id for s in sites}
    meter_ids = {s.meter_charge_point_id for s in sites if s.meter_charge_point_id}
    stations = {
        st.id: st for st in session.exec(select(Station).where(col(Station.id).in_(station_ids)))
    }
    meters = dict(
        session.exec(
            select(ChargePoint.id, ChargePoint.identity).where(col(ChargePoint.id).in_(meter_ids))
        ).all()
    )
    roots = {
        node.site_id: node
        for node in session.exec(
            select(LoadNode)
            .where(col(LoadNode.site_id).in_(ids), col(LoadNode.parent_id).is_(None))
            .order_by(col(LoadNode.id).desc())
        )
    }
    views = []
    for site in sites:
        station = stations.get(site.station_id)
        root = roots.get(stored_id(site.id))
        views.append(
            SiteView(
                id=stored_id(site.id),
                organisation_id=site.organisation_id,
                station_id=site.station_id,
                station_name=station.name if station else "",
                timezone=station.timezone if station else "UTC",
                name=site.name,
                strategy=site.strategy,
                enabled=site.enabled,
                min_current_a=site.min_current_a,
                change_threshold_a=site.change_threshold_a,
                profile_validity_s=site.profile_validity_s,
                meter_charge_point_id=site.meter_charge_point_id,
                meter_identity=meters.get(site.meter_charge_point_id, ""),
                meter_connector_id=site.meter_connector_id,
                building_load_max_age_s=site.building_load_max_age_s,
                limit_a=root.limit_a if root else None,
                limit_kw=root.limit_kw if root else None,
                margin_a=root.margin_a if root else 0.0,
            )
        )
    return views


def site_view(session: Session, site: LoadSite) -> SiteView:
    return site_views(session, [site])[0]


def site_form(view: SiteView) -> dict[str, Any]:
    """The site as the form's values (what check_site takes back)."""
    return form_values(view, SITE_FIELDS)


def list_sites(caller: Caller) -> list[SiteView]:
    """The sites of the caller's scope, by name."""
    require(caller, VIEW_PERMISSION, "load_site.list", OBJECT, "")
    with read_session() as session:
        sites = session.exec(
            select(LoadSite)
            .where(col(LoadSite.organisation_id).in_(list(caller.scope())))
            .order_by(col(LoadSite.name), col(LoadSite.id))
        ).all()
        return site_views(session, sites)


def get_site(caller: Caller, site_id: int) -> SiteView:
    action = "load_site.get"
    require(caller, VIEW_PERMISSION, action, OBJECT, site_id)
    with scoped_site(caller, site_id, action, write=False) as (session, site):
        return site_view(session, site)


def _checked(
    session: Session, caller: Caller, form: Mapping[str, Any], site_id: int | None
) -> tuple[SiteValues, Station]:
    """The form's values, and the station they name; InputError naming every wrong field."""
    errors: dict[str, str] = {}
    values = None
    try:
        values = check_site(form)
    except FormError as exc:
        errors = dict(exc.errors)
    scope = caller.scope()
    station = None
    station_id = valid_id(form, "station_id")
    if station_id is not None:
        station = session.get(Station, station_id)
        if station is None or station.organisation_id not in scope:
            errors["station_id"] = tr(
                "No station {station_id} in your organisation.", station_id=station_id
            )
            station = None
        else:
            taken = session.exec(
                select(LoadSite).where(col(LoadSite.station_id) == station_id)
            ).first()
            if taken is not None and taken.id != site_id:
                errors["station_id"] = tr(
                    "Station {station} already has a load site ({taken}): a station has one "
                    "grid connection; add its charge points to that site.",
                    station=station.name,
                    taken=taken.name,
                )
    meter = valid_id(form, "meter_charge_point_id")
    if meter is not None:
        found = session.get(ChargePoint, meter)
        if found is None or found.organisation_id not in scope:
            errors["meter_charge_point_id"] = tr(
                "No charge point {meter} in your organisation.", meter=meter
            )
    if errors or values is None or station is None:
        raise InputError(errors)
    return values, station


def _apply(site: LoadSite, root: LoadNode, values: SiteValues) -> None:
    site.name, site.strategy, site.enabled = values.name, values.strategy, values.enabled
    site.min_current_a = values.min_current_a
    site.change_threshold_a = values.change_threshold_a
    site.profile_validity_s = values.profile_validity_s
    site.meter_charge_point_id = values.meter_charge_point_id
    site.meter_connector_id = values.meter_connector_id
    site.building_load_max_age_s = values.building_load_max_age_s
    site.updated_at = utc_now()
    root.limit_a, root.limit_kw = values.limits.limit_a, values.limits.limit_kw
    root.margin_a = values.limits.margin_a


def create_site(caller: Caller, data: Mapping[str, Any]) -> SiteView:
    """A new site at `data["station_id"]` with its grid connection node."""
    action = "load_site.create"
    require(caller, EDIT_PERMISSION, action, OBJECT, "")
    try:
        with session_scope() as session:
            values, station = _checked(session, caller, data, None)
            site = LoadSite(
                organisation_id=station.organisation_id,
                station_id=values.station_id,
                name=values.name,
            )
            session.add(site)
            session.flush()
            root = LoadNode(site_id=stored_id(site.id), kind=NodeKind.GRID, name=ROOT_NAME)
            _apply(site, root, values)
            session.add_all([site, root])
            session.flush()
            view = site_view(session, site)
    except IntegrityError:  # another site for the station was saved in between
        raise InputError({"station_id": tr("This station already has a load site.")}) from None
    changed(caller, view.id, action, OBJECT, view.id, f"{view.name} at {view.station_name}")
    return view


def update_site(caller: Caller, site_id: int, data: Mapping[str, Any]) -> SiteView:
    """Change a site: `data` may hold only the fields to change (the others keep theirs).
    The station stays: a site is its station's grid connection."""
    action = "load_site.update"
    require(caller, EDIT_PERMISSION, action, OBJECT, site_id)
    with scoped_site(caller, site_id, action) as (session, site):
        current = site_form(site_view(session, site))
        wanted = data.get("station_id")
        if wanted not in (None, "") and str(wanted).strip() != str(site.station_id):
            why = tr("A site stays at its station: delete it and create one at the other station.")
            raise InputError({"station_id": why})
        values, _station = _checked(session, caller, {**current, **data}, site_id)
        root = root_node(session, site_id)
        if root is None:  # a tree whose root went missing: give it one again
            root = LoadNode(site_id=site_id, kind=NodeKind.GRID, name=ROOT_NAME)
        _apply(site, root, values)
        session.add_all([site, root])
        session.flush()
        view = site_view(session, site)
    changed(caller, site_id, action, OBJECT, site_id, view.name)
    return view


def delete_site(caller: Caller, site_id: int) -> None:
    """Delete the site with its tree, members, plans, priorities, building load readings,
    decisions and allocations. The chargers keep their last profiles until they expire
    (`profile_validity_s`), then fall back to their defaults."""
    action = "load_site.delete"
    require(caller, EDIT_PERMISSION, action, OBJECT, site_id)
    with scoped_site(caller, site_id, action) as (session, site):
        name = site.name
        for model in (
            LoadAllocation, LoadDecision, BuildingLoadReading, LoadPriority, LoadPlan, LoadMember,
        ):  # fmt: skip
            table: Any = model
            session.execute(delete(table).where(col(table.site_id) == site_id))
        # Children before parents: each pass removes the leaves (a tree is a few levels deep).
        while True:
            nodes = session.exec(select(LoadNode).where(col(LoadNode.site_id) == site_id)).all()
            if not nodes:
                break
            parents = {n.parent_id for n in nodes}
            leaves = [stored_id(n.id) for n in nodes if n.id not in parents]
            if not leaves:  # a loop (never saved by tree_admin): break it first
                session.execute(
                    update(LoadNode).where(col(LoadNode.site_id) == site_id).values(parent_id=None)
                )
                continue
            session.execute(delete(LoadNode).where(col(LoadNode.id).in_(leaves)))
        session.delete(site)
    changed(caller, site_id, action, OBJECT, site_id, name)
