"""The driver's charging sessions as the app shows them: the running ones with their live
values, and the last finished one.

Live values are what the charger last reported (ChargingSession keeps them per session, so
no meter-sample scan): power, energy, SoC when the car tells it. The cost so far is the row
finance's live cost job writes every CCMS_LIVE_COST_INTERVAL_S (finance.live_costs), the final
cost the one priced at the stop (finance.session_pricing); both incl. VAT, shown to the minor
unit. Times are in the station's zone. A session that is not the driver's is not found.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from ccms_app.charging.models import ChargingSession, SessionStatus
from ccms_app.core.db import read_session
from ccms_app.core.display import MISSING, format_number, format_time
from ccms_app.core.i18n import tr
from ccms_app.core.money import format_money
from ccms_app.core.types import utc_now
from ccms_app.driver_app.charging_scope import driver_tags, started_with
from ccms_app.driver_app.driver_accounts import DriverPrincipal
from ccms_app.driver_app.errors import DriverAppNotFound
from ccms_app.driver_app.rules.charging import duration_text
from ccms_app.finance.models import SessionCost
from ccms_app.network.models import ChargePoint, Station

MAX_RUNNING = 10  # a driver with more cards than that charging at once is a fleet, not a phone


@dataclass(frozen=True)
class SessionView:
    """One session of the driver, every value as text in the reader's language."""

    id: int
    charge_point_id: int
    identity: str
    connector_id: int
    station_name: str
    running: bool
    started_at: str
    stopped_at: str
    duration: str
    energy: str
    power: str
    soc: str  # "" when the charger does not report it
    cost: str
    cost_minor: int | None
    currency: str
    cost_final: bool


Row = tuple[ChargingSession, ChargePoint, Station | None, SessionCost | None]


def _query(tags: frozenset[str]) -> Any:
    return (
        select(ChargingSession, ChargePoint, Station, SessionCost)
        .join(ChargePoint, col(ChargePoint.id) == ChargingSession.charge_point_id)
        .outerjoin(Station, col(Station.id) == ChargePoint.station_id)
        .outerjoin(SessionCost, col(SessionCost.session_id) == ChargingSession.id)
        .where(started_with(tags))
    )


def running_sessions(driver: DriverPrincipal) -> list[SessionView]:
    """The driver's running sessions, the newest first."""
    with read_session() as db:
        rows = db.exec(
            _query(driver_tags(db, driver))
            .where(ChargingSession.status == SessionStatus.ACTIVE)
            .order_by(col(ChargingSession.start_time).desc())
            .limit(MAX_RUNNING)
        ).all()
    now = utc_now()
    return [_view(row, now) for row in rows]


def session_view(driver: DriverPrincipal, session_id: int) -> SessionView:
    """One of the driver's sessions (running or not); DriverAppNotFound otherwise."""
    with read_session() as db:
        row = db.exec(
            _query(driver_tags(db, driver)).where(ChargingSession.id == session_id)
        ).first()
    if row is None:
        raise DriverAppNotFound(tr("This charging session does not exist."), code="not_found")
    return _view(row, utc_now())


def last_finished(driver: DriverPrincipal) -> SessionView | None:
    """The driver's most recently started session that has ended (None: none yet)."""
    with read_session() as db:
        row = db.exec(
            _query(driver_tags(db, driver))
            .where(ChargingSession.status == SessionStatus.COMPLETED)
            .order_by(col(ChargingSession.start_time).desc())
            .limit(1)
        ).first()
    return None if row is None else _view(row, utc_now())


def own_running_session(db: Session, driver: DriverPrincipal, session_id: int) -> ChargingSession:
    """The driver's running session `session_id`; DriverAppNotFound for any other (someone
    else's, ended, unknown): the same answer, so ids tell nothing."""
    found = db.exec(
        select(ChargingSession).where(
            ChargingSession.id == session_id,
            ChargingSession.status == SessionStatus.ACTIVE,
            started_with(driver_tags(db, driver)),
        )
    ).first()
    if found is None:
        raise DriverAppNotFound(tr("This charging session does not exist."), code="not_found")
    return found


def _view(row: Row, now: datetime) -> SessionView:
    cs, cp, station, cost = row
    zone = station.timezone if station is not None else "UTC"
    running = cs.status == SessionStatus.ACTIVE
    end = now if running else (cs.stop_time or cs.meter_updated_at or cs.start_time)
    return SessionView(
        id=int(cs.id or 0),
        charge_point_id=cs.charge_point_id,
        identity=cp.identity,
        connector_id=cs.connector_id,
        station_name=station.name if station is not None else cp.identity,
        running=running,
        started_at=format_time(cs.start_time, zone, now),
        stopped_at="" if running else format_time(cs.stop_time, zone, now),
        duration=duration_text((end - cs.start_time).total_seconds()),
        energy=format_number(cs.energy_wh / 1000, "kWh", 2),
        power=(
            format_number(cs.power_w / 1000, "kW")
            if running and cs.power_w is not None
            else MISSING
        ),
        soc=format_number(cs.soc_percent, "%", 0) if cs.soc_percent is not None else "",
        cost=_cost(cost),
        cost_minor=cost.total_incl_minor if cost is not None else None,
        currency=cost.currency if cost is not None else "",
        cost_final=cost is not None and cost.state != "running",
    )


def _cost(cost: SessionCost | None) -> str:
    """Incl. VAT, to the minor unit; a dash before the first pricing or without a tariff."""
    return MISSING if cost is None else format_money(cost.total_incl_minor, cost.currency)
