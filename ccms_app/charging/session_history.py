"""The latest charging sessions of a station or of one charge point: one query for both pages.

Scoped like every asset read: the station or charge point must belong to the operator's
organisations (else AssetNotFound), and only sessions of charge points in scope are listed.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select

from ccms_app.charging.models import ChargingSession
from ccms_app.core.db import read_session
from ccms_app.core.i18n import tr
from ccms_app.network.assets import AssetNotFound, get_scoped
from ccms_app.network.models import ChargePoint, Station

RECENT_SESSIONS = 10


@dataclass(frozen=True)
class RecentSession:
    """One session as the sessions tables show it, newest first."""

    transaction_id: int
    charge_point_id: int
    identity: str
    connector_id: int
    id_tag: str
    status: str
    start_time: datetime
    stop_time: datetime | None
    energy_wh: int
    flagged: bool
    flag_reason: str
    timezone: str  # the station's, for showing the times; UTC without a station


def recent_sessions(
    scope: Collection[int],
    *,
    station_id: int | None = None,
    charge_point_id: int | None = None,
    limit: int = RECENT_SESSIONS,
) -> list[RecentSession]:
    """The latest sessions at a station and/or a charge point (at least one), newest first."""
    if station_id is None and charge_point_id is None:
        raise ValueError(tr("recent_sessions needs a station_id or a charge_point_id"))
    query = (
        select(ChargingSession, ChargePoint.identity, Station.timezone)
        .join(ChargePoint, col(ChargePoint.id) == ChargingSession.charge_point_id)
        .outerjoin(Station, col(Station.id) == ChargePoint.station_id)
        .where(col(ChargePoint.organisation_id).in_(list(scope)))
        .order_by(col(ChargingSession.start_time).desc(), col(ChargingSession.id).desc())
        .limit(limit)
    )
    with read_session() as session:
        if station_id is not None:
            get_scoped(session, Station, station_id, scope)
            query = query.where(ChargePoint.station_id == station_id)
        if charge_point_id is not None:
            get_scoped(session, ChargePoint, charge_point_id, scope)
            query = query.where(ChargingSession.charge_point_id == charge_point_id)
        rows = session.exec(query).all()
    return [_recent(s, identity, timezone or "UTC") for s, identity, timezone in rows]


def charge_point_sessions(
    charge_point_id: int, limit: int = RECENT_SESSIONS
) -> list[RecentSession]:
    """recent_sessions of a charge point whose viewers were admitted already (the live feed
    pushes only to tabs whose operator may see it); none if it no longer exists."""
    with read_session() as session:
        cp = session.get(ChargePoint, charge_point_id)
        owner = None if cp is None else cp.organisation_id
    if owner is None:
        return []
    try:
        return recent_sessions([owner], charge_point_id=charge_point_id, limit=limit)
    except AssetNotFound:  # moved to another owner meanwhile
        return []


def _recent(s: ChargingSession, identity: str, timezone: str) -> RecentSession:
    assert s.id is not None
    return RecentSession(
        transaction_id=s.id,
        charge_point_id=s.charge_point_id,
        identity=identity,
        connector_id=s.connector_id,
        id_tag=s.id_tag,
        status=s.status,
        start_time=s.start_time,
        stop_time=s.stop_time,
        energy_wh=s.energy_wh,
        flagged=s.flagged,
        flag_reason=s.flag_reason,
        timezone=timezone,
    )
