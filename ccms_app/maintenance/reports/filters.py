"""What every maintenance report is narrowed by: operation area, station and a period.

The web form sends days ("2026-01-31") read in the operator's zone; the REST API sends
instants with their zone. Both become a `ReportFilter` in UTC (`until` exclusive). A wrong
value is a `ReportInputError` naming the field. With no period the statistics cover the
365 days before now (`period_of`).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from ccms_app.core.display import time_zone
from ccms_app.core.i18n import tr
from ccms_app.network.models import ChargePoint, Station

DEFAULT_PERIOD = timedelta(days=365)


class ReportInputError(ValueError):
    """Bad filter input: `errors` maps each field to what is wrong with it."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{field}: {text}" for field, text in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class ReportFilter:
    area_id: int | None = None
    station_id: int | None = None
    since: datetime | None = None  # UTC, inclusive
    until: datetime | None = None  # UTC, exclusive

    def __post_init__(self) -> None:
        if self.since is not None and self.until is not None and self.until <= self.since:
            raise ReportInputError({"until": tr("The end of the period must be after its start")})


def _id(raw: str, field: str, errors: dict[str, str]) -> int | None:
    text = raw.strip()
    if not text:
        return None
    if not text.isdigit() or len(text) > 18:
        got = repr(text[:20])
        if field == "area_id":
            errors[field] = tr("Choose an existing area (got {got})", got=got)
        elif field == "station_id":
            errors[field] = tr("Choose an existing station (got {got})", got=got)
        else:
            errors[field] = f"Choose an existing {field.replace('_id', '')} (got {got})"
        return None
    return int(text)


def _day(raw: str, field: str, errors: dict[str, str]) -> date | None:
    text = raw.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors[field] = tr("Give a date like 2026-01-31 (got {got})", got=repr(text[:20]))
        return None


def filter_from_form(
    area_id: str, station_id: str, date_from: str, date_to: str, zone: str
) -> ReportFilter:
    """The web form's strings: the From and To days are whole days in `zone`."""
    errors: dict[str, str] = {}
    area, station = _id(area_id, "area_id", errors), _id(station_id, "station_id", errors)
    first, last = _day(date_from, "date_from", errors), _day(date_to, "date_to", errors)
    if first is not None and last is not None and last < first:
        errors["date_to"] = tr("The To date is before the From date")
    if errors:
        raise ReportInputError(errors)
    tz = time_zone(zone)

    def start_of(day: date) -> datetime:
        return datetime.combine(day, time.min, tzinfo=tz).astimezone(UTC)

    return ReportFilter(
        area_id=area,
        station_id=station,
        since=None if first is None else start_of(first),
        until=None if last is None else start_of(last + timedelta(days=1)),
    )


def period_of(report: ReportFilter, now: datetime) -> tuple[datetime, datetime]:
    """The period the statistics cover: as asked, else up to now and 365 days back."""
    until = report.until or now
    since = report.since or until - DEFAULT_PERIOD
    return since, until


def charge_point_conditions(
    report: ReportFilter, scope: Collection[int]
) -> list[ColumnElement[bool]]:
    """Charge points in the scope, of the station / area asked for."""
    found: list[ColumnElement[bool]] = [col(ChargePoint.organisation_id).in_(sorted(scope))]
    if report.station_id is not None:
        found.append(col(ChargePoint.station_id) == report.station_id)
    if report.area_id is not None:
        in_area = select(col(Station.id)).where(col(Station.area_id) == report.area_id)
        found.append(col(ChargePoint.station_id).in_(in_area))
    return found


def in_period(column: Any, report: ReportFilter) -> list[ColumnElement[bool]]:
    """`column` inside the filter's period (no bound where none is given)."""
    found: list[ColumnElement[bool]] = []
    if report.since is not None:
        found.append(column >= report.since)
    if report.until is not None:
        found.append(column < report.until)
    return found
