"""Per-connector uptime: the US NEVI figure (trailing 525,600 minutes, excluded downtime
and closed hours left out; `rules/uptime.py`) and the UK reliability figure (the calendar
year so far, opening hours only, regulation 7; `rules/reliability.py`), with network
averages, worst first.

`uptime_report` sums the daily roll-up (`uptime_day`, filled by `rollup.py`) and computes
only the partial days and the days not rolled up live (`uptime_sum`); `exact_uptime_report`
builds one timeline per connector over both windows (`port_timeline`) from the whole
history, and is the reference the first must equal. The report is "as of" the filter's end
(else now); the filter's start does not apply (both rules fix their own windows).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction

from ccms_app.maintenance.reports.filters import ReportFilter
from ccms_app.maintenance.reports.opening import station_hours
from ccms_app.maintenance.reports.port_events import ChargePointHistory, Port, histories, ports
from ccms_app.maintenance.reports.uptime_sum import summed_parts
from ccms_app.maintenance.rules.intervals import Interval
from ccms_app.maintenance.rules.port_timeline import Segment, intervals_in, port_timeline
from ccms_app.maintenance.rules.reliability import (
    ReliabilityFigures,
    calendar_year,
    is_rapid,
    network_reliability,
    port_reliability,
)
from ccms_app.maintenance.rules.uptime import (
    DOWN_STATES,
    NeviUptime,
    nevi_figures,
    nevi_uptime,
    nevi_window,
)
from ccms_app.maintenance.rules.uptime_parts import UptimeParts


@dataclass(frozen=True)
class PortUptime:
    port: Port
    nevi: NeviUptime
    uk: ReliabilityFigures
    rapid: bool


@dataclass(frozen=True)
class UptimeReport:
    as_of: datetime
    nevi_window: Interval
    uk_window: Interval
    ports: list[PortUptime]  # worst NEVI uptime first
    nevi_average: Fraction | None  # mean of the ports' mu
    below_nevi: int  # ports at or below 97%
    uk_rapid: ReliabilityFigures  # the rapid network (what regulation 7 measures)
    uk_all: ReliabilityFigures  # every connector, for comparison
    rapid_ports: int


def uptime_report(report: ReportFilter, scope: Collection[int], now: datetime) -> UptimeReport:
    """The report from the daily roll-up plus live parts (`uptime_sum`): the same figures
    as `exact_uptime_report`, without reading a year of history."""
    as_of = min(report.until or now, now)
    selected = ports(report, scope)
    parts = summed_parts(selected, as_of)
    rows = [
        _from_parts(port, parts[(port.charge_point_id, port.connector_id)], as_of)
        for port in selected
    ]
    return _report(as_of, rows)


def exact_uptime_report(
    report: ReportFilter, scope: Collection[int], now: datetime
) -> UptimeReport:
    """The report computed from the whole history of both windows (the reference the
    roll-up is checked against; a year of history per connector: slow at network size)."""
    as_of = min(report.until or now, now)
    nevi = nevi_window(as_of)
    uk = calendar_year(as_of)
    window = (min(nevi[0], uk[0]), as_of)
    selected = ports(report, scope)
    history = histories({p.charge_point_id for p in selected}, window)
    rows = [
        _port_uptime(port, history.get(port.charge_point_id), window, as_of) for port in selected
    ]
    return _report(as_of, rows)


def _from_parts(port: Port, parts: UptimeParts, as_of: datetime) -> PortUptime:
    nevi = nevi_figures(as_of, parts.outage, parts.excused)
    return PortUptime(port, nevi, parts.uk, is_rapid(port.max_power_w))


def _report(as_of: datetime, rows: list[PortUptime]) -> UptimeReport:
    rows.sort(key=lambda r: (r.nevi.uptime_percent, r.port.identity, r.port.connector_id))
    rapid = [r.uk for r in rows if r.rapid]
    average = sum((r.nevi.uptime_percent for r in rows), Fraction(0)) / len(rows) if rows else None
    return UptimeReport(
        as_of=as_of,
        nevi_window=nevi_window(as_of),
        uk_window=calendar_year(as_of),
        ports=rows,
        nevi_average=average,
        below_nevi=sum(1 for r in rows if not r.nevi.meets_threshold),
        uk_rapid=network_reliability(rapid),
        uk_all=network_reliability(r.uk for r in rows),
        rapid_ports=len(rapid),
    )


def _port_uptime(
    port: Port, history: ChargePointHistory | None, window: Interval, as_of: datetime
) -> PortUptime:
    found = history or ChargePointHistory()
    segments = port_timeline(port.connector_id, window, found.statuses, found.links)
    nevi = nevi_window(as_of)
    closed = station_hours(port.opening_hours, port.timezone, nevi, closed=True)
    uptime = nevi_uptime(
        intervals_in(segments, DOWN_STATES),
        as_of,
        excluded=found.excluded_for(port.connector_id),
        closed=closed,
    )
    year = calendar_year(as_of)
    measured = (max(year[0], port.created_at), year[1])
    uk = ReliabilityFigures()
    if measured[1] > measured[0]:
        opened = station_hours(port.opening_hours, port.timezone, year, closed=False)
        uk = port_reliability(_within(segments, measured), opened)
    return PortUptime(port, uptime, uk, is_rapid(port.max_power_w))


def _within(segments: list[Segment], window: Interval) -> list[Segment]:
    low, high = window
    return [
        Segment(max(s.start, low), min(s.end, high), s.state)
        for s in segments
        if s.end > low and s.start < high
    ]
