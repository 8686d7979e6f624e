"""Analytics: charging figures by period, station and charge point, the predefined reports with
their CSV, and the monthly report e-mail's recipients.

Days are the caller organisation's operator zone (its billing profile's): `from` and `to`
are ISO dates (YYYY-MM-DD), both included; a session's times are ISO 8601 in that zone.
Amounts are integer minor units per currency (final costs only); energy in Wh; times in
whole seconds. Figures follow `analytics.rules.spread`: energy and charging time in the hours
they happened, each order and its amount when the session ended (definitions in
`analytics.reports.definitions`, availability in `analytics.reports.availability`).

- `GET /analytics/charging?period=days|months|years&from=&to=&area_id=&station_id=
  &charge_point_id=`: per bucket and in all; without dates the last 30 days, 12 months or
  5 years (as the Statistics page).
- `GET /analytics/charging/by-station`, `/by-charge-point`: the same filters, per station /
  charge point over the range (default: this month so far), with each one's energy share.
- `GET /analytics/reports/sessions`: the summary per bucket and one page of the detail (the
  sessions that started in the range); also narrowed by `vehicle_id` and `group_id`.
  `GET /analytics/reports/energy`, `/availability`: the other two reports.
  `GET /analytics/reports/{sessions,energy,availability}/export?format=csv`: the CSV the
  Reports page exports (sessions: `part=detail` streamed, or `part=summary`); it needs
  analytics:export, so it is its own route (one gate per route).
- `GET /analytics/monthly-report`, `PUT` (analytics:edit): the caller organisation's
  monthly e-mail (recipients, enabled) and how its last run went.
Ids outside the key's organisations are 404; a wrong date or range is a 422 naming it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import Query
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr

from ccms_app.accounts.roles import InputError
from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.analytics import monthly_report
from ccms_app.analytics.figures import Totals
from ccms_app.analytics.reports import csv as report_csv
from ccms_app.analytics.reports import service
from ccms_app.analytics.reports.availability import DEFINITION as AVAILABILITY_DEFINITION
from ccms_app.analytics.reports.availability import AvailabilityReport, StationAvailability
from ccms_app.analytics.reports.definitions import REPORTS, VEHICLE_AND_GROUP, ReportKind
from ccms_app.analytics.reports.filters import (
    ReportFilter,
    ReportInputError,
    checked_range,
    month_to_date,
    operator_zone,
)
from ccms_app.analytics.reports.queries import NO_STATION, EnergyRow, SessionsSummary
from ccms_app.api.deps import ApiCaller, gate, router
from ccms_app.api.problems import Problem
from ccms_app.api.resources import MAX_INT
from ccms_app.api.streams import stream_in_thread
from ccms_app.api.times import IsoDay
from ccms_app.core.display import time_zone
from ccms_app.core.listing import ListQuery
from ccms_app.core.types import utc_now
from ccms_app.finance.models import CostState
from ccms_app.finance.rules.revenue import PeriodKind, buckets
from ccms_app.maintenance.reports.numbers import percent

api = router("/analytics", "Analytics")
Viewer = Annotated[ApiCaller, gate(Module.ANALYTICS, Action.VIEW)]
Exporter = Annotated[ApiCaller, gate(Module.ANALYTICS, Action.EXPORT)]
Editor = Annotated[ApiCaller, gate(Module.ANALYTICS, Action.EDIT)]
Id = Annotated[int, Field(ge=1, le=MAX_INT)]
US_PER_SECOND = 1_000_000
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "An id of the filter is not in the key's organisations"}
}
CSV: dict[int | str, dict[str, Any]] = {200: {"content": {"text/csv": {}}}}


# --- parameters ---------------------------------------------------------------------------------


class Place(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    area_id: Id | None = Field(None, description="Only the charge points of this operation area")
    station_id: Id | None = Field(None, description="Only the charge points of this station")
    charge_point_id: Id | None = Field(None, description="Only this charge point")


class RangeParams(Place):
    first: IsoDay | None = Field(
        None, alias="from", description="First day, operator's zone; default: this month's 1st"
    )
    last: IsoDay | None = Field(None, alias="to", description="Last day (included); default: today")


class ChargingParams(RangeParams):
    period: PeriodKind = Field(
        PeriodKind.DAYS,
        description="Buckets; without dates: the last 30 days, 12 months or 5 years",
    )


class ReportParams(RangeParams):
    vehicle_id: Id | None = Field(
        None, description="Sessions of the vehicle's driver's cards (a driver with one vehicle)"
    )
    group_id: Id | None = Field(None, description="Sessions of the user group's cards")


class SessionsParams(ReportParams):
    period: PeriodKind = Field(PeriodKind.DAYS, description="The summary's buckets")
    page: int = Field(1, ge=1, le=1_000_000, description="The detail's page")
    page_size: int = Field(50, ge=1, le=500)


class SessionsExportParams(ReportParams):
    period: PeriodKind = Field(PeriodKind.DAYS, description="The summary's buckets")
    format: Literal["csv"] = "csv"
    part: Literal["detail", "summary"] = Field(
        "detail", description="detail: one row per session; summary: one per bucket"
    )


class ExportParams(ReportParams):
    format: Literal["csv"] = "csv"


# --- answers ------------------------------------------------------------------------------------


class AmountOut(BaseModel):
    currency: str
    excl_minor: int
    incl_minor: int


class FiguresOut(BaseModel):
    orders: int = Field(description="Sessions that ended in the bucket")
    energy_wh: int = Field(description="Energy delivered in the bucket")
    charging_s: int = Field(description="Session time in the bucket, whole seconds")
    amounts: list[AmountOut] = Field(description="Final costs of the orders, per currency")


class BucketOut(FiguresOut):
    key: str = Field(description="2026-11-30 | 2026-11 | 2026")
    label: str
    start: datetime = Field(description="First instant (UTC); the range's start for the first")
    end: datetime = Field(description="First instant after it (UTC, exclusive)")


class RangeOut(BaseModel):
    time_zone: str = Field(description="The operator's zone the days are read in")
    first: date = Field(alias="from")
    last: date = Field(alias="to")
    since: datetime = Field(description="The range's first instant, UTC")
    until: datetime = Field(description="The first instant after the range, UTC")


class ChargingOut(RangeOut):
    period: PeriodKind
    buckets: list[BucketOut]
    total: FiguresOut


class StationFiguresOut(FiguresOut):
    station_id: int | None = Field(description="null: charge points without a station")
    station: str
    share_percent: float | None = Field(description="Of the range's energy; 3 decimals")


class ChargePointFiguresOut(FiguresOut):
    charge_point_id: int
    charge_point: str
    station: str
    share_percent: float | None


class ByStationOut(RangeOut):
    items: list[StationFiguresOut] = Field(description="Every station, most energy first")
    total: FiguresOut


class ByChargePointOut(RangeOut):
    items: list[ChargePointFiguresOut] = Field(description="Every charge point, most energy first")
    total: FiguresOut


class SessionOut(BaseModel):
    id: int
    station: str
    charge_point: str
    connector_id: int
    id_tag: str
    vehicle: str = Field(description="When the card's driver has exactly one vehicle")
    group: str
    start_time: datetime = Field(description="In the operator's zone")
    stop_time: datetime | None
    duration_s: int
    energy_wh: int
    currency: str = Field(description="Of a final cost; empty otherwise")
    amount_excl_minor: int | None = Field(description="Final costs only")
    amount_incl_minor: int | None
    cost_state: str = Field(description="final | review | unpriced | running | none")
    payment_method: str


class DetailOut(BaseModel):
    sessions: int = Field(description="Sessions that started in the range")
    energy_wh: int
    amounts: list[AmountOut]
    page: int
    page_size: int
    items: list[SessionOut]


class SessionsReportOut(RangeOut):
    period: PeriodKind
    buckets: list[BucketOut]
    total: FiguresOut
    detail: DetailOut
    definition: str


class EnergyReportOut(RangeOut):
    stations: list[StationFiguresOut]
    charge_points: list[ChargePointFiguresOut]
    total: FiguresOut
    definition: str


class StationAvailabilityOut(BaseModel):
    station_id: int | None
    station: str
    connectors: int
    availability_percent: float | None = Field(description="3 decimals; null: not measured")
    outage_counted_s: int = Field(description="Outage held against the connectors")
    measured_s: int = Field(description="Connector time measured")


class AvailabilityReportOut(RangeOut):
    as_of: datetime = Field(description="The range's end, or now while it runs on")
    stations: list[StationAvailabilityOut] = Field(description="Least available first")
    network: StationAvailabilityOut
    definition: str


class MonthlyReportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    recipients: list[Annotated[StrictStr, Field(max_length=320)]] = Field(
        default_factory=list, max_length=50, description="E-mail addresses"
    )
    enabled: StrictBool = False


class MonthlyReportOut(BaseModel):
    recipients: list[str]
    enabled: bool
    last_sent_month: str = Field(description="The last month sent, e.g. 2026-11; empty: none")
    last_error: str = Field(description="Why the last attempt failed; empty after a success")


# --- reading the parameters -----------------------------------------------------------------


def _input_problem(exc: InputError) -> Problem:
    fields = {"to": "to", "from": "from", "period": "period"}
    errors = [
        {"location": "query", "field": fields.get(f, f), "detail": m} for f, m in exc.errors.items()
    ]
    return Problem(422, str(exc), errors)


def _filter(params: RangeParams, caller: ApiCaller, kind: PeriodKind | None = None) -> ReportFilter:
    """The query's range (default: this month so far) and narrowing, checked."""
    zone = operator_zone(caller.principal.organisation_id)
    today = utc_now().astimezone(time_zone(zone)).date()
    first, last = month_to_date(today)
    if kind is not None and params.first is None and params.last is None:
        window = buckets(kind, utc_now(), zone)  # as the Statistics page: last 30 days, ...
        first = window[0].start.astimezone(time_zone(zone)).date()
    first, last = params.first or first, params.last or last
    try:
        checked_range(first, last, kind)
    except ReportInputError as exc:
        raise _input_problem(exc) from exc
    values = params.model_dump(
        include={"area_id", "station_id", "charge_point_id", "vehicle_id", "group_id"}
    )
    return ReportFilter(caller.scope, zone, first, last, **values)


async def _run(work: Callable[..., Any], *args: Any) -> Any:
    return await asyncio.to_thread(work, *args)


# --- JSON ---------------------------------------------------------------------------------------


def _amounts(amounts: dict[str, tuple[int, int]]) -> list[dict[str, Any]]:
    return [
        {"currency": c, "excl_minor": excl, "incl_minor": incl}
        for c, (excl, incl) in sorted(amounts.items())
        if c
    ]


def figures_json(totals: Totals) -> dict[str, Any]:
    return {
        "orders": totals.orders,
        "energy_wh": totals.energy_wh,
        "charging_s": totals.charging_us // US_PER_SECOND,
        "amounts": _amounts(totals.amounts),
    }


def range_json(report: ReportFilter) -> dict[str, Any]:
    return {
        "time_zone": report.zone,
        "from": report.first_day,
        "to": report.last_day,
        "since": report.since,
        "until": report.until,
    }


def series_json(summary: SessionsSummary) -> dict[str, Any]:
    series = summary.series
    return {
        "period": summary.kind,
        "buckets": [
            {"key": b.key, "label": b.label, "start": b.start, "end": b.end, **figures_json(v)}
            for b, v in zip(series.buckets, series.values, strict=True)
        ],
        "total": figures_json(series.total),
    }


def _share(row: EnergyRow) -> float | None:
    return percent(row.share)


def station_json(row: EnergyRow) -> dict[str, Any]:
    return {
        "station_id": row.id,
        "station": row.name,
        "share_percent": _share(row),
        **figures_json(row.totals),
    }


def charge_point_json(row: EnergyRow) -> dict[str, Any]:
    return {
        "charge_point_id": row.id,
        "charge_point": row.name,
        "station": row.station or NO_STATION,
        "share_percent": _share(row),
        **figures_json(row.totals),
    }


def session_json(row: dict[str, Any], zone: str, now: datetime) -> dict[str, Any]:
    tz = time_zone(zone)
    start, stop = row["start_time"], row.get("stop_time")
    final = row.get("cost_state") == CostState.FINAL.value
    return {
        "id": row["id"],
        "station": row.get("station") or "",
        "charge_point": row.get("charge_point") or "",
        "connector_id": row.get("connector_id") or 0,
        "id_tag": row.get("id_tag") or "",
        "vehicle": row.get("vehicle") or "",
        "group": row.get("group") or "",
        "start_time": start.astimezone(tz),
        "stop_time": None if stop is None else stop.astimezone(tz),
        "duration_s": max(0, int(((stop or now) - start).total_seconds())),
        "energy_wh": int(row.get("energy_wh") or 0),
        "currency": (row.get("currency") or "") if final else "",
        "amount_excl_minor": row.get("total_excl_minor") if final else None,
        "amount_incl_minor": row.get("total_incl_minor") if final else None,
        "cost_state": row.get("cost_state") or "none",
        "payment_method": row.get("payment_method") or "",
    }


def availability_json(row: StationAvailability) -> dict[str, Any]:
    return {
        "station_id": row.station_id,
        "station": row.station,
        "connectors": row.connectors,
        "availability_percent": percent(row.percent),
        "outage_counted_s": int(row.counted_outage.total_seconds()),
        "measured_s": int(row.measured.total_seconds()),
    }


def _csv_response(name: str, produce: Callable[[], Iterator[str]]) -> StreamingResponse:
    def encoded() -> Iterator[bytes]:
        for chunk in produce():
            yield chunk.encode()

    return StreamingResponse(
        stream_in_thread(encoded),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _file_name(kind: str, report: ReportFilter) -> str:
    return f"{kind}-{report.first_day.isoformat()}-{report.last_day.isoformat()}.csv"


async def _whole_csv(
    kind: str,
    report: ReportFilter,
    to_csv: Callable[[Any], str],
    work: Callable[..., Any],
    *args: Any,
) -> Response:
    """A report small enough to build whole (one row per bucket or station) as one CSV file."""
    found = await _run(work, report, *args)
    text = to_csv(found)
    return _csv_response(_file_name(kind, report), lambda: iter([text]))


# --- charging figures -----------------------------------------------------------------------------


@api.get(
    "/charging",
    response_model=ChargingOut,
    operation_id="get_analytics_charging",
    summary="Orders, energy, charging time and amounts per day, month or year",
    responses=NOT_FOUND,
)
async def get_charging(params: Annotated[ChargingParams, Query()], caller: Viewer) -> Any:
    report = _filter(params, caller, params.period)
    found = await _run(service.summary, report, params.period, utc_now())
    return {**range_json(report), **series_json(found)}


@api.get(
    "/charging/by-station",
    response_model=ByStationOut,
    operation_id="get_analytics_charging_by_station",
    summary="Charging figures per station over a range of days",
    responses=NOT_FOUND,
)
async def get_charging_by_station(params: Annotated[RangeParams, Query()], caller: Viewer) -> Any:
    report = _filter(params, caller)
    found = await _run(service.energy, report, utc_now())
    items = [station_json(r) for r in found.stations]
    return {**range_json(report), "items": items, "total": figures_json(found.total)}


@api.get(
    "/charging/by-charge-point",
    response_model=ByChargePointOut,
    operation_id="get_analytics_charging_by_charge_point",
    summary="Charging figures per charge point over a range of days",
    responses=NOT_FOUND,
)
async def get_charging_by_charge_point(
    params: Annotated[RangeParams, Query()], caller: Viewer
) -> Any:
    report = _filter(params, caller)
    found = await _run(service.energy, report, utc_now())
    items = [charge_point_json(r) for r in found.charge_points]
    return {**range_json(report), "items": items, "total": figures_json(found.total)}


# --- the reports ----------------------------------------------------------------------------------


@api.get(
    "/reports/sessions",
    response_model=SessionsReportOut,
    operation_id="get_analytics_sessions_report",
    summary="Charging sessions: the summary per bucket and a page of the sessions",
    responses=NOT_FOUND,
)
async def get_sessions_report(params: Annotated[SessionsParams, Query()], caller: Viewer) -> Any:
    report = _filter(params, caller, params.period)
    now = utc_now()
    query = ListQuery(page=params.page, page_size=params.page_size, descending=True)
    found = await _run(service.sessions, report, params.period, now, query)
    page = found.page
    detail = {
        "sessions": found.totals.sessions,
        "energy_wh": found.totals.energy_wh,
        "amounts": _amounts(found.totals.amounts),
        "page": params.page,
        "page_size": params.page_size,
        "items": [session_json(r, report.zone, now) for r in (page.rows if page else [])],
    }
    definition = f"{REPORTS[ReportKind.SESSIONS].description} {VEHICLE_AND_GROUP}"
    return {
        **range_json(report),
        **series_json(found.summary),
        "detail": detail,
        "definition": definition,
    }


@api.get(
    "/reports/sessions/export",
    operation_id="export_analytics_sessions_report",
    summary="Charging sessions as CSV: every session, or the summary",
    response_class=StreamingResponse,
    responses={**CSV, **NOT_FOUND},
)
async def export_sessions_report(
    params: Annotated[SessionsExportParams, Query()], caller: Exporter
) -> Response:
    report = _filter(params, caller, params.period)
    now = utc_now()
    await _run(service.checked, report)
    if params.part == "summary":
        return await _whole_csv(
            "sessions-summary", report, report_csv.summary_csv, service.summary, params.period, now
        )
    return _csv_response(
        _file_name("sessions", report), lambda: report_csv.detail_csv_chunks(report, now)
    )


@api.get(
    "/reports/energy",
    response_model=EnergyReportOut,
    operation_id="get_analytics_energy_report",
    summary="Charged energy per station and per charge point, with shares",
    responses=NOT_FOUND,
)
async def get_energy_report(params: Annotated[ReportParams, Query()], caller: Viewer) -> Any:
    report = _filter(params, caller)
    found = await _run(service.energy, report, utc_now())
    return {
        **range_json(report),
        "stations": [station_json(r) for r in found.stations],
        "charge_points": [charge_point_json(r) for r in found.charge_points],
        "total": figures_json(found.total),
        "definition": f"{REPORTS[ReportKind.ENERGY].description} {VEHICLE_AND_GROUP}",
    }


@api.get(
    "/reports/energy/export",
    operation_id="export_analytics_energy_report",
    summary="Charged energy as CSV: stations, then charge points",
    response_class=StreamingResponse,
    responses={**CSV, **NOT_FOUND},
)
async def export_energy_report(
    params: Annotated[ExportParams, Query()], caller: Exporter
) -> Response:
    report = _filter(params, caller)
    return await _whole_csv("energy", report, report_csv.energy_csv, service.energy, utc_now())


@api.get(
    "/reports/availability",
    response_model=AvailabilityReportOut,
    operation_id="get_analytics_availability_report",
    summary="Station availability over a range of days (NEVI formula)",
    responses=NOT_FOUND,
)
async def get_availability_report(params: Annotated[RangeParams, Query()], caller: Viewer) -> Any:
    report = _filter(params, caller)
    found: AvailabilityReport = await _run(service.availability, report, utc_now())
    return {
        **range_json(report),
        "as_of": found.as_of,
        "stations": [availability_json(s) for s in found.stations],
        "network": availability_json(found.network),
        "definition": AVAILABILITY_DEFINITION,
    }


@api.get(
    "/reports/availability/export",
    operation_id="export_analytics_availability_report",
    summary="Station availability as CSV",
    response_class=StreamingResponse,
    responses={**CSV, **NOT_FOUND},
)
async def export_availability_report(
    params: Annotated[RangeParams, Query()], caller: Exporter
) -> Response:
    report = _filter(params, caller)
    return await _whole_csv(
        "availability", report, report_csv.availability_csv, service.availability, utc_now()
    )


# --- the monthly e-mail ---------------------------------------------------------------------------


def _subscription_json(found: monthly_report.Subscription) -> dict[str, Any]:
    return {
        "recipients": list(found.recipients),
        "enabled": found.enabled,
        "last_sent_month": found.last_sent_month,
        "last_error": found.last_error,
    }


@api.get(
    "/monthly-report",
    response_model=MonthlyReportOut,
    operation_id="get_analytics_monthly_report",
    summary="The monthly report e-mail of the key's organisation",
)
async def get_monthly_report(caller: Viewer) -> Any:
    found = await _run(monthly_report.subscription_of, caller.principal.organisation_id)
    return _subscription_json(found)


@api.put(
    "/monthly-report",
    response_model=MonthlyReportOut,
    operation_id="put_analytics_monthly_report",
    summary="Set who gets the monthly report e-mail, and whether it goes out",
)
async def put_monthly_report(body: MonthlyReportIn, caller: Editor) -> Any:
    try:
        found = await _run(
            monthly_report.save_subscription,
            caller.principal.organisation_id,
            ", ".join(body.recipients),
            body.enabled,
        )
    except InputError as exc:
        errors = [{"location": "body", "field": f, "detail": m} for f, m in exc.errors.items()]
        raise Problem(422, str(exc), errors) from exc
    return _subscription_json(found)
