"""A connector's (charging port's) state over time, from what the charge point reported.

Inputs, in time order (CCMS's receive time, one clock for both kinds):
- `StatusChange`s: a StatusNotification of the connector or of connector 0 (the whole charge
  point), as its OCPP 1.6 status;
- `LinkChange`s: the charge point connected or disconnected (charge_point_event rows).

The state at each instant (`PortState`), most severe first:
1. the charge point is disconnected: OFFLINE;
2. connector 0 reports Faulted or Unavailable: that state for every connector (the worse of
   it and the connector's own), as OCPP 1.6 says connector 0 speaks for the charge point;
3. otherwise the connector's own last status; before the connector ever reported, connector
   0's; before either, NO_DATA.

The states are coarse on purpose: every rule here treats Available, Preparing, Charging,
SuspendedEV(SE), Finishing and Reserved alike (WORKING), so the database only needs to hand
over the rows where the class changes (`status_class`), not every session's statuses.
Connectivity before the first recorded link change is taken as connected: no outage is
counted without a record of it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from ccms_app.maintenance.rules.intervals import Interval


class PortState(StrEnum):
    WORKING = "working"  # Available, in use (Preparing .. Finishing) or Reserved
    INOPERATIVE = "inoperative"  # OCPP Unavailable (the operator's or the charger's choice)
    OUT_OF_ORDER = "out_of_order"  # OCPP Faulted
    UNKNOWN = "unknown"  # a status CCMS cannot classify
    OFFLINE = "offline"  # the charge point is not connected
    NO_DATA = "no_data"  # nothing reported yet


WORKING_STATUSES = frozenset(
    {"Available", "Preparing", "Charging", "SuspendedEV", "SuspendedEVSE", "Finishing", "Reserved"}
)
STATUS_CLASSES: dict[str, PortState] = {
    **{status: PortState.WORKING for status in WORKING_STATUSES},
    "Unavailable": PortState.INOPERATIVE,
    "Faulted": PortState.OUT_OF_ORDER,
}
# Connector 0 in one of these speaks for every connector of the charge point.
WHOLE_CHARGE_POINT = frozenset({PortState.OUT_OF_ORDER, PortState.INOPERATIVE})
SEVERITY = (PortState.OUT_OF_ORDER, PortState.INOPERATIVE)  # the worse first


def status_class(status: str) -> PortState:
    """The state an OCPP 1.6 connector status puts a port in."""
    return STATUS_CLASSES.get(status, PortState.UNKNOWN)


@dataclass(frozen=True)
class StatusChange:
    at: datetime
    connector_id: int  # 0 = the whole charge point
    status: str  # OCPP 1.6 ChargePointStatus as sent


@dataclass(frozen=True)
class LinkChange:
    at: datetime
    connected: bool


@dataclass(frozen=True)
class Segment:
    start: datetime
    end: datetime
    state: PortState


@dataclass
class _Now:
    own: PortState = PortState.NO_DATA
    whole: PortState = PortState.NO_DATA
    connected: bool = True

    def state(self) -> PortState:
        if not self.connected:
            return PortState.OFFLINE
        if self.whole in WHOLE_CHARGE_POINT:
            if self.own in WHOLE_CHARGE_POINT:
                return next(s for s in SEVERITY if s in (self.own, self.whole))
            return self.whole
        return self.whole if self.own is PortState.NO_DATA else self.own


def port_timeline(
    connector_id: int,
    window: Interval,
    statuses: Iterable[StatusChange],
    links: Iterable[LinkChange],
) -> list[Segment]:
    """The connector's states covering `window` exactly, adjacent equal states joined.
    Changes before the window set the state it starts in; changes after it are ignored.
    Equal times: link changes apply before status changes (a charger reports its statuses
    after it connects)."""
    start, end = window
    changes: list[tuple[datetime, int, StatusChange | LinkChange]] = [
        (s.at, 1, s) for s in statuses if s.connector_id in (0, connector_id)
    ]
    changes += [(link.at, 0, link) for link in links]
    changes.sort(key=lambda item: (item[0], item[1]))
    now = _Now()
    segments: list[Segment] = []
    cursor = start
    for at, _order, change in changes:
        if at >= end:
            break
        if at > cursor:
            _append(segments, cursor, at, now.state())
            cursor = at
        if isinstance(change, LinkChange):
            now.connected = change.connected
        elif change.connector_id == 0:
            now.whole = status_class(change.status)
        else:
            now.own = status_class(change.status)
    if cursor < end:
        _append(segments, cursor, end, now.state())
    return segments


def _append(segments: list[Segment], start: datetime, end: datetime, state: PortState) -> None:
    if segments and segments[-1].state is state and segments[-1].end == start:
        segments[-1] = Segment(segments[-1].start, end, state)
    else:
        segments.append(Segment(start, end, state))


def intervals_in(segments: Sequence[Segment], states: Iterable[PortState]) -> list[Interval]:
    """The intervals the port spent in any of `states`."""
    wanted = frozenset(states)
    return [(s.start, s.end) for s in segments if s.state in wanted]
