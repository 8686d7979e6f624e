"""Analytics -> Statistics, the operations data dashboard: what its filters mean and what
each section reads.

One filter for the whole page: a range of days in the operator's zone (their billing
profile's; default this month up to today), grouped by day, month or year, and an operation
area, a station or a charge point (the narrowest chosen counts). Sections:
1. stations and charge points by state (`statistics_network`): area and station;
2. charging orders, energy and amount (`statistics_sessions`): all of it;
3. work orders and 4. faults by cause (`maintenance.reports.statistics`): the range, area
   and station (work orders created, faults begun in the range).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlmodel import col, select

from ccms_app.analytics.figures import Narrowing
from ccms_app.analytics.statistics_sessions import Window, window_of
from ccms_app.core.db import read_session
from ccms_app.core.display import time_zone
from ccms_app.core.i18n import tr
from ccms_app.finance.rules.revenue import PeriodError, PeriodKind, period_kind
from ccms_app.finance.wallets.holders import organisation_currency, organisation_zone
from ccms_app.maintenance.reports.filters import ReportFilter
from ccms_app.maintenance.reports.statistics import (
    CauseCount,
    WorkOrderCounts,
    faults_by_cause,
    work_order_counts,
)
from ccms_app.network.models import ChargePoint, OperationArea, Station

ALL = "all"  # a select's "no filter" (a select item cannot have an empty value)
MAX_CHOICES = 500  # a select longer than this is unusable: narrow by station first


class StatisticsInputError(ValueError):
    """Bad filter input: `errors` maps each field to what is wrong with it."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{field}: {text}" for field, text in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class StatisticsFilter:
    narrowing: Narrowing  # organisations, area, station, charge point
    kind: PeriodKind
    window: Window
    zone: str

    @property
    def network(self) -> Narrowing:
        """Section 1's narrowing: area and station (every charge point of them)."""
        return replace(self.narrowing, charge_point_id=None)

    def report_filter(self) -> ReportFilter:
        """Sections 3 and 4: the maintenance reports' filter over the same days."""
        return ReportFilter(
            area_id=self.narrowing.area_id,
            station_id=self.narrowing.station_id,
            since=self.window.since,
            until=self.window.until,
        )


@dataclass(frozen=True)
class OperatorSetting:
    zone: str  # IANA name: what the days mean and times are shown in
    currency: str  # the amount shown first


def operator_setting(organisation_id: int) -> OperatorSetting:
    with read_session() as session:
        return OperatorSetting(
            organisation_zone(session, organisation_id),
            organisation_currency(session, organisation_id),
        )


def this_month(now: datetime, zone: str) -> tuple[date, date]:
    """The default range: the 1st of this month to today, in `zone`."""
    today = now.astimezone(time_zone(zone)).date()
    return today.replace(day=1), today


def _id(raw: str, field: str, errors: dict[str, str]) -> int | None:
    text = raw.strip()
    if not text or text == ALL:
        return None
    if not text.isdigit() or len(text) > 18:
        errors[field] = tr("Choose one from the list (got {text})", text=repr(text[:20]))
        return None
    return int(text)


def _day(raw: str, field: str, errors: dict[str, str]) -> date | None:
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        errors[field] = tr("Give a date like 2026-01-31 (got {text})", text=repr(raw.strip()[:20]))
        return None


def statistics_filter(
    scope: Collection[int],
    *,
    kind: str,
    date_from: str,
    date_to: str,
    area_id: str = "",
    station_id: str = "",
    charge_point_id: str = "",
    zone: str = "UTC",
) -> StatisticsFilter:
    """The page's strings as a filter; StatisticsInputError names each wrong field."""
    errors: dict[str, str] = {}
    try:
        period = period_kind(kind)
    except PeriodError as exc:
        errors["kind"] = str(exc)
    first, last = _day(date_from, "date_from", errors), _day(date_to, "date_to", errors)
    if first is not None and last is not None and last < first:
        errors["date_to"] = tr("The To date is before the From date")
    narrowing = Narrowing(
        frozenset(scope),
        area_id=_id(area_id, "area_id", errors),
        station_id=_id(station_id, "station_id", errors),
        charge_point_id=_id(charge_point_id, "charge_point_id", errors),
    )
    if errors or first is None or last is None:
        raise StatisticsInputError(errors)
    return StatisticsFilter(narrowing, period, window_of(first, last, zone), zone)


# --- the selects' choices --------------------------------------------------------------------


@dataclass(frozen=True)
class Choices:
    areas: list[tuple[int, str]]
    stations: list[tuple[int, str]]  # of the chosen area, if any
    charge_points: list[tuple[int, str]]  # of the chosen station, else area, at most 500


def filter_choices(scope: Collection[int], area_id: int | None, station_id: int | None) -> Choices:
    orgs = sorted(scope)
    areas = (
        select(col(OperationArea.id), col(OperationArea.name))
        .where(col(OperationArea.organisation_id).in_(orgs))
        .order_by(col(OperationArea.name), col(OperationArea.id))
        .limit(MAX_CHOICES)
    )
    stations = select(col(Station.id), col(Station.name)).where(
        col(Station.organisation_id).in_(orgs)
    )
    points = select(col(ChargePoint.id), col(ChargePoint.identity)).where(
        col(ChargePoint.organisation_id).in_(orgs)
    )
    if area_id is not None:
        stations = stations.where(col(Station.area_id) == area_id)
        in_area = select(col(Station.id)).where(col(Station.area_id) == area_id)
        points = points.where(col(ChargePoint.station_id).in_(in_area))
    if station_id is not None:
        points = points.where(col(ChargePoint.station_id) == station_id)
    stations = stations.order_by(col(Station.name), col(Station.id)).limit(MAX_CHOICES)
    points = points.order_by(col(ChargePoint.identity)).limit(MAX_CHOICES)
    with read_session() as session:
        return Choices(
            areas=[(int(i), str(n)) for i, n in session.execute(areas).all()],
            stations=[(int(i), str(n)) for i, n in session.execute(stations).all()],
            charge_points=[(int(i), str(n)) for i, n in session.execute(points).all()],
        )


# --- sections 3 and 4 ----------------------------------------------------------------------


@dataclass(frozen=True)
class MaintenanceFigures:
    work_orders: WorkOrderCounts
    faults_by_cause: list[CauseCount]

    @property
    def faults(self) -> int:
        return sum(cause.count for cause in self.faults_by_cause)


def maintenance_figures(
    chosen: StatisticsFilter, scope: Collection[int], now: datetime
) -> MaintenanceFigures:
    """Work orders created and faults begun in the range, of the area / station chosen."""
    report = chosen.report_filter()
    return MaintenanceFigures(
        work_order_counts(report, scope, now), faults_by_cause(report, scope, now)
    )
