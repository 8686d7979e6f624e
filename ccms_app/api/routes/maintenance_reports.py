"""Maintenance statistics, per-connector uptime and the fault repair report.

- `GET /maintenance/statistics`: work orders total / completed / pending / overdue (created
  in the period), faults by cause (fault began in the period), MTTR and MTBF per vendor and
  model (definitions in `maintenance.rules.mttr`). Period `since` (inclusive) / `until`
  (exclusive), ISO 8601 with a zone; without them the 365 days before now.
- `GET /maintenance/uptime`: per connector, the US NEVI uptime (23 CFR 680.116(b): the
  525,600 minutes before `as_of`, excluded downtime and closed hours left out) and the UK
  reliability (Public Charge Point Regulations 2023, reg. 7: the calendar year so far,
  opening hours only); worst NEVI uptime first, paged; network averages over every port.
- `GET /maintenance/fault-report` (+ `/{id}`, `/export`): one row per work order with its
  charge point, station, problem, alarm, status, maintenance person and times; filters and
  created_at_from / created_at_to.
Every figure is computed exactly and rounded once (percent: 3 decimals, minutes: 2). All
narrowed by `area_id` / `station_id` and the key's organisations. Guarded by maintenance:view
(export: maintenance:export).
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Annotated, Any

from fastapi import Query
from pydantic import BaseModel, ConfigDict, Field

from ccms_app.accounts.rules.permissions import Module
from ccms_app.api.deps import ApiCaller, gate, router
from ccms_app.api.listing import add_list_routes
from ccms_app.api.problems import Problem
from ccms_app.api.resources import MAX_INT, ListResource
from ccms_app.api.times import TimeRange, UtcInstant
from ccms_app.core.types import utc_now
from ccms_app.maintenance.reports.fault_report import FAULT_REPORT_LIST
from ccms_app.maintenance.reports.filters import ReportFilter, ReportInputError
from ccms_app.maintenance.reports.numbers import (
    duration_minutes,
    minutes_value,
    percent,
    whole_seconds,
)
from ccms_app.maintenance.reports.statistics import Statistics, statistics
from ccms_app.maintenance.reports.uptime import PortUptime, UptimeReport, uptime_report
from ccms_app.maintenance.rules.reliability import UK_THRESHOLD, ReliabilityFigures
from ccms_app.maintenance.rules.uptime import NEVI_THRESHOLD

api = router("/maintenance", "Maintenance reports")
Viewer = Annotated[ApiCaller, gate(Module.MAINTENANCE)]
Id = Annotated[int, Field(ge=1, le=MAX_INT)]


class AreaStation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    area_id: Id | None = Field(None, description="Only charge points of this operation area")
    station_id: Id | None = Field(None, description="Only charge points of this station")


class StatisticsParams(AreaStation):
    since: UtcInstant | None = Field(None, description="Period start (inclusive)")
    until: UtcInstant | None = Field(None, description="Period end (exclusive); default now")


class UptimeParams(AreaStation):
    as_of: UtcInstant | None = Field(None, description="End of both windows; default now")
    page: int = Field(1, ge=1, le=1_000_000)
    page_size: int = Field(100, ge=1, le=1000)


class WorkOrderCountsOut(BaseModel):
    total: int
    completed: int = Field(description="Resolved or closed")
    pending: int = Field(description="Open, assigned, in progress or on hold")
    overdue: int = Field(description="Pending and past the due time")


class CauseCountOut(BaseModel):
    cause: str
    label: str
    count: int


class ModelFiguresOut(BaseModel):
    vendor: str
    model: str
    charge_points: int
    failures: int = Field(description="Failure alarms whose fault began in the period")
    repaired: int = Field(description="Of those, recovered")
    mttr_seconds: int | None = Field(description="Mean fault start -> recovery; null: none")
    mtbf_seconds: int | None = Field(description="Operating time / failures; null: none")
    operating_seconds: int


class StatisticsOut(BaseModel):
    since: datetime
    until: datetime
    work_orders: WorkOrderCountsOut
    faults_by_cause: list[CauseCountOut]
    by_model: list[ModelFiguresOut]


class NeviOut(BaseModel):
    uptime_percent: float = Field(description="mu of 23 CFR 680.116(b)(3)")
    outage_minutes: float = Field(description="T_outage")
    excluded_minutes: float = Field(description="T_excluded")
    meets_threshold: bool = Field(description="Greater than 97%")


class UkOut(BaseModel):
    reliability_percent: float | None = Field(description="Regulation 7(3); null: not measured")
    working_percent: float | None = Field(description="Strict: only working time counts")
    working_minutes: float
    ineligible_minutes: float = Field(description="UNKNOWN (incl. offline) or BLOCKED")
    not_working_minutes: float


class PortUptimeOut(BaseModel):
    charge_point_id: int
    charge_point: str
    connector_id: int
    station_id: int | None
    station: str
    vendor: str
    model: str
    rapid: bool = Field(description="50 kW or above (UK regulation 2)")
    nevi: NeviOut
    uk: UkOut


class UptimeOut(BaseModel):
    as_of: datetime
    nevi_window_start: datetime
    uk_window_start: datetime
    nevi_threshold_percent: float
    uk_threshold_percent: float
    nevi_average_percent: float | None
    ports_below_nevi: int
    uk_rapid_network: UkOut = Field(description="What regulation 7 measures")
    uk_all_ports: UkOut
    rapid_ports: int
    total: int
    page: int
    page_size: int
    items: list[PortUptimeOut]


def _filter(params: BaseModel, since: str = "", until: str = "") -> ReportFilter:
    values = params.model_dump()
    try:
        return ReportFilter(
            area_id=values.get("area_id"),
            station_id=values.get("station_id"),
            since=values.get(since) if since else None,
            until=values.get(until) if until else None,
        )
    except ReportInputError as exc:
        errors = [{"location": "query", "field": since or until, "detail": str(exc)}]
        raise Problem(422, str(exc), errors) from exc


@api.get(
    "/statistics",
    response_model=StatisticsOut,
    operation_id="get_maintenance_statistics",
    summary="Work orders, faults by cause, MTTR and MTBF per vendor and model",
)
async def get_statistics(params: Annotated[StatisticsParams, Query()], caller: Viewer) -> Any:
    report = _filter(params, "since", "until")
    found = await asyncio.to_thread(statistics, report, caller.scope, utc_now())
    return statistics_json(found)


@api.get(
    "/uptime",
    response_model=UptimeOut,
    operation_id="get_maintenance_uptime",
    summary="Per-connector NEVI uptime and UK reliability, worst first",
)
async def get_uptime(params: Annotated[UptimeParams, Query()], caller: Viewer) -> Any:
    report = _filter(params, until="as_of")
    found = await asyncio.to_thread(uptime_report, report, caller.scope, utc_now())
    return uptime_json(found, params.page, params.page_size)


def statistics_json(found: Statistics) -> dict[str, Any]:
    return {
        "since": found.since,
        "until": found.until,
        "work_orders": vars(found.work_orders),
        "faults_by_cause": [vars(c) for c in found.faults_by_cause],
        "by_model": [
            {
                "vendor": g.vendor,
                "model": g.model,
                "charge_points": g.charge_points,
                "failures": g.failures,
                "repaired": g.repaired,
                "mttr_seconds": whole_seconds(g.mttr_seconds),
                "mtbf_seconds": whole_seconds(g.mtbf_seconds),
                "operating_seconds": whole_seconds(g.operating_seconds),
            }
            for g in found.by_model
        ],
    }


def uk_json(figures: ReliabilityFigures) -> dict[str, Any]:
    return {
        "reliability_percent": percent(figures.reliability_percent),
        "working_percent": percent(figures.working_percent),
        "working_minutes": duration_minutes(figures.working),
        "ineligible_minutes": duration_minutes(figures.ineligible),
        "not_working_minutes": duration_minutes(figures.not_working),
    }


def port_json(row: PortUptime) -> dict[str, Any]:
    port = row.port
    return {
        "charge_point_id": port.charge_point_id,
        "charge_point": port.identity,
        "connector_id": port.connector_id,
        "station_id": port.station_id,
        "station": port.station,
        "vendor": port.vendor,
        "model": port.model,
        "rapid": row.rapid,
        "nevi": {
            "uptime_percent": percent(row.nevi.uptime_percent),
            "outage_minutes": minutes_value(row.nevi.outage_minutes),
            "excluded_minutes": minutes_value(row.nevi.excluded_minutes),
            "meets_threshold": row.nevi.meets_threshold,
        },
        "uk": uk_json(row.uk),
    }


def uptime_json(found: UptimeReport, page: int, page_size: int) -> dict[str, Any]:
    first = (page - 1) * page_size
    return {
        "as_of": found.as_of,
        "nevi_window_start": found.nevi_window[0],
        "uk_window_start": found.uk_window[0],
        "nevi_threshold_percent": float(NEVI_THRESHOLD),
        "uk_threshold_percent": float(UK_THRESHOLD),
        "nevi_average_percent": percent(found.nevi_average),
        "ports_below_nevi": found.below_nevi,
        "uk_rapid_network": uk_json(found.uk_rapid),
        "uk_all_ports": uk_json(found.uk_all),
        "rapid_ports": found.rapid_ports,
        "total": len(found.ports),
        "page": page,
        "page_size": page_size,
        "items": [port_json(row) for row in found.ports[first : first + page_size]],
    }


FAULT_REPORT = ListResource(FAULT_REPORT_LIST, Module.MAINTENANCE, "FaultReportRow", "fault_report")
CREATED = TimeRange(FAULT_REPORT_LIST.column("created_at"))
FaultReportRow = add_list_routes(
    api,
    FAULT_REPORT,
    extra=CREATED.fields(),
    narrow=lambda params, _caller: CREATED.conditions(params),
    prefix="/fault-report",
)
