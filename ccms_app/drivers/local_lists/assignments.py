"""Which charge points a local list goes to: assigning it (to charge points, or to every
charge point of some stations) and unassigning it. Each charge point concerned is marked for
the next sync, which sends it the list's id tags or takes them off."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlmodel import col, delete, select

from ccms_app.accounts.organisations import organisation_scope
from ccms_app.core.db import read_session, session_scope
from ccms_app.core.i18n import tr
from ccms_app.core.rows import stored_id
from ccms_app.drivers.local_lists.lists import (
    LocalListError,
    LocalListView,
    assigned_ids,
    list_view,
    load_list,
)
from ccms_app.drivers.local_lists.marks import mark_charge_points_changed
from ccms_app.drivers.models import LocalAuthListAssignment
from ccms_app.network.models import ChargePoint, Station


@dataclass(frozen=True)
class AssignOutcome:
    charge_points: int  # charge points of the chosen stations
    newly_assigned: int


def assign_list(
    list_id: int, charge_point_ids: Collection[int], scope: Collection[int] | None = None
) -> LocalListView:
    """Send a list to charge points (of the list's organisation or its sub-operators)."""
    with session_scope() as session:
        row = load_list(session, list_id, scope)
        allowed = organisation_scope(row.organisation_id)
        cps = session.exec(
            select(ChargePoint).where(col(ChargePoint.id).in_(list(charge_point_ids)))
        ).all()
        missing = set(charge_point_ids) - {cp.id for cp in cps if cp.organisation_id in allowed}
        if missing:
            raise LocalListError(
                tr("unknown charge point(s): {map}", map=", ".join(map(str, sorted(missing))))
            )
        present = set(assigned_ids(session, list_id))
        new = [stored_id(cp.id) for cp in cps if cp.id not in present]
        for charge_point_id in new:
            session.add(LocalAuthListAssignment(list_id=list_id, charge_point_id=charge_point_id))
        mark_charge_points_changed(session, new)
        return list_view(session, row)


def unassign_list(
    list_id: int, charge_point_ids: Collection[int], scope: Collection[int] | None = None
) -> LocalListView:
    with session_scope() as session:
        row = load_list(session, list_id, scope)
        ids = [c for c in assigned_ids(session, list_id) if c in set(charge_point_ids)]
        session.exec(
            delete(LocalAuthListAssignment).where(
                col(LocalAuthListAssignment.list_id) == list_id,
                col(LocalAuthListAssignment.charge_point_id).in_(ids),
            )
        )
        mark_charge_points_changed(session, ids)
        return list_view(session, row)


def assigned_charge_point_ids(list_id: int, scope: Collection[int] | None = None) -> list[int]:
    with read_session() as session:
        load_list(session, list_id, scope)
        return sorted(assigned_ids(session, list_id))


def assign_stations(
    list_id: int, station_ids: Collection[int], scope: Collection[int] | None = None
) -> AssignOutcome:
    """Assign a list to every charge point of these stations (of the list's organisation tree)."""
    with read_session() as session:
        row = load_list(session, list_id, scope)
        allowed = organisation_scope(row.organisation_id)
        stations = session.exec(
            select(col(Station.id)).where(
                col(Station.id).in_(list(station_ids)), col(Station.organisation_id).in_(allowed)
            )
        ).all()
        missing = set(station_ids) - set(stations)
        if missing:
            raise LocalListError(
                tr("unknown station(s): {map}", map=", ".join(map(str, sorted(missing))))
            )
        charge_points = [
            stored_id(cp_id)
            for cp_id in session.exec(
                select(col(ChargePoint.id)).where(
                    col(ChargePoint.station_id).in_(list(stations)),
                    col(ChargePoint.organisation_id).in_(allowed),
                )
            ).all()
        ]
        before = len(assigned_ids(session, list_id))
    view = assign_list(list_id, charge_points, scope)
    return AssignOutcome(len(charge_points), len(view.charge_point_ids) - before)
