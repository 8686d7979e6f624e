"""Live power every few minutes, for the 24 h power curves (network and per station) and the
charge point status analysis (online / offline / faulted over time).

A sample is what the sessions' latest meter readings say at that moment: the sum of the
running sessions' power per station and per organisation, and, per organisation, the
registered charge points online, offline and faulted (Faulted itself or on a connector).
Station rows are kept STATION_DAYS (only the 24 h curve reads them); organisation rows
`CCMS_POWER_SAMPLE_RETENTION_DAYS` (the hourly purge).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from apscheduler.schedulers.base import BaseScheduler
from sqlalchemy import and_, case, exists, func, insert, or_, select
from sqlmodel import Session, col

from ccms_app.analytics.models import PowerSample
from ccms_app.charging.models import ChargingSession, SessionStatus
from ccms_app.core.db import read_session, session_scope
from ccms_app.core.retention import RetainedTable, retained_by_time
from ccms_app.core.rows import table_of
from ccms_app.core.types import utc_now
from ccms_app.network.models import ChargePoint, Connector, ConnectorStatus, RegistrationState

log = logging.getLogger(__name__)

SAMPLE_JOB = "power-samples"
SAMPLE_INTERVAL = timedelta(minutes=5)
STATION_DAYS = 2


@dataclass(frozen=True)
class StationPower:
    """A station's power now: its running sessions' latest power, summed (Home and the
    analyses page; station None: charge points without a station)."""

    station_id: int | None
    name: str
    power_w: int
    charging: int  # running sessions
    connectors: int | None = None  # its connectors, where the page shows how many are busy


@dataclass(frozen=True)
class PowerPoint:
    at: datetime
    power_w: int
    charging: int
    online: int = 0
    offline: int = 0
    faulted: int = 0


def take_sample(now: datetime | None = None) -> int:
    """Write one sample per organisation and per station with running sessions; returns the
    rows written."""
    now = now or utc_now()
    with read_session() as session:
        per_station = running_power(session)
        states = _states_by_organisation(session)
    by_org: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    rows = []
    for (org, station), (power, charging) in per_station.items():
        by_org[org][0] += power
        by_org[org][1] += charging
        if station is not None:
            rows.append(
                {
                    "organisation_id": org,
                    "station_id": station,
                    "at": now,
                    "power_w": power,
                    "charging": charging,
                }
            )
    for org in sorted(set(by_org) | set(states)):
        online, offline, faulted = states.get(org, (0, 0, 0))
        power, charging = by_org.get(org, [0, 0])
        rows.append(
            {
                "organisation_id": org,
                "station_id": None,
                "at": now,
                "power_w": power,
                "charging": charging,
                "online": online,
                "offline": offline,
                "faulted": faulted,
            }
        )
    if rows:
        with session_scope() as session:
            session.execute(insert(PowerSample), rows)
    return len(rows)


def running_power(
    session: Session, organisations: Collection[int] | None = None
) -> dict[tuple[int, int | None], tuple[int, int]]:
    """(organisation, station or None) -> (W, sessions) of the sessions running now, from
    their latest meter readings; `organisations` None: all of them (the sampler)."""
    query = (
        select(
            col(ChargingSession.organisation_id),
            col(ChargePoint.station_id),
            func.coalesce(func.sum(col(ChargingSession.power_w)), 0),
            func.count(),
        )
        .join(ChargePoint, col(ChargePoint.id) == col(ChargingSession.charge_point_id))
        .where(col(ChargingSession.status) == SessionStatus.ACTIVE.value)
        .group_by(col(ChargingSession.organisation_id), col(ChargePoint.station_id))
    )
    if organisations is not None:
        query = query.where(col(ChargingSession.organisation_id).in_(sorted(organisations)))
    return {
        (int(org), None if station is None else int(station)): (round(float(power)), int(n))
        for org, station, power, n in session.execute(query).all()
    }


def running_power_by_station(
    session: Session, organisations: Collection[int]
) -> dict[int | None, tuple[int, int]]:
    """station or None -> (W, sessions) now, the organisations' together."""
    found: dict[int | None, tuple[int, int]] = {}
    for (_org, station), (power, n) in running_power(session, organisations).items():
        old_power, old_n = found.get(station, (0, 0))
        found[station] = (old_power + power, old_n + n)
    return found


def _states_by_organisation(session: Session) -> dict[int, tuple[int, int, int]]:
    faulted = or_(
        col(ChargePoint.status) == ConnectorStatus.FAULTED,
        exists().where(
            and_(
                col(Connector.charge_point_id) == col(ChargePoint.id),
                col(Connector.status) == ConnectorStatus.FAULTED,
            )
        ),
    )
    rows = session.execute(
        select(
            col(ChargePoint.organisation_id),
            func.sum(case((col(ChargePoint.is_online), 1), else_=0)),
            func.count(),
            func.sum(case((faulted, 1), else_=0)),
        )
        .where(col(ChargePoint.registration_state) == RegistrationState.REGISTERED)
        .group_by(col(ChargePoint.organisation_id))
    ).all()
    return {
        int(org): (int(online or 0), int(total) - int(online or 0), int(bad or 0))
        for org, online, total, bad in rows
    }


def power_curve(
    session: Session,
    organisations: Collection[int],
    since: datetime,
    until: datetime,
    station_id: int | None = None,
) -> list[PowerPoint]:
    """The samples in [since, until), oldest first: the organisations' rows summed per time,
    or one station's."""
    if not organisations:
        return []
    query = select(
        col(PowerSample.at),
        func.sum(col(PowerSample.power_w)),
        func.sum(col(PowerSample.charging)),
        func.sum(col(PowerSample.online)),
        func.sum(col(PowerSample.offline)),
        func.sum(col(PowerSample.faulted)),
    ).where(
        col(PowerSample.organisation_id).in_(sorted(organisations)),
        col(PowerSample.at) >= since,
        col(PowerSample.at) < until,
    )
    if station_id is None:
        query = query.where(col(PowerSample.station_id).is_(None))
    else:
        query = query.where(col(PowerSample.station_id) == station_id)
    rows = session.execute(query.group_by(col(PowerSample.at)).order_by(col(PowerSample.at))).all()
    return [
        PowerPoint(at, int(p or 0), int(c or 0), int(on or 0), int(off or 0), int(f or 0))
        for at, p, c, on, off, f in rows
    ]


def power_sample_retention(days: int) -> list[RetainedTable]:
    """Station rows after STATION_DAYS (only the 24 h curve reads them), organisation rows
    (the status analysis) after `days`; `days` 0 keeps both. In the hourly purge
    (ccms_app.retention)."""
    table = table_of(PowerSample)
    at = table.c.at
    return [
        retained_by_time(
            table,
            at,
            min(STATION_DAYS, days),
            table.c.station_id.is_not(None),
            name="power_sample (stations)",
        ),
        retained_by_time(table, at, days, table.c.station_id.is_(None)),
    ]


def schedule_samples(scheduler: BaseScheduler) -> None:
    scheduler.add_job(
        take_sample,
        "interval",
        seconds=SAMPLE_INTERVAL.total_seconds(),
        id=SAMPLE_JOB,
        replace_existing=True,
        max_instances=1,
        coalesce=True,
    )
