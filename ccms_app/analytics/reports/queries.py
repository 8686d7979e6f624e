"""The charging reports' figures: the sessions summary per day / month / year, the energy per
station and per charge point, and the detail list of sessions.

Summary and energy come from `analytics.figures` (the hourly roll-up plus what it has not
seen yet), so they equal the Statistics page's. A vehicle or group filter selects sessions by
their card, which the roll-up does not keep: then the same figures are computed from those
cards' sessions by the same rules (`rules/spread.py`): energy and charging time in the hours
they happened, each order and its final amount in the hour the session ended. Reading only
one group's or one driver's sessions (by the indexed id tag) stays small.

The detail list is the sessions that STARTED in the range (the sessions table is indexed by
start time; as Finance -> Charging history lists them), so a session over the range's edge
is in the detail of the range it started in, while the summary counts its energy where it
was delivered and its order where it ended. Amounts shown and summed are final costs only,
as the summary counts them; a session held for review shows its cost state and no amount.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from typing import Any

from sqlalchemy import false, func, or_, select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col

from ccms_app.analytics.figures import Series, Totals, charging_by, charging_series
from ccms_app.analytics.reports.filters import ReportFilter
from ccms_app.analytics.rollup import (
    RUNNING_COLUMNS,
    SessionHour,
    ended_hours,
    ended_of,
    ended_sessions_query,
    running_hours,
)
from ccms_app.charging.models import ChargingSession, SessionStatus
from ccms_app.core import listing
from ccms_app.core.db import read_session
from ccms_app.core.i18n import N_, tr
from ccms_app.core.listing import ListPage, ListQuery
from ccms_app.drivers.models import IdTag, Vehicle
from ccms_app.finance.history.queries import Period, fetch_history, narrowed
from ccms_app.finance.history.spec import HISTORY_EXPORT
from ccms_app.finance.models import CostState, SessionCost
from ccms_app.finance.rules.revenue import Bucket, PeriodKind, bucket_of
from ccms_app.finance.wallets.holders import organisation_currency
from ccms_app.network.models import ChargePoint, Station

NO_STATION = N_("No station")  # in the reader's language where a row shows it
CHUNK = 500  # ids per IN list


@dataclass(frozen=True)
class SessionsSummary:
    kind: PeriodKind
    series: Series  # one Totals per bucket, and over the range
    currencies: tuple[str, ...]  # of the amounts, the operator's own first


@dataclass(frozen=True)
class EnergyRow:
    """A station's or charge point's figures over the range, and its share of the energy."""

    id: int | None
    name: str
    station: str  # the charge point's station ("" on station rows)
    totals: Totals
    share: Fraction | None  # percent of the total energy; None when nothing was charged


@dataclass(frozen=True)
class EnergyReport:
    stations: list[EnergyRow]  # every station of the location, most energy first
    charge_points: list[EnergyRow]  # every charge point of the location, most energy first
    total: Totals


@dataclass(frozen=True)
class DetailTotals:
    """What the detail list adds up to: its sessions, their energy, their final amounts."""

    sessions: int
    energy_wh: int
    amounts: dict[str, tuple[int, int]]  # currency -> (excl, incl), final costs


# --- which sessions ----------------------------------------------------------------------------


def place_condition(report: ReportFilter) -> ColumnElement[bool] | None:
    """Sessions at the filter's charge point, station or area (the narrowest given)."""
    charge_point = col(ChargingSession.charge_point_id)
    if report.charge_point_id is not None:
        return charge_point == report.charge_point_id
    if report.station_id is not None:
        there = select(col(ChargePoint.id)).where(col(ChargePoint.station_id) == report.station_id)
        return charge_point.in_(there)
    if report.area_id is not None:
        stations = select(col(Station.id)).where(col(Station.area_id) == report.area_id)
        there = select(col(ChargePoint.id)).where(col(ChargePoint.station_id).in_(stations))
        return charge_point.in_(there)
    return None


def sole_driver(session: Session, vehicle_id: int) -> int | None:
    """The vehicle's driver when the driver has no other vehicle: then every session of the
    driver's cards is this vehicle's; else CCMS cannot tell (None)."""
    driver = session.execute(
        select(col(Vehicle.driver_id)).where(col(Vehicle.id) == vehicle_id)
    ).scalar()
    if driver is None:
        return None
    vehicles = session.execute(
        select(func.count()).select_from(Vehicle).where(col(Vehicle.driver_id) == driver)
    ).scalar_one()
    return int(driver) if vehicles == 1 else None


def card_condition(session: Session, report: ReportFilter) -> ColumnElement[bool] | None:
    """Sessions of the group's cards and / or the vehicle's driver's cards (in scope)."""
    if not report.by_card:
        return None
    cards: list[ColumnElement[bool]] = [
        col(IdTag.organisation_id).in_(sorted(report.organisations))
    ]
    if report.group_id is not None:
        cards.append(col(IdTag.group_id) == report.group_id)
    if report.vehicle_id is not None:
        driver = sole_driver(session, report.vehicle_id)
        cards.append(false() if driver is None else col(IdTag.driver_id) == driver)
    return col(ChargingSession.id_tag).in_(select(col(IdTag.id_tag)).where(*cards))


def in_organisations(report: ReportFilter) -> ColumnElement[bool]:
    """The sessions of the caller's organisations, written so that SQLite does not read them
    through the organisation index: an operator's sessions are nearly all of them, while the
    start time, the charge points or the cards select few."""
    return (col(ChargingSession.organisation_id) + 0).in_(sorted(report.organisations))


def session_conditions(session: Session, report: ReportFilter) -> list[ColumnElement[bool]]:
    """The organisations', location's and cards' sessions (any time)."""
    found: list[ColumnElement[bool]] = [in_organisations(report)]
    for condition in (place_condition(report), card_condition(session, report)):
        if condition is not None:
            found.append(condition)
    return found


# --- the summary and the energy ----------------------------------------------------------------


def sessions_summary(
    session: Session, report: ReportFilter, kind: PeriodKind, now: datetime
) -> SessionsSummary:
    """Orders, energy, charging time and amounts per bucket of the range, and in all."""
    within = report.buckets(kind)
    if report.by_card:
        series = _card_series(session, report, within, now)
    else:
        series = charging_series(session, report.narrowing, within, now)
    return SessionsSummary(kind, series, _currencies(session, report, series.total))


def energy_report(session: Session, report: ReportFilter, now: datetime) -> EnergyReport:
    """Every station and charge point of the location with its figures over the range."""
    if report.by_card:
        by_station, by_cp = _card_groups(session, report, now)
    else:
        narrowing, since, until = report.narrowing, report.since, report.until
        by_station = charging_by(session, narrowing, "station", since, until, now)
        by_cp = charging_by(session, narrowing, "charge_point", since, until, now)
    total = Totals()
    for totals in by_station.values():
        total.plus(totals)
    stations, charge_points = _places(session, report)
    names: dict[int | None, str] = {sid: name for sid, (name, _area) in stations.items()}
    station_rows = [
        _energy_row(sid, name, "", by_station.get(sid, Totals()), total)
        for sid, name in names.items()
    ]
    if by_station.get(None) is not None:  # charge points without a station charged
        station_rows.append(_energy_row(None, tr(NO_STATION), "", by_station[None], total))
    unnamed = tr(NO_STATION)
    cp_rows = [
        _energy_row(cp, identity, names.get(station, unnamed), by_cp.get(cp, Totals()), total)
        for cp, (identity, station) in charge_points.items()
    ]
    return EnergyReport(_ranked(station_rows), _ranked(cp_rows), total)


def _energy_row(
    key: int | None, name: str, station: str, totals: Totals, total: Totals
) -> EnergyRow:
    share = Fraction(totals.energy_wh * 100, total.energy_wh) if total.energy_wh else None
    return EnergyRow(key, name, station, totals, share)


def _ranked(rows: list[EnergyRow]) -> list[EnergyRow]:
    return sorted(rows, key=lambda r: (-r.totals.energy_wh, -r.totals.orders, r.name.lower()))


def _places(
    session: Session, report: ReportFilter
) -> tuple[dict[int, tuple[str, int | None]], dict[int, tuple[str, int | None]]]:
    """The location's stations (id -> name, area) and charge points (id -> identity,
    station), in the caller's organisations."""
    orgs = sorted(report.organisations)
    station_query = select(col(Station.id), col(Station.name), col(Station.area_id)).where(
        col(Station.organisation_id).in_(orgs)
    )
    cp_query = select(col(ChargePoint.id), col(ChargePoint.identity), col(ChargePoint.station_id))
    cp_query = cp_query.where(col(ChargePoint.organisation_id).in_(orgs))
    if report.charge_point_id is not None:
        cp_query = cp_query.where(col(ChargePoint.id) == report.charge_point_id)
        owner = select(col(ChargePoint.station_id)).where(
            col(ChargePoint.id) == report.charge_point_id
        )
        station_query = station_query.where(col(Station.id).in_(owner))
    elif report.station_id is not None:
        cp_query = cp_query.where(col(ChargePoint.station_id) == report.station_id)
        station_query = station_query.where(col(Station.id) == report.station_id)
    elif report.area_id is not None:
        in_area = select(col(Station.id)).where(col(Station.area_id) == report.area_id)
        cp_query = cp_query.where(col(ChargePoint.station_id).in_(in_area))
        station_query = station_query.where(col(Station.area_id) == report.area_id)
    stations = {int(i): (str(n), a) for i, n, a in session.execute(station_query).all()}
    charge_points = {int(i): (str(n), s) for i, n, s in session.execute(cp_query).all()}
    return stations, charge_points


def _currencies(session: Session, report: ReportFilter, total: Totals) -> tuple[str, ...]:
    """The amounts' currencies, the operator's billing currency first (shown even at 0)."""
    own = ""
    if report.organisations:
        own = organisation_currency(session, min(report.organisations))
    others = sorted(c for c in total.amounts if c and c != own)
    return tuple([own, *others] if own else others)


# --- the same figures from the sessions of some cards -------------------------------------------


def _card_shares(session: Session, report: ReportFilter, now: datetime) -> list[SessionHour]:
    """The hours of the filter's sessions that touch the range (ended and running)."""
    conditions = session_conditions(session, report)
    started_before_end = col(ChargingSession.start_time) < report.until
    touching = session.execute(  # by the cards' indexed id tags, before any other column
        select(col(ChargingSession.id), col(ChargingSession.status)).where(
            *conditions,
            started_before_end,
            or_(
                col(ChargingSession.stop_time) >= report.since,
                col(ChargingSession.stop_time).is_(None),
            ),
        )
    ).all()
    ids = [int(i) for i, status in touching if status != SessionStatus.ACTIVE.value]
    open_ids = [int(i) for i, status in touching if status == SessionStatus.ACTIVE.value]
    ended = ended_of(
        row
        for offset in range(0, len(ids), CHUNK)
        for row in session.execute(
            ended_sessions_query().where(col(ChargingSession.id).in_(ids[offset : offset + CHUNK]))
        ).all()
    )
    running = session.execute(
        select(*RUNNING_COLUMNS).where(
            col(ChargingSession.id).in_(open_ids),  # running now: a few per card at most
        )
    ).all()
    within = (report.since, report.until)  # a session left running for months: only these hours
    return [*ended_hours(session, ended, within), *running_hours(running, now, within)]


def _card_series(
    session: Session, report: ReportFilter, within: tuple[Bucket, ...], now: datetime
) -> Series:
    values = [Totals() for _ in within]
    for share, currency, _cp in _card_shares(session, report, now):
        index = bucket_of(share.hour, within)
        if index is not None:
            values[index].add_share(share, currency)
    total = Totals()
    for value in values:
        total.plus(value)
    return Series(within, tuple(values), total)


def _card_groups(
    session: Session, report: ReportFilter, now: datetime
) -> tuple[dict[int | None, Totals], dict[int | None, Totals]]:
    by_station: dict[int | None, Totals] = {}
    by_cp: dict[int | None, Totals] = {}
    shares = _card_shares(session, report, now)
    stations = _stations_of(session, {cp for _s, _c, cp in shares})
    for share, currency, cp in shares:
        if report.since <= share.hour < report.until:
            by_cp.setdefault(cp, Totals()).add_share(share, currency)
            by_station.setdefault(stations.get(cp), Totals()).add_share(share, currency)
    return by_station, by_cp


def _stations_of(session: Session, charge_points: set[int]) -> dict[int, int | None]:
    if not charge_points:
        return {}
    rows = session.execute(
        select(col(ChargePoint.id), col(ChargePoint.station_id)).where(
            col(ChargePoint.id).in_(sorted(charge_points))
        )
    ).all()
    return {int(cp): None if station is None else int(station) for cp, station in rows}


# --- the detail list ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportPeriod(Period):
    """The range's start times, plus the location and card conditions: what the charging
    history's list reads (`finance.history.queries`), narrowed to this report."""

    also: tuple[ColumnElement[bool], ...] = ()

    def conditions(self) -> list[ColumnElement[bool]]:
        return [*super().conditions(), *self.also]


def detail_period(session: Session, report: ReportFilter) -> ReportPeriod:
    """Sessions started in the range, at the location, of the cards the filter keeps."""
    also = tuple(session_conditions(session, report)[1:])  # the list scopes organisations
    return ReportPeriod(report.since, report.until, also)


def detail_page(session: Session, report: ReportFilter, query: ListQuery) -> ListPage:
    """One page of the detail list (newest first unless sorted otherwise)."""
    return fetch_history(query, report.organisations, detail_period(session, report))


def detail_rows(report: ReportFilter, search: str = "") -> Iterator[dict[str, Any]]:
    """Every session of the detail (matching the list's search), oldest first, streamed
    from one cursor (the CSV)."""
    with read_session() as session:
        within = detail_period(session, report)
    query = ListQuery(search=search, sort="start_time", descending=False, page=1, page_size=100)
    yield from listing.iter_rows(narrowed(HISTORY_EXPORT, within), query, report.organisations)


def detail_totals(session: Session, report: ReportFilter) -> DetailTotals:
    """Sessions, energy and final amounts of the detail list, summed in SQL."""
    conditions = [
        *session_conditions(session, report),
        col(ChargingSession.start_time) >= report.since,
        col(ChargingSession.start_time) < report.until,
    ]
    count, energy = session.execute(
        select(func.count(), func.coalesce(func.sum(col(ChargingSession.energy_wh)), 0)).where(
            *conditions
        )
    ).one()
    amounts = session.execute(
        select(
            col(SessionCost.currency),
            func.sum(col(SessionCost.total_excl_minor)),
            func.sum(col(SessionCost.total_incl_minor)),
        )
        .join(ChargingSession, col(ChargingSession.id) == col(SessionCost.session_id))
        .where(*conditions, col(SessionCost.state) == CostState.FINAL.value)
        .group_by(col(SessionCost.currency))
    ).all()
    return DetailTotals(
        int(count),
        int(energy or 0),
        {str(c): (int(excl or 0), int(incl or 0)) for c, excl, incl in amounts},
    )
