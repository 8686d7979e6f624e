"""Charge points as the operator maintains them: details, connector list, delete.

The usage state (`enabled`, enable / disable) is in network.charge_point_usage.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import delete, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, col, select

from ccms_app.accounts import licences
from ccms_app.charging.models import ChargingSession
from ccms_app.core.db import read_session, session_scope
from ccms_app.core.i18n import tr
from ccms_app.core.rows import stored_id
from ccms_app.network.assets import (
    AssetError,
    AssetInUse,
    AssetNotFound,
    get_scoped,
    invalid,
    owner_in_scope,
    publish_change,
)
from ccms_app.network.models import ChargePoint, Connector, RegistrationState, Station
from ccms_app.network.rules.asset_validation import (
    ChargePointFields,
    ConnectorFields,
    validate_charge_point,
    validate_connectors,
)

log = logging.getLogger(__name__)

DETAIL_FIELDS = (
    "vendor",
    "model",
    "serial_number",
    "firmware_version",
    "min_power_w",
    "max_power_w",
    "min_voltage_v",
    "max_voltage_v",
    "phases",
    "charging_method",
)


@dataclass(frozen=True)
class ConnectorView:
    connector_id: int
    connector_type: str
    max_power_w: int | None
    status: str


@dataclass(frozen=True)
class ChargePointView:
    id: int
    identity: str
    organisation_id: int
    station_id: int | None
    station: str
    vendor: str
    model: str
    serial_number: str
    firmware_version: str
    min_power_w: int | None
    max_power_w: int | None
    min_voltage_v: int | None
    max_voltage_v: int | None
    phases: int | None
    charging_method: str
    enabled: bool
    registration_state: str
    online: bool
    connectors: tuple[ConnectorView, ...]

    def form(self) -> dict[str, str]:
        """The charge point as an edit form's strings (powers in kW)."""
        return {
            "identity": self.identity,
            "vendor": self.vendor,
            "model": self.model,
            "serial_number": self.serial_number,
            "firmware_version": self.firmware_version,
            "min_power_kw": kw_text(self.min_power_w),
            "max_power_kw": kw_text(self.max_power_w),
            "min_voltage_v": _text(self.min_voltage_v),
            "max_voltage_v": _text(self.max_voltage_v),
            "phases": _text(self.phases),
            "charging_method": self.charging_method or "AC",
            "station_id": _text(self.station_id),
            "organisation_id": str(self.organisation_id),
        }

    def connector_forms(self) -> list[dict[str, str]]:
        return [
            {
                "connector_id": str(c.connector_id),
                "connector_type": c.connector_type,
                "max_power_kw": kw_text(c.max_power_w),
            }
            for c in self.connectors
        ]


def kw_text(watts: int | None) -> str:
    return "" if watts is None else f"{watts / 1000:g}"


def _text(value: int | None) -> str:
    return "" if value is None else str(value)


# --- read -------------------------------------------------------------------------------


def _view(session: Session, cp: ChargePoint) -> ChargePointView:
    station = session.get(Station, cp.station_id) if cp.station_id else None
    connectors = session.exec(
        select(Connector)
        .where(col(Connector.charge_point_id) == cp.id)
        .order_by(col(Connector.connector_id))
    ).all()
    return ChargePointView(
        id=stored_id(cp.id),
        identity=cp.identity,
        organisation_id=cp.organisation_id,
        station_id=cp.station_id,
        station=station.name if station else "",
        enabled=cp.enabled,
        registration_state=cp.registration_state,
        online=cp.is_online,
        connectors=tuple(
            ConnectorView(c.connector_id, c.connector_type, c.max_power_w, c.status)
            for c in connectors
        ),
        **{name: getattr(cp, name) for name in DETAIL_FIELDS},
    )


def get_charge_point(scope: Collection[int], charge_point_id: int) -> ChargePointView:
    with read_session() as session:
        return _view(session, get_scoped(session, ChargePoint, charge_point_id, scope))


def find_by_identity(scope: Collection[int], identity: str) -> ChargePointView:
    with read_session() as session:
        cp = session.exec(select(ChargePoint).where(ChargePoint.identity == identity)).first()
        if cp is None or cp.organisation_id not in scope:
            raise AssetNotFound(tr("Charge point {identity} does not exist", identity=identity))
        return _view(session, cp)


# --- create and edit --------------------------------------------------------------------


def create_charge_point(
    scope: Collection[int],
    data: Mapping[str, str],
    connectors: Sequence[Mapping[str, str]],
    station_id: int | None,
    organisation_id: int | None = None,
) -> ChargePointView:
    """A registered charge point at a station; the owner defaults to the station's."""
    fields, errors = validate_charge_point(data)
    connector_fields, connector_errors = validate_connectors(
        connectors, fields.max_power_w, fields.charging_method
    )
    errors |= connector_errors
    with session_scope() as session:
        station = _station(session, scope, station_id, errors)
        owner = _owner(session, scope, organisation_id, station, errors)
        _check_identity_free(session, fields.identity, None, errors)
        if errors:
            raise invalid(errors, "Charge point")
        assert station is not None and owner is not None
        _check_licence(session, owner, 1, len(connector_fields))
        cp = ChargePoint(
            identity=fields.identity,
            organisation_id=owner,
            station_id=station.id,
            registration_state=RegistrationState.REGISTERED,
        )
        _apply(cp, fields)
        session.add(cp)
        session.flush()
        _save_connectors(session, cp, connector_fields)
        view = _view(session, cp)
    log.info("charge point created", extra={"identity": view.identity, "cp": view.id})
    publish_change("charge point", view.id, view.identity)
    return view


def update_charge_point(
    scope: Collection[int],
    charge_point_id: int,
    data: Mapping[str, str],
    connectors: Sequence[Mapping[str, str]],
    station_id: int | None,
    organisation_id: int | None = None,
) -> ChargePointView:
    """Edit details, station, owner (in scope) and the connector list (replaced as given:
    missing connectors are removed unless sessions refer to them)."""
    fields, errors = validate_charge_point(data)
    connector_fields, connector_errors = validate_connectors(
        connectors, fields.max_power_w, fields.charging_method
    )
    errors |= connector_errors
    with session_scope() as session:
        cp = get_scoped(session, ChargePoint, charge_point_id, scope)
        station = _station(session, scope, station_id, errors)
        owner = _owner(session, scope, organisation_id, station, errors, cp.organisation_id)
        _check_identity_free(session, fields.identity, cp.id, errors)
        if fields.identity != cp.identity and cp.is_online and "identity" not in errors:
            errors["identity"] = tr(
                "The identity can only change while the charge point is offline "
                "(it is the name it connects with)"
            )
        if errors:
            raise invalid(errors, "Charge point")
        assert station is not None and owner is not None
        _check_licence_change(session, cp, owner, len(connector_fields))
        cp.identity, cp.station_id = fields.identity, station.id
        _apply(cp, fields)
        _set_owner(session, cp, owner)
        session.add(cp)
        session.flush()
        _save_connectors(session, cp, connector_fields)
        view = _view(session, cp)
    publish_change("charge point", view.id, view.identity)
    return view


def set_connectors(
    scope: Collection[int], charge_point_id: int, connectors: Sequence[Mapping[str, str]]
) -> ChargePointView:
    """Replace a charge point's connector list (add, edit and remove connectors)."""
    with session_scope() as session:
        cp = get_scoped(session, ChargePoint, charge_point_id, scope)
        fields, errors = validate_connectors(connectors, cp.max_power_w, cp.charging_method)
        if errors:
            raise invalid(errors, "Connectors")
        _check_licence_change(session, cp, cp.organisation_id, len(fields), "Connectors")
        _save_connectors(session, cp, fields)
        view = _view(session, cp)
    publish_change("connectors", view.id, view.identity)
    return view


def _check_licence(
    session: Session, owner: int, adding: int, connectors: int, what: str = "Charge point"
) -> None:
    """Refused past the owner's licence (in this write transaction: no race for the last
    place). The message names the licence's numbers; it also sits under the owner field."""
    refusal = licences.refusal_in(session, owner, adding, connectors)
    if refusal:
        message = (
            tr("Connectors not saved. {refusal}", refusal=refusal)
            if what == "Connectors"
            else tr("Charge point not saved. {refusal}", refusal=refusal)
        )
        raise AssetError(message, {"organisation_id": refusal})


def _check_licence_change(
    session: Session, cp: ChargePoint, owner: int, connectors: int, what: str = "Charge point"
) -> None:
    """An edit that gives a registered charge point to another owner registers it there (with
    its connectors); one that adds connectors takes more of its owner's connector places."""
    if cp.registration_state == RegistrationState.UNREGISTERED:
        return  # counts for nobody until it is registered
    if owner != cp.organisation_id:
        _check_licence(session, owner, 1, connectors, what)
        return
    have = session.exec(
        select(func.count(col(Connector.id))).where(Connector.charge_point_id == cp.id)
    ).one()
    if connectors > have:
        _check_licence(session, owner, 0, connectors - have, what)


def _apply(cp: ChargePoint, fields: ChargePointFields) -> None:
    for name in DETAIL_FIELDS:
        setattr(cp, name, getattr(fields, name))


def _station(
    session: Session, scope: Collection[int], station_id: int | None, errors: dict[str, str]
) -> Station | None:
    station = session.get(Station, station_id) if station_id is not None else None
    if station is None or station.organisation_id not in scope:
        errors.setdefault("station_id", tr("Choose the station the charge point stands at"))
        return None
    return station


def _owner(
    session: Session,
    scope: Collection[int],
    organisation_id: int | None,
    station: Station | None,
    errors: dict[str, str],
    current: int | None = None,
) -> int | None:
    """The chosen owner (in scope); else the current one; else the station's."""
    if organisation_id is None:
        return current if current is not None else (station.organisation_id if station else None)
    try:
        return owner_in_scope(session, organisation_id, scope, "organisation_id")
    except AssetError as exc:
        errors.update(exc.errors)
        return None


def _check_identity_free(
    session: Session, identity: str, charge_point_id: int | None, errors: dict[str, str]
) -> None:
    if not identity or "identity" in errors:
        return
    query = select(ChargePoint.id).where(func.lower(ChargePoint.identity) == identity.lower())
    if charge_point_id is not None:
        query = query.where(ChargePoint.id != charge_point_id)
    if session.exec(query).first() is not None:
        errors["identity"] = tr(
            "The identity {identity} is already in use", identity=repr(identity)
        )


def _set_owner(session: Session, cp: ChargePoint, owner: int) -> None:
    if cp.organisation_id == owner:
        return
    cp.organisation_id = owner
    for connector in session.exec(select(Connector).where(Connector.charge_point_id == cp.id)):
        connector.organisation_id = owner
        session.add(connector)


def _save_connectors(session: Session, cp: ChargePoint, wanted: Sequence[ConnectorFields]) -> None:
    existing = {
        c.connector_id: c
        for c in session.exec(select(Connector).where(Connector.charge_point_id == cp.id))
    }
    by_id = {c.connector_id: c for c in wanted}
    for connector_id, connector in existing.items():
        if connector_id not in by_id:
            _remove_connector(session, connector)
    for connector_id, fields in by_id.items():
        row = existing.get(connector_id) or Connector(
            charge_point_id=stored_id(cp.id),
            organisation_id=cp.organisation_id,
            connector_id=connector_id,
        )
        row.connector_type = fields.connector_type
        row.max_power_w = fields.max_power_w
        session.add(row)
    session.flush()


def _remove_connector(session: Session, connector: Connector) -> None:
    used = session.exec(
        select(func.count()).where(ChargingSession.connector_pk == connector.id)
    ).one()
    if used:
        raise AssetInUse(
            tr(
                "Connector {connector_id} has charging sessions and cannot be removed",
                connector_id=connector.connector_id,
            ),
            alternative="keep",
        )
    session.delete(connector)


# --- delete -----------------------------------------------------------------------------


def delete_charge_point(scope: Collection[int], charge_point_id: int) -> None:
    """Delete a charge point that never charged, with its own records (connectors, status
    history, configuration, commands ...). One with sessions is refused: disable it instead,
    so its sessions keep their charge point for billing and history."""
    try:
        with session_scope() as session:
            cp = get_scoped(session, ChargePoint, charge_point_id, scope)
            sessions = session.exec(
                select(func.count()).where(ChargingSession.charge_point_id == cp.id)
            ).one()
            if sessions:
                in_use = (
                    tr(
                        "Charge point {identity} has 1 charging session and cannot be "
                        "deleted; disable it to take it out of service",
                        identity=cp.identity,
                    )
                    if sessions == 1
                    else tr(
                        "Charge point {identity} has {sessions} charging sessions and cannot be "
                        "deleted; disable it to take it out of service",
                        identity=cp.identity,
                        sessions=sessions,
                    )
                )
                raise AssetInUse(in_use, alternative="disable")
            identity = cp.identity
            _delete_dependents(session, charge_point_id)
            session.delete(cp)
    except IntegrityError as exc:
        raise AssetInUse(
            tr("Other records still refer to this charge point; disable it instead"),
            alternative="disable",
        ) from exc
    log.info("charge point deleted", extra={"identity": identity, "cp": charge_point_id})
    publish_change("charge point deleted")


def _delete_dependents(session: Session, charge_point_id: int) -> None:
    """Rows of every table that refers to the charge point, dependents first."""
    for table in reversed(SQLModel.metadata.sorted_tables):
        if table.name in ("charge_point", "charging_session"):
            continue
        for fk in table.foreign_keys:
            if fk.column.table.name == "charge_point":
                session.execute(delete(table).where(fk.parent == charge_point_id))
    session.flush()
