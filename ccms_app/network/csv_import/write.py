"""Writing a checked plan, inside the caller's transaction. Creations go in bulk inserts."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert
from sqlmodel import Session, col

from ccms_app.core.types import utc_now
from ccms_app.network.csv_import.plan import ChargePointRow, Plan
from ccms_app.network.models import ChargePoint, Connector, Station


def write_plan(session: Session, plan: Plan) -> None:
    """Create and update the plan's stations, then its charge points and their connectors."""
    created_stations = _write_stations(session, plan)
    _write_charge_points(session, plan, created_stations)


def _write_stations(session: Session, plan: Plan) -> dict[str, int]:
    """Create and update stations; the ids of the created ones by name."""
    now = utc_now()
    new = [r for r in plan.stations if r.existing is None]
    created: dict[str, int] = {}
    if new:
        rows = [
            {**r.changes, "organisation_id": plan.organisation_id, "created_at": now} for r in new
        ]
        result = session.execute(
            insert(Station).returning(col(Station.id), col(Station.name)), rows
        )
        created = {name: station_id for station_id, name in result.all() if station_id is not None}
    for row in plan.stations:
        if row.existing is not None and row.changes:
            for key, value in row.changes.items():
                setattr(row.existing, key, value)
            session.add(row.existing)
    session.flush()
    return created


def _write_charge_points(session: Session, plan: Plan, created_stations: dict[str, int]) -> None:
    now = utc_now()
    new = [r for r in plan.charge_points if r.existing is None]
    ids: dict[str, int] = {}
    if new:
        rows = [
            {
                **r.values,
                "identity": r.identity,
                "station_id": r.values["station_id"] or created_stations[r.station_name],
                "created_at": now,
            }
            for r in new
        ]
        result = session.execute(
            insert(ChargePoint).returning(col(ChargePoint.id), col(ChargePoint.identity)), rows
        )
        ids = {identity: cp_id for cp_id, identity in result.all() if cp_id is not None}
    for row in plan.charge_points:
        if row.existing is not None and row.changes:
            _update_charge_point(session, row.existing, row, created_stations)
    session.flush()
    _write_connectors(session, plan, ids)


def _update_charge_point(
    session: Session, cp: ChargePoint, row: ChargePointRow, created_stations: dict[str, int]
) -> None:
    """Apply the row's changes; a charge point that changes owner takes its connectors along."""
    changes = dict(row.changes)
    if "station_id" in changes and changes["station_id"] is None:
        changes["station_id"] = created_stations[row.station_name]
    for key, value in changes.items():
        setattr(cp, key, value)
    session.add(cp)
    if "organisation_id" in changes:
        for connector in row.current_connectors.values():
            connector.organisation_id = cp.organisation_id
            session.add(connector)


def _write_connectors(session: Session, plan: Plan, new_ids: dict[str, int]) -> None:
    inserts: list[dict[str, Any]] = []
    for row in plan.charge_points:
        if not row.connector_changes:
            continue
        cp_id = row.existing.id if row.existing is not None else new_ids[row.identity]
        owner = (
            row.existing.organisation_id
            if row.existing is not None
            else row.values["organisation_id"]
        )
        for wanted in row.connector_changes:
            connector = row.current_connectors.get(wanted.connector_id)
            if connector is None:
                inserts.append(
                    {
                        "organisation_id": owner,
                        "charge_point_id": cp_id,
                        "connector_id": wanted.connector_id,
                        "connector_type": wanted.connector_type,
                        "max_power_w": wanted.max_power_w,
                    }
                )
            else:
                connector.connector_type = wanted.connector_type
                connector.max_power_w = wanted.max_power_w
                session.add(connector)
    if inserts:
        session.execute(insert(Connector), inserts)
