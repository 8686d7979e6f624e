"""The same figures as `figures.py`, computed from the raw tables (every session, its cost and
its register readings, through `rules/spread.py`) instead of the roll-up.

The reference the roll-up is tested against, and the baseline the benchmark times it
against. It reads every session of the organisations: never call it from a page.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session, col

from ccms_app.analytics.figures import Narrowing, Series, Totals
from ccms_app.analytics.rollup import ended_of, ended_sessions_query, register_readings
from ccms_app.analytics.rules.spread import spread
from ccms_app.charging.models import ChargingSession, SessionStatus
from ccms_app.finance.rules.revenue import Bucket, bucket_of
from ccms_app.network.models import ChargePoint, Station


def raw_series(
    session: Session, narrowing: Narrowing, within: tuple[Bucket, ...], now: datetime
) -> Series:
    """`figures.charging_series` from the sessions themselves."""
    values = [Totals() for _ in within]
    charge_points = _charge_points(session, narrowing)
    ended = [
        s
        for s in ended_of(
            session.execute(
                ended_sessions_query().where(
                    col(ChargingSession.organisation_id).in_(sorted(narrowing.organisations))
                )
            ).all()
        )
        if charge_points is None or s.charge_point_id in charge_points
    ]
    readings = register_readings(session, ended)
    for s in ended:
        shares = spread(
            s.start,
            s.stop,
            s.energy_wh,
            readings.get(s.id, ()),
            s.amount_excl_minor,
            s.amount_incl_minor,
        )
        for share in shares:
            index = bucket_of(share.hour, within)
            if index is not None:
                values[index].add_share(share, s.currency)
    running = session.execute(
        select(
            col(ChargingSession.charge_point_id),
            col(ChargingSession.start_time),
            col(ChargingSession.energy_wh),
            col(ChargingSession.meter_updated_at),
        ).where(
            col(ChargingSession.organisation_id).in_(sorted(narrowing.organisations)),
            col(ChargingSession.status) == SessionStatus.ACTIVE.value,
        )
    ).all()
    for cp, start, energy, updated in running:
        if charge_points is not None and int(cp) not in charge_points:
            continue
        measured = [(updated, float(energy or 0))] if updated is not None else []
        for share in spread(start, max(now, start), int(energy or 0), measured, ended=False):
            index = bucket_of(share.hour, within)
            if index is not None:
                values[index].add_share(share, "")
    total = Totals()
    for value in values:
        total.plus(value)
    return Series(within, tuple(values), total)


def _charge_points(session: Session, narrowing: Narrowing) -> set[int] | None:
    if narrowing.whole_network:
        return None
    if narrowing.charge_point_id is not None:
        return {narrowing.charge_point_id}
    query = select(col(ChargePoint.id)).join(
        Station, col(Station.id) == col(ChargePoint.station_id)
    )
    if narrowing.station_id is not None:
        query = query.where(col(Station.id) == narrowing.station_id)
    else:
        query = query.where(col(Station.area_id) == narrowing.area_id)
    return {int(i) for (i,) in session.execute(query).all()}
