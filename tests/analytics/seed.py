"""Rows for analytics tests, written straight to the database: areas, stations in a zone,
charge points, ended and running sessions with their final costs and register readings."""

from __future__ import annotations

from datetime import datetime

from ccms_app.charging.models import ChargingSession, MeterSample, SessionStatus
from ccms_app.charging.rules.metering import ENERGY_REGISTER
from ccms_app.core.db import session_scope
from ccms_app.finance.models import CostState, SessionCost
from ccms_app.network.models import ChargePoint, OperationArea, RegistrationState, Station


def area(organisation_id: int, name: str = "North") -> int:
    with session_scope() as s:
        row = OperationArea(organisation_id=organisation_id, name=name)
        s.add(row)
        s.flush()
        return int(row.id or 0)


def station(
    organisation_id: int,
    name: str = "Depot",
    timezone: str = "Europe/Berlin",
    area_id: int | None = None,
) -> int:
    with session_scope() as s:
        row = Station(
            organisation_id=organisation_id, name=name, timezone=timezone, area_id=area_id
        )
        s.add(row)
        s.flush()
        return int(row.id or 0)


def charge_point(organisation_id: int, station_id: int | None, identity: str) -> int:
    with session_scope() as s:
        row = ChargePoint(
            organisation_id=organisation_id,
            station_id=station_id,
            identity=identity,
            registration_state=RegistrationState.REGISTERED,
            is_online=True,
        )
        s.add(row)
        s.flush()
        return int(row.id or 0)


def charging_session(
    organisation_id: int,
    charge_point_id: int,
    start: datetime,
    stop: datetime | None,
    energy_wh: int,
    *,
    amount_incl_minor: int | None = None,
    vat_minor: int = 0,
    currency: str = "EUR",
    cost_state: str = CostState.FINAL,
    readings: list[tuple[datetime, int]] = (),  # type: ignore[assignment]
    meter_start_wh: int = 1_000,
    connector_id: int = 1,
    id_tag: str = "TAG-1",
    id: int | None = None,
) -> int:
    """An ended session (stop given) or a running one; a cost row when an amount is given;
    register readings as (time, Wh since the start)."""
    with session_scope() as s:
        row = ChargingSession(
            id=id,
            organisation_id=organisation_id,
            charge_point_id=charge_point_id,
            connector_id=connector_id,
            id_tag=id_tag,
            status=SessionStatus.COMPLETED if stop is not None else SessionStatus.ACTIVE,
            start_time=start,
            stop_time=stop,
            meter_start_wh=meter_start_wh,
            meter_stop_wh=None if stop is None else meter_start_wh + energy_wh,
            energy_wh=energy_wh,
            meter_updated_at=stop if stop is not None else (readings[-1][0] if readings else None),
        )
        s.add(row)
        s.flush()
        sid = int(row.id or 0)
        if amount_incl_minor is not None:
            s.add(
                SessionCost(
                    session_id=sid,
                    organisation_id=organisation_id,
                    state=cost_state,
                    currency=currency,
                    total_incl_minor=amount_incl_minor,
                    total_excl_minor=amount_incl_minor - vat_minor,
                    vat_minor=vat_minor,
                )
            )
        for at, wh in readings:
            s.add(
                MeterSample(
                    charge_point_id=charge_point_id,
                    connector_id=connector_id,
                    session_id=sid,
                    timestamp=at,
                    measurand=ENERGY_REGISTER,
                    value=float(meter_start_wh + wh),
                    unit="Wh",
                    raw_value=str(meter_start_wh + wh),
                    raw_unit="Wh",
                )
            )
        return sid


def stop(session_id: int, at: datetime, energy_wh: int) -> None:
    with session_scope() as s:
        row = s.get(ChargingSession, session_id)
        assert row is not None
        row.status = SessionStatus.COMPLETED
        row.stop_time = at
        row.energy_wh = energy_wh
        row.meter_stop_wh = row.meter_start_wh + energy_wh
        s.add(row)
