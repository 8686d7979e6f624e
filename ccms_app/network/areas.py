"""Operation areas: named groups of stations (a city, a region, a customer site)."""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from ccms_app.core.db import read_session, session_scope
from ccms_app.core.i18n import tr
from ccms_app.core.rows import stored_id
from ccms_app.network.assets import AssetInUse, get_scoped, invalid, owner_in_scope, publish_change
from ccms_app.network.models import OperationArea, Station
from ccms_app.network.rules.asset_validation import validate_area

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AreaView:
    id: int
    organisation_id: int
    name: str
    station_count: int


def _view(session: Session, area: OperationArea) -> AreaView:
    area_id = stored_id(area.id)
    count = session.exec(select(func.count()).where(col(Station.area_id) == area_id)).one()
    return AreaView(area_id, area.organisation_id, area.name, int(count))


def _check_unique(session: Session, organisation_id: int, name: str, area_id: int | None) -> None:
    query = select(OperationArea.id).where(
        OperationArea.organisation_id == organisation_id,
        func.lower(OperationArea.name) == name.lower(),
    )
    if area_id is not None:
        query = query.where(OperationArea.id != area_id)
    if session.exec(query).first() is not None:
        raise invalid({"name": _name_taken(name)}, "Area")


def get_area(scope: Collection[int], area_id: int) -> AreaView:
    with read_session() as session:
        return _view(session, get_scoped(session, OperationArea, area_id, scope))


def area_choices(scope: Collection[int]) -> list[tuple[int, str]]:
    """(id, name) of every area in scope, by name: the options of an area select."""
    with read_session() as session:
        rows = session.exec(
            select(col(OperationArea.id), OperationArea.name)
            .where(col(OperationArea.organisation_id).in_(list(scope)))
            .order_by(col(OperationArea.name), col(OperationArea.id))
        ).all()
    return [(stored_id(i), n) for i, n in rows]


def create_area(
    scope: Collection[int], organisation_id: int | None, data: Mapping[str, str]
) -> AreaView:
    fields, errors = validate_area(data)
    if errors:
        raise invalid(errors, "Area")
    try:
        with session_scope() as session:
            owner = owner_in_scope(session, organisation_id, scope, "organisation_id")
            _check_unique(session, owner, fields.name, None)
            area = OperationArea(organisation_id=owner, name=fields.name)
            session.add(area)
            session.flush()
            view = _view(session, area)
    except IntegrityError as exc:  # a name SQLite's lower() does not fold, or two saves at once
        raise invalid({"name": _name_taken(fields.name)}, "Area") from exc
    log.info("area created", extra={"area_id": view.id, "organisation_id": owner})
    publish_change("area")
    return view


def update_area(
    scope: Collection[int],
    area_id: int,
    data: Mapping[str, str],
    organisation_id: int | None = None,
) -> AreaView:
    """Rename (and optionally re-own within scope) an area; None keeps the owner."""
    fields, errors = validate_area(data)
    if errors:
        raise invalid(errors, "Area")
    try:
        with session_scope() as session:
            area = get_scoped(session, OperationArea, area_id, scope)
            owner = area.organisation_id
            if organisation_id is not None:
                owner = owner_in_scope(session, organisation_id, scope, "organisation_id")
            _check_unique(session, owner, fields.name, area_id)
            area.name, area.organisation_id = fields.name, owner
            session.add(area)
            session.flush()
            view = _view(session, area)
    except IntegrityError as exc:  # a name SQLite's lower() does not fold, or two saves at once
        raise invalid({"name": _name_taken(fields.name)}, "Area") from exc
    publish_change("area")
    return view


def delete_area(scope: Collection[int], area_id: int) -> None:
    """Delete an area with no stations; stations must be moved out (or deleted) first."""
    with session_scope() as session:
        area = get_scoped(session, OperationArea, area_id, scope)
        count = _view(session, area).station_count
        if count:
            in_use = (
                tr(
                    "Area {name} still has 1 station: move them to another area first",
                    name=repr(area.name),
                )
                if count == 1
                else tr(
                    "Area {name} still has {count} stations: move them to another area first",
                    name=repr(area.name),
                    count=count,
                )
            )
            raise AssetInUse(in_use, alternative="move stations")
        session.delete(area)
    log.info("area deleted", extra={"area_id": area_id})
    publish_change("area")


def _name_taken(name: str) -> str:
    return tr("An area named {name} already exists", name=repr(name))
