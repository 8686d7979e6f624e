"""What Home shows beyond its live counts (monitoring's HomeState): the network's size, the
licence, live power per station and the 24 h power curve, and the charging figures (orders,
energy, charging time, revenue) by day, month or year with today's and this month's.

One read, on page load and when the operator switches between days, months and years; all
of it scoped to the caller's organisations. Days and months are the operator's (its billing
time zone), so "today" starts at local midnight, not at 00:00 UTC. Figures come from
analytics.figures (the roll-ups plus what they have not seen yet), never from a guess: an
empty network reads zeros.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlmodel import Session, col

from ccms_app.accounts import licences
from ccms_app.accounts.roles import Caller
from ccms_app.analytics.figures import Narrowing, Series, Totals, charging_series
from ccms_app.analytics.power_samples import (
    SAMPLE_INTERVAL,
    PowerPoint,
    StationPower,
    power_curve,
    running_power_by_station,
)
from ccms_app.core.db import read_session
from ccms_app.core.types import utc_now
from ccms_app.finance.rules.revenue import PeriodKind, buckets
from ccms_app.finance.wallets.holders import organisation_currency, organisation_zone
from ccms_app.network.models import ChargePoint, Connector, RegistrationState, Station

CURVE_HOURS = 24
# The curve "covers the day" when its first sample is at most this late: the sampler may
# have started a few minutes after the window opened without anything being missing.
CURVE_SLACK = 2 * SAMPLE_INTERVAL


@dataclass(frozen=True)
class LicenceDays:
    """A sub-operator's licence as Home's tile shows it (the network operator has none)."""

    days_left: int | None  # None: no end date
    status: str  # licences.LicenceStatus value
    validity: str  # "Valid until 2026-03-31 · 40 days left" (English; the page words it)
    valid_from: date | None = None  # the terms' dates, for the page to word them
    valid_to: date | None = None


@dataclass(frozen=True)
class HomeFigures:
    generated_at: datetime
    time_zone: str  # the operator's: buckets, "today" and the curve's clock
    currency: str  # the operator's: revenue is shown in it
    licence: LicenceDays | None
    sub_operators: int
    stations: int
    charge_points: int  # registered or disabled (what a licence counts), not unregistered
    connectors: int  # of those charge points
    power_w: int  # running sessions' power now, the whole network
    charging: int  # running sessions now
    power_by_station: tuple[StationPower, ...]  # stations with running sessions, most first
    curve: tuple[PowerPoint, ...]  # the last 24 h of network power samples, oldest first
    curve_since: datetime
    kind: PeriodKind
    series: Series  # by day (last 30), month (last 12) or year (last 5)
    today: Totals
    this_month: Totals

    @property
    def curve_covers_the_day(self) -> bool:
        """Whether samples reach back (nearly) 24 h: else the page says they start when
        CCMS runs."""
        return bool(self.curve) and self.curve[0].at <= self.curve_since + CURVE_SLACK


def home_figures(caller: Caller, kind: PeriodKind, now: datetime | None = None) -> HomeFigures:
    """Everything Home reads beyond HomeState, for the caller's organisations."""
    now = now or utc_now()
    scope = caller.scope()
    licence = _licence_days(caller.organisation_id, now)
    narrowing = Narrowing(frozenset(scope))
    since = now - timedelta(hours=CURVE_HOURS)
    with read_session() as session:
        zone = organisation_zone(session, caller.organisation_id)
        currency = organisation_currency(session, caller.organisation_id)
        stations, charge_points, connectors = _network_size(session, scope)
        by_station = _power_by_station(session, scope)
        curve = power_curve(session, scope, since, now + timedelta(microseconds=1))
        days = charging_series(session, narrowing, buckets(PeriodKind.DAYS, now, zone), now)
        months = charging_series(session, narrowing, buckets(PeriodKind.MONTHS, now, zone), now)
        chosen = {PeriodKind.DAYS: days, PeriodKind.MONTHS: months}.get(kind)
        if chosen is None:
            chosen = charging_series(session, narrowing, buckets(kind, now, zone), now)
    return HomeFigures(
        generated_at=now,
        time_zone=zone,
        currency=currency,
        licence=licence,
        sub_operators=len(scope - {caller.organisation_id}),
        stations=stations,
        charge_points=charge_points,
        connectors=connectors,
        power_w=sum(s.power_w for s in by_station),
        charging=sum(s.charging for s in by_station),
        power_by_station=by_station,
        curve=tuple(curve),
        curve_since=since,
        kind=kind,
        series=chosen,
        today=days.values[-1],
        this_month=months.values[-1],
    )


def _licence_days(organisation_id: int, now: datetime) -> LicenceDays | None:
    """The licence card's own reading (UTC days, as the licence is enforced)."""
    summary = licences.licence_summary(organisation_id, now.date())
    if summary is None:
        return None
    return LicenceDays(
        summary.days_left,
        summary.status.value,
        summary.validity_text,
        summary.terms.valid_from,
        summary.terms.valid_to,
    )


def _network_size(session: Session, scope: frozenset[int]) -> tuple[int, int, int]:
    """(stations, charge points, connectors): charge points as a licence counts them."""
    orgs = sorted(scope)
    counted = (
        col(ChargePoint.organisation_id).in_(orgs),
        col(ChargePoint.registration_state) != RegistrationState.UNREGISTERED,
    )
    stations = session.execute(
        select(func.count()).select_from(Station).where(col(Station.organisation_id).in_(orgs))
    ).scalar_one()
    charge_points = session.execute(
        select(func.count()).select_from(ChargePoint).where(*counted)
    ).scalar_one()
    connectors = session.execute(
        select(func.count())
        .select_from(Connector)
        .join(ChargePoint, col(ChargePoint.id) == col(Connector.charge_point_id))
        .where(*counted)
    ).scalar_one()
    return int(stations), int(charge_points), int(connectors)


def _power_by_station(session: Session, scope: frozenset[int]) -> tuple[StationPower, ...]:
    """The running sessions' power per station (the sessions' latest meter values)."""
    running = running_power_by_station(session, scope)
    names = dict(
        session.execute(
            select(col(Station.id), col(Station.name)).where(
                col(Station.id).in_([s for s in running if s is not None])
            )
        ).all()
    )
    found = [
        StationPower(station, str(names.get(station, "No station")), power, n)
        for station, (power, n) in running.items()
    ]
    return tuple(sorted(found, key=lambda s: (-s.power_w, -s.charging, s.name)))
