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
from ccms_app.analytics.rollup import (
    RUNNING_COLUMNS,
    ended_hours,
    ended_of,
    ended_sessions_query,
    running_hours,
)
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
    running = session.execute(
        select(*RUNNING_COLUMNS).where(
            col(ChargingSession.organisation_id).in_(sorted(narrowing.organisations)),
            col(ChargingSession.status) == SessionStatus.ACTIVE.value,
        )
    ).all()
    for share, currency, cp in [*ended_hours(session, ended), *running_hours(running, now)]:
        index = bucket_of(share.hour, within)
        if index is not None and (charge_points is None or cp in charge_points):
            values[index].add_share(share, currency)
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
