"""Business analyses: the cycle comparison (a month against the month before and the same
month last year, like for like: `rules/cycles.py`) with this year's months against last
year's, live charging power per station with its 24 h curve, and the charge points' online /
offline / faulted counts over the last days.

Charging figures come from `figures.charging_series` (the hourly roll-up plus what it has
not seen yet), power from the running sessions and the 5-minute samples
(`power_samples.py`). Usage and availability per station, charge point and connector are in
`analyses_usage.py`. Every read is scoped to the caller's organisations.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlmodel import Session, col

from ccms_app.analytics.figures import Narrowing, Series, Totals, charging_series
from ccms_app.analytics.power_samples import (
    PowerPoint,
    StationPower,
    power_curve,
    running_power_by_station,
)
from ccms_app.analytics.rules.cycles import (
    Cycle,
    WallRange,
    add_months,
    cycle,
    first_of_month,
    utc_range,
)
from ccms_app.core.db import read_session
from ccms_app.core.display import time_zone
from ccms_app.finance.rules.revenue import Bucket, PeriodKind, buckets_between
from ccms_app.finance.wallets.holders import organisation_currency, organisation_zone
from ccms_app.network.models import ChargePoint, Connector, Station

CURVE_SPAN = timedelta(hours=24)
STATUS_SPAN = timedelta(days=7)
MONTHS_CHOSEN = 25  # the month picker: this month and the 24 before


@dataclass(frozen=True)
class OperatorClock:
    """The operator's zone and currency, and now on its wall clock."""

    zone: str
    currency: str
    now_wall: datetime  # naive, in `zone`

    @property
    def this_month(self) -> date:
        return first_of_month(self.now_wall.date())

    @property
    def today(self) -> date:
        return self.now_wall.date()


def operator_clock(organisation_id: int, now: datetime) -> OperatorClock:
    with read_session() as session:
        return _clock(session, organisation_id, now)


def _clock(session: Session, organisation_id: int, now: datetime) -> OperatorClock:
    zone = organisation_zone(session, organisation_id)
    currency = organisation_currency(session, organisation_id)
    return OperatorClock(zone, currency, now.astimezone(time_zone(zone)).replace(tzinfo=None))


def month_choices(clock: OperatorClock) -> list[date]:
    """The months the comparison can be asked for, newest first."""
    return [add_months(clock.this_month, -n) for n in range(MONTHS_CHOSEN)]


# --- cycle comparison ------------------------------------------------------------------------


@dataclass(frozen=True)
class CycleFigures:
    clock: OperatorClock
    cycle: Cycle
    current: Totals
    previous: Totals
    last_year: Totals


@dataclass(frozen=True)
class YearOnYear:
    """The chosen month's year and the year before, month by month (months not begun yet
    are left out of `months_done`)."""

    year: int
    this_year: Series
    last_year: Series
    months_done: int  # how many of this_year's buckets have begun


def cycle_comparison(
    scope: Collection[int], organisation_id: int, month: date | None, now: datetime
) -> CycleFigures:
    """Orders, energy, charging time and amounts of `month` (None: this month so far) and of
    the two ranges it is compared with (CycleError for a month not begun)."""
    narrowing = Narrowing(frozenset(scope))
    with read_session() as session:
        clock = _clock(session, organisation_id, now)
        chosen = cycle(month or clock.this_month, clock.now_wall)
        current, previous, last_year = (
            _range_totals(session, narrowing, wall, clock.zone, now)
            for wall in (chosen.current, chosen.previous, chosen.last_year)
        )
    return CycleFigures(clock, chosen, current, previous, last_year)


def _range_totals(
    session: Session, narrowing: Narrowing, wall: WallRange, zone: str, now: datetime
) -> Totals:
    start, end = utc_range(wall, zone)
    if end <= start:
        return Totals()
    within = (Bucket("range", wall.label, start, end),)
    return charging_series(session, narrowing, within, now).total


def year_on_year(
    scope: Collection[int], organisation_id: int, year: int | None, now: datetime
) -> YearOnYear:
    """Each month of `year` (None: this year) and of the year before, in the operator's zone."""
    narrowing = Narrowing(frozenset(scope))
    with read_session() as session:
        clock = _clock(session, organisation_id, now)
        chosen = year or clock.today.year
        this_year, last_year = (
            charging_series(
                session,
                narrowing,
                buckets_between(PeriodKind.MONTHS, date(y, 1, 1), date(y, 12, 31), clock.zone),
                now,
            )
            for y in (chosen, chosen - 1)
        )
    if chosen < clock.today.year:
        done = 12
    else:
        done = 0 if chosen > clock.today.year else clock.today.month
    return YearOnYear(chosen, this_year, last_year, done)


# --- live power per station -----------------------------------------------------------------


def station_power(scope: Collection[int]) -> list[StationPower]:
    """Every station in scope with its power now, most power first (then most sessions, name)."""
    orgs = sorted(scope)
    if not orgs:
        return []
    with read_session() as session:
        stations = session.execute(
            select(col(Station.id), col(Station.name)).where(col(Station.organisation_id).in_(orgs))
        ).all()
        connectors = dict(
            session.execute(
                select(col(ChargePoint.station_id), func.count(col(Connector.id)))
                .join(ChargePoint, col(ChargePoint.id) == col(Connector.charge_point_id))
                .where(col(ChargePoint.organisation_id).in_(orgs))
                .group_by(col(ChargePoint.station_id))
            ).all()
        )
        running = running_power_by_station(session, orgs)
    found = [
        StationPower(
            int(sid),
            str(name),
            round(float(running.get(sid, (0, 0))[0])),
            int(running.get(sid, (0, 0))[1]),
            int(connectors.get(sid, 0)),
        )
        for sid, name in stations
    ]
    found.sort(key=lambda s: (-s.power_w, -s.charging, s.name.lower(), s.station_id))
    return found


def station_curve(scope: Collection[int], station_id: int, now: datetime) -> list[PowerPoint]:
    """One station's power over the last 24 hours, one point per sample of its network: a
    station row is written only while it charges, so a sample time without one is 0 W (only
    the network's sample times, all 0 W, for a station out of scope)."""
    with read_session() as session:
        network = power_curve(session, scope, now - CURVE_SPAN, now)
        own = power_curve(session, scope, now - CURVE_SPAN, now, station_id=station_id)
    found = {point.at: point for point in own}
    for point in network:
        found.setdefault(point.at, PowerPoint(point.at, 0, 0))
    return [found[at] for at in sorted(found)]


def status_history(scope: Collection[int], now: datetime) -> list[PowerPoint]:
    """The network's samples of the last 7 days: charge points online, offline, faulted."""
    with read_session() as session:
        return power_curve(session, scope, now - STATUS_SPAN, now)
