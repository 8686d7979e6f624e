"""What every analytics report is narrowed by: a range of days in the operator's time zone,
a location (an operation area, a station or a charge point), a vehicle and a user group.

- The range is whole local days, first and last included: [local midnight of the first,
  local midnight after the last) in UTC. The operator's zone is its billing profile's
  (`finance.wallets.holders.organisation_zone`), as on every Finance and Analytics page.
- A location narrows to the charge points there; given several, the narrowest wins (as
  `figures.Narrowing` reads it).
- A vehicle or a group narrows the charging reports to the sessions of certain cards (id
  tags): a group's cards, or the cards of the vehicle's driver when that driver has exactly
  this one vehicle (OCPP 1.6 does not say which car is plugged in; a driver with two cars
  has sessions CCMS cannot attribute). They do not apply to station availability.
- Every id must be in the caller's organisations: another organisation's station is not
  found (`ReportNotFound`), never an empty report that hides the mistake.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from ccms_app.accounts.roles import InputError, NotFoundError
from ccms_app.analytics.figures import Narrowing
from ccms_app.analytics.wording import count_text
from ccms_app.core.db import read_session
from ccms_app.core.i18n import N_, tr
from ccms_app.drivers.models import UserGroup, Vehicle
from ccms_app.finance.rules.revenue import Bucket, PeriodKind, buckets_between, local_midnight
from ccms_app.finance.wallets.holders import organisation_zone
from ccms_app.network.models import ChargePoint, OperationArea, Station

EARLIEST = date(1970, 1, 1)  # a day whose midnight exists in every zone, in UTC too
LATEST = date(2999, 12, 31)
MAX_RANGE_DAYS = 3_660  # ten years: the roll-up keeps more, a page of buckets must not
MAX_DAY_BUCKETS = 400  # "per day" over a longer range is a wall of rows: per month then
AREA = "area"
STATION = "station"


class ReportInputError(InputError):
    """A filter value is wrong: `errors` maps each field to what is wrong with it."""


class ReportNotFound(NotFoundError):
    """An id of the filter is not in the caller's organisations; `field` names it, `message`
    (an `_OWNED` sentence naming the field) says so."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(tr(message, field=field))
        self.field = field


@dataclass(frozen=True)
class ReportFilter:
    organisations: frozenset[int]
    zone: str  # the operator's zone: what the days mean
    first_day: date
    last_day: date  # included
    area_id: int | None = None
    station_id: int | None = None
    charge_point_id: int | None = None
    vehicle_id: int | None = None
    group_id: int | None = None

    @property
    def since(self) -> datetime:
        """The range's first instant, UTC."""
        return local_midnight(self.first_day, self.zone)

    @property
    def until(self) -> datetime:
        """The first instant after the range, UTC (exclusive)."""
        return local_midnight(self.last_day + timedelta(days=1), self.zone)

    @property
    def narrowing(self) -> Narrowing:
        return Narrowing(self.organisations, self.area_id, self.station_id, self.charge_point_id)

    @property
    def by_card(self) -> bool:
        """Whether a vehicle or group narrows the sessions (the roll-up has no cards)."""
        return self.vehicle_id is not None or self.group_id is not None

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    def buckets(self, kind: PeriodKind) -> tuple[Bucket, ...]:
        """The range's days, months or years, oldest first; the first and last are cut to
        the range (a month bucket of 5-20 November covers those days only)."""
        found = list(buckets_between(kind, self.first_day, self.last_day, self.zone))
        found[0] = dataclasses.replace(found[0], start=self.since)
        found[-1] = dataclasses.replace(found[-1], end=self.until)
        return tuple(found)


# --- reading what a form or a query sends --------------------------------------------------


def month_to_date(today: date) -> tuple[date, date]:
    """The default range: this month up to today."""
    return today.replace(day=1), today


def last_month(today: date) -> tuple[date, date]:
    """The whole month before `today`'s."""
    last = today.replace(day=1) - timedelta(days=1)
    return last.replace(day=1), last


def checked_range(first: date, last: date, kind: PeriodKind | None = None) -> None:
    """ReportInputError unless `first`..`last` is a range a report can cover."""
    for field, day in (("from", first), ("to", last)):
        if not EARLIEST <= day <= LATEST:
            raise ReportInputError(
                {field: tr("Choose a day from {first} to {last}.", first=EARLIEST, last=LATEST)}
            )
    if last < first:
        raise ReportInputError({"to": tr("The To date is before the From date.")})
    if (last - first).days + 1 > MAX_RANGE_DAYS:
        raise ReportInputError(
            {"to": tr("Choose at most {max_days} days.", max_days=count_text(MAX_RANGE_DAYS))}
        )
    if kind is PeriodKind.DAYS and (last - first).days + 1 > MAX_DAY_BUCKETS:
        raise ReportInputError(
            {
                "period": tr(
                    "Per day covers at most {max_days} days: choose per month.",
                    max_days=MAX_DAY_BUCKETS,
                )
            }
        )


def _day(raw: str, field: str, errors: dict[str, str]) -> date | None:
    text = raw.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors[field] = tr("Give a date like 2026-01-31 (got {text}).", text=repr(text[:20]))
        return None


def _id(raw: str, field: str, errors: dict[str, str]) -> int | None:
    text = raw.strip()
    if not text:
        return None
    if not text.isdigit() or len(text) > 18:
        errors[field] = tr("Choose one from the list (got {text}).", text=repr(text[:20]))
        return None
    return int(text)


def location_ids(location: str) -> dict[str, int | None]:
    """ "area:3" / "station:7" (the page's one location select) as area_id / station_id."""
    kind, _, raw = location.partition(":")
    errors: dict[str, str] = {}
    found = _id(raw, "location", errors) if kind in (AREA, STATION) else None
    if location.strip() and (errors or found is None):
        raise ReportInputError({"location": tr("Choose a station or an area from the list.")})
    return {
        "area_id": found if kind == AREA else None,
        "station_id": found if kind == STATION else None,
    }


def filter_from_form(
    organisations: frozenset[int],
    zone: str,
    today: date,
    values: Mapping[str, str],
    kind: PeriodKind | None = None,
) -> ReportFilter:
    """The page's strings (from, to, location, vehicle_id, group_id); empty dates: this
    month up to today; `kind`: the buckets the range will be cut into."""
    errors: dict[str, str] = {}
    first = _day(values.get("from", ""), "from", errors)
    last = _day(values.get("to", ""), "to", errors)
    vehicle = _id(values.get("vehicle_id", ""), "vehicle_id", errors)
    group = _id(values.get("group_id", ""), "group_id", errors)
    try:
        place = location_ids(values.get("location", ""))
    except ReportInputError as exc:
        errors.update(exc.errors)
        place = {}
    if errors:
        raise ReportInputError(errors)
    default_first, default_last = month_to_date(today)
    first, last = first or default_first, last or default_last
    checked_range(first, last, kind)
    return ReportFilter(
        organisations, zone, first, last, vehicle_id=vehicle, group_id=group, **place
    )


# --- the caller's organisations --------------------------------------------------------------


def operator_zone(organisation_id: int) -> str:
    """The zone the operator's days are read in (its billing profile's)."""
    with read_session() as session:
        return organisation_zone(session, organisation_id)


_OWNED: dict[str, tuple[Any, Any, str]] = {
    "area_id": (
        OperationArea.id,
        OperationArea.organisation_id,
        N_("No such operation area in your organisations ({field})."),
    ),
    "station_id": (
        Station.id,
        Station.organisation_id,
        N_("No such station in your organisations ({field})."),
    ),
    "charge_point_id": (
        ChargePoint.id,
        ChargePoint.organisation_id,
        N_("No such charge point in your organisations ({field})."),
    ),
    "vehicle_id": (
        Vehicle.id,
        Vehicle.organisation_id,
        N_("No such vehicle in your organisations ({field})."),
    ),
    "group_id": (
        UserGroup.id,
        UserGroup.organisation_id,
        N_("No such user group in your organisations ({field})."),
    ),
}


def check_in_scope(session: Session, report: ReportFilter) -> None:
    """ReportNotFound for the first id that is not one of the caller's organisations'."""
    orgs = sorted(report.organisations)
    for field, (key, owner, message) in _OWNED.items():
        wanted = getattr(report, field)
        if wanted is None:
            continue
        found = session.execute(
            select(col(key)).where(col(key) == wanted, col(owner).in_(orgs))
        ).first()
        if found is None:
            raise ReportNotFound(field, message)
