"""The time zone of a charge point's station: where its times are read and shown (the
station-bound half of the time rule, docs/ARCHITECTURE.md "Times and time zones").

One query, for every module that needs it (the charge point page, reservation pricing,
maintenance plans); it imports only the network's models, so any module may use it."""

from __future__ import annotations

from sqlmodel import Session, col, select

from ccms_app.network.models import ChargePoint, Station


def station_zone_of(session: Session, charge_point_id: int | None) -> str | None:
    """The IANA zone of the charge point's station; None without a charge point, a station
    or a zone (the caller says what stands in: UTC, or the operator's zone)."""
    if charge_point_id is None:
        return None
    zone = session.exec(
        select(Station.timezone)
        .join(ChargePoint, col(ChargePoint.station_id) == Station.id)
        .where(col(ChargePoint.id) == charge_point_id)
    ).first()
    return zone or None
