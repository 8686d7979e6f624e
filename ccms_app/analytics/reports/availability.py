"""Station availability over a report's range, from the maintenance uptime figures.

Definition (shown on the page and in the e-mail): the US NEVI uptime formula
(23 CFR 680.116(b), `maintenance.rules.uptime`) applied to the chosen range instead of the
trailing year. A connector's availability is (T - (T_outage - T_excluded)) / T, where T is
the range (from the charge point's creation if later, up to now if the range runs on),
T_outage the time it was offline, Faulted or Unavailable, and T_excluded the part of that
outage while the station was closed or inside an alarm an operator excluded. A station's
figure is its connectors' available time over their measured time (a time-weighted mean).
Vehicle and group filters do not apply: availability belongs to the charger, not the card.

The sums are those of the maintenance uptime report (`maintenance.reports.uptime_sum`):
whole UTC days from the `uptime_day` roll-up, the range's partial days and any day not
rolled up computed from the status history, exclusions applied when read.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from fractions import Fraction

from ccms_app.analytics.reports.filters import ReportFilter
from ccms_app.core.i18n import N_, tr
from ccms_app.maintenance.reports import uptime_sum
from ccms_app.maintenance.reports.filters import ReportFilter as PortFilter
from ccms_app.maintenance.reports.port_events import Port, ports
from ccms_app.maintenance.rules.intervals import MICROSECOND, ZERO
from ccms_app.maintenance.rules.uptime_parts import (
    UptimeParts,
)

DEFINITION = N_(
    "Availability: the US NEVI uptime formula (23 CFR 680.116(b)) over the chosen days: "
    "time not offline, Faulted or Unavailable, over the time measured (from the charge "
    "point's creation, up to now); outage while the station is closed or in an alarm "
    "marked excluded is not held against it. A station's figure weighs its connectors by "
    "time. Vehicle and group filters do not apply."
)
PortKey = tuple[int, int]
Figure = tuple[timedelta, timedelta]  # measured time, outage held against it


@dataclass(frozen=True)
class StationAvailability:
    station_id: int | None
    station: str
    connectors: int
    measured: timedelta  # connector time measured, all connectors together
    counted_outage: timedelta  # outage held against them (T_outage - T_excluded)

    @property
    def percent(self) -> Fraction | None:
        """Available time over measured time, in percent (None: nothing measured)."""
        if self.measured <= ZERO:
            return None
        available = self.measured - self.counted_outage
        return Fraction(available // MICROSECOND * 100, self.measured // MICROSECOND)


@dataclass(frozen=True)
class AvailabilityReport:
    since: datetime
    as_of: datetime  # the range's end, or now while the range runs on
    stations: list[StationAvailability]  # least available first
    network: StationAvailability  # every connector of the location


def availability_report(report: ReportFilter, now: datetime) -> AvailabilityReport:
    """Each station of the location with its connectors' availability over the range."""
    since, as_of = report.since, min(report.until, now)
    selected = _ports(report, report.organisations)
    figures: dict[PortKey, Figure] = {}
    for start, group in _by_start(selected, since).items():
        if start >= as_of:
            continue  # created after the range: nothing to measure
        for key, parts in summed_between(group, start, as_of).items():
            figures[key] = (as_of - start, parts.outage - parts.excused)
    stations = _per_station(selected, figures)
    network = _station(None, tr("All stations"), selected, figures)
    ranked = sorted(stations, key=lambda s: (s.percent is None, s.percent or 0, s.station.lower()))
    return AvailabilityReport(since, as_of, ranked, network)


def _ports(report: ReportFilter, scope: Collection[int]) -> list[Port]:
    found = ports(PortFilter(area_id=report.area_id, station_id=report.station_id), scope)
    if report.charge_point_id is None:
        return found
    return [p for p in found if p.charge_point_id == report.charge_point_id]


def _by_start(selected: list[Port], since: datetime) -> dict[datetime, list[Port]]:
    """Ports by the start of their measured time: the range's, or their creation."""
    grouped: dict[datetime, list[Port]] = defaultdict(list)
    for port in selected:
        grouped[max(since, port.created_at)].append(port)
    return grouped


def _station(
    station_id: int | None, name: str, connectors: list[Port], figures: dict[PortKey, Figure]
) -> StationAvailability:
    """The connectors' times added up (a connector created after the range has none)."""
    measured = [f for p in connectors if (f := figures.get((p.charge_point_id, p.connector_id)))]
    return StationAvailability(
        station_id,
        name,
        len(connectors),
        sum((m for m, _o in measured), ZERO),
        sum((o for _m, o in measured), ZERO),
    )


def _per_station(selected: list[Port], figures: dict[PortKey, Figure]) -> list[StationAvailability]:
    grouped: dict[int | None, list[Port]] = defaultdict(list)
    for port in selected:
        grouped[port.station_id].append(port)
    return [
        _station(station_id, group[0].station or tr("No station"), group, figures)
        for station_id, group in grouped.items()
    ]


def summed_between(
    selected: list[Port], start: datetime, as_of: datetime
) -> dict[PortKey, UptimeParts]:
    """Each port's NEVI sums (outage, excused) over [start, as_of): the maintenance uptime
    report's own summation (`uptime_sum.summed_parts`), over this window instead of the
    trailing 525,600 minutes it fixes. Days rolled up in `uptime_day` are read, the rest
    computed from the history."""
    return uptime_sum.summed_parts(selected, as_of, uptime_sum.windows_between(start, as_of))
