"""Rows for analytics tests, written straight to the database: areas, stations in a zone,
charge points, ended and running sessions with their final costs and register readings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from ccms_app.charging.models import ChargingSession, MeterSample, SessionStatus
from ccms_app.charging.rules.metering import ENERGY_REGISTER
from ccms_app.core.db import session_scope
from ccms_app.finance.models import CostState, SessionCost
from ccms_app.network.models import ChargePoint, OperationArea, RegistrationState, Station

BERLIN = "Europe/Berlin"
BERLIN_NOW = datetime(2026, 11, 1, 13, 0, tzinfo=UTC)  # 14:00 in Berlin (CET, UTC+1)


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


def utc(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


@dataclass
class BerlinNetwork:
    """The hand-computed network of the figures and statistics tests (ids of its rows)."""

    org: int
    area: int
    depot: int  # in the area: CP-1, CP-2
    street: int  # no area: CP-3
    cp1: int
    cp2: int
    cp3: int
    s1: int
    s2: int
    running: int
    review: int
    s5: int


def berlin_network(org: int) -> BerlinNetwork:
    """Two stations in Berlin time with a session over local midnight, one whose energy came
    mostly in its first half hour, a running one, one held for review and one over a month
    end (summer time): every figure of it is computed by hand in the tests."""
    area_id = area(org)
    depot = station(org, "Depot", BERLIN, area_id)
    street = station(org, "Street", BERLIN)
    cp1 = charge_point(org, depot, "CP-1")
    cp2 = charge_point(org, depot, "CP-2")
    cp3 = charge_point(org, street, "CP-3")
    # 31 Oct 23:30 -> 1 Nov 00:30 local, 10 kWh evenly, EUR 5.00 (0.80 VAT)
    s1 = charging_session(
        org, cp1, utc(10, 31, 22, 30), utc(10, 31, 23, 30), 10_000,
        amount_incl_minor=500, vat_minor=80,
    )  # fmt: skip
    # 1 Nov 10:00 -> 12:00 local, 15 of its 20 kWh in the first 30 minutes, EUR 12.00
    s2 = charging_session(
        org, cp2, utc(11, 1, 9), utc(11, 1, 11), 20_000,
        amount_incl_minor=1_200, vat_minor=192, readings=[(utc(11, 1, 9, 30), 15_000)],
        connector_id=2,
    )  # fmt: skip
    # running since 13:00 local, 3 kWh measured at 13:30
    running = charging_session(
        org, cp3, utc(11, 1, 12), None, 3_000, readings=[(utc(11, 1, 12, 30), 3_000)]
    )
    # 1 Nov 08:00 -> 09:00 local, held for review: an order, no amount
    review = charging_session(
        org, cp1, utc(11, 1, 7), utc(11, 1, 8), 5_000,
        amount_incl_minor=999, cost_state=CostState.REVIEW,
    )  # fmt: skip
    # 30 Sep 23:00 -> 1 Oct 01:00 local (CEST, UTC+2), 4 kWh evenly, EUR 3.00
    s5 = charging_session(org, cp3, utc(9, 30, 21), utc(9, 30, 23), 4_000, amount_incl_minor=300)
    return BerlinNetwork(
        org, area_id, depot, street, cp1, cp2, cp3, s1, s2, running, review, s5
    )  # fmt: skip
