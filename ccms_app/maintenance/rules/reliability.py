"""Rapid charge point reliability by the UK Public Charge Point Regulations 2023
(SI 2023/1168), regulation 7, on EVSE object statuses of OCPI 2.2.1 (paragraph 8.4.22).

What regulation 7 says:
- (1)-(2): an operator's network of rapid charge points (a public charge point of 50 kW or
  above, regulation 2) must be, on average, reliable for 99% of the time during each
  calendar year.
- (3): a rapid charge point is reliable where it is (a) working, an EVSE status of AVAILABLE,
  CHARGING or RESERVED, or (b) ineligible for measurement, a status of UNKNOWN or BLOCKED.
- (4): it is not reliable where it is not working, a status of INOPERATIVE or OUTOFORDER.
- (5): where it can be accessed only during specific hours, reliability is assessed only by
  reference to those hours.

How CCMS applies it:
- Per EVSE = per connector (an OCPP 1.6 connector delivers energy to one vehicle at a time).
  OCPP 1.6 statuses become OCPI statuses as `OCPI_STATUS` says; a disconnected charge point
  is UNKNOWN, as OCPI says ("also used when offline"), so, by (3)(b), it counts as reliable.
  Because an operator may rightly want to see that time, `ReliabilityFigures` also gives the
  strict share (`working_percent`: only working time counts) and the unknown time.
  PLANNED and REMOVED EVSEs are not in service: their time is left out of the measure.
- Only time inside the station's opening hours counts (5); the window is the calendar year
  (UTC) up to the time asked, and only time since the charge point was created.
- The network figure (`network_reliability`) is the time-weighted average over its
  connectors (every measured second weighs the same), which is the plain mean when all
  connectors are measured for the same hours.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from fractions import Fraction

from ccms_app.maintenance.rules.intervals import ZERO, Interval, intersect, length, ratio
from ccms_app.maintenance.rules.port_timeline import PortState, Segment

UK_THRESHOLD = Fraction(99)  # percent, network average over the calendar year
RAPID_POWER_W = 50_000  # regulation 2: a rapid charge point is 50 kW or above


class OcpiStatus(StrEnum):
    """OCPI 2.2.1 EVSE Status (8.4.22)."""

    AVAILABLE = "AVAILABLE"
    BLOCKED = "BLOCKED"
    CHARGING = "CHARGING"
    INOPERATIVE = "INOPERATIVE"
    OUTOFORDER = "OUTOFORDER"
    PLANNED = "PLANNED"
    REMOVED = "REMOVED"
    RESERVED = "RESERVED"
    UNKNOWN = "UNKNOWN"


WORKING = frozenset({OcpiStatus.AVAILABLE, OcpiStatus.CHARGING, OcpiStatus.RESERVED})  # 7(3)(a)
INELIGIBLE = frozenset({OcpiStatus.UNKNOWN, OcpiStatus.BLOCKED})  # 7(3)(b)
NOT_WORKING = frozenset({OcpiStatus.INOPERATIVE, OcpiStatus.OUTOFORDER})  # 7(4)
NOT_IN_SERVICE = frozenset({OcpiStatus.PLANNED, OcpiStatus.REMOVED})

# A port state of the timeline as an OCPI EVSE status (working states are all one class
# there; AVAILABLE stands for them, the regulation treats them alike).
OCPI_STATUS: dict[PortState, OcpiStatus] = {
    PortState.WORKING: OcpiStatus.AVAILABLE,
    PortState.INOPERATIVE: OcpiStatus.INOPERATIVE,
    PortState.OUT_OF_ORDER: OcpiStatus.OUTOFORDER,
    PortState.UNKNOWN: OcpiStatus.UNKNOWN,
    PortState.OFFLINE: OcpiStatus.UNKNOWN,
    PortState.NO_DATA: OcpiStatus.UNKNOWN,
}


@dataclass(frozen=True)
class ReliabilityFigures:
    """Time inside opening hours, by class, for one connector or a whole network."""

    working: timedelta = ZERO
    ineligible: timedelta = ZERO
    not_working: timedelta = ZERO

    @property
    def measured(self) -> timedelta:
        return self.working + self.ineligible + self.not_working

    @property
    def reliability_percent(self) -> Fraction | None:
        """Regulation 7(3): working or ineligible time over the measured time; None when
        nothing was measured (closed all the time, or not created yet)."""
        if self.measured <= ZERO:
            return None
        return ratio(self.working + self.ineligible, self.measured) * 100

    @property
    def working_percent(self) -> Fraction | None:
        """Strict: only working time counts (unknown and blocked time as not reliable)."""
        if self.measured <= ZERO:
            return None
        return ratio(self.working, self.measured) * 100

    def __add__(self, other: ReliabilityFigures) -> ReliabilityFigures:
        return ReliabilityFigures(
            self.working + other.working,
            self.ineligible + other.ineligible,
            self.not_working + other.not_working,
        )


def calendar_year(at: datetime) -> Interval:
    """From 1 January (UTC) of `at`'s year to `at`: the year so far."""
    start = datetime(at.astimezone(UTC).year, 1, 1, tzinfo=UTC)
    return (start, at)


def reliability(
    durations: Mapping[OcpiStatus, timedelta],
) -> ReliabilityFigures:
    """Figures from time per OCPI status (already inside opening hours)."""
    figures = ReliabilityFigures()
    for status, spent in durations.items():
        if status in WORKING:
            figures += ReliabilityFigures(working=spent)
        elif status in INELIGIBLE:
            figures += ReliabilityFigures(ineligible=spent)
        elif status in NOT_WORKING:
            figures += ReliabilityFigures(not_working=spent)
    return figures


def port_reliability(
    segments: Iterable[Segment], open_hours: Iterable[Interval]
) -> ReliabilityFigures:
    """A connector's figures: its timeline segments, counted only while the station is open."""
    by_status: dict[OcpiStatus, list[Interval]] = {}
    for segment in segments:
        by_status.setdefault(OCPI_STATUS[segment.state], []).append((segment.start, segment.end))
    opened = list(open_hours)
    return reliability(
        {status: length(intersect(spans, opened)) for status, spans in by_status.items()}
    )


def network_reliability(ports: Iterable[ReliabilityFigures]) -> ReliabilityFigures:
    """The network's figures: every connector's time added up (a time-weighted average)."""
    total = ReliabilityFigures()
    for figures in ports:
        total += figures
    return total


def is_rapid(max_power_w: int | None) -> bool:
    """Regulation 2: 50 kW or above (a charge point without a rated power is not rapid)."""
    return max_power_w is not None and max_power_w >= RAPID_POWER_W
