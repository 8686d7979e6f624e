"""Whether a driver can charge at a station now: free / busy / faulted / offline.

The map colours each station by the best of its charge points (a station with one free
connector is free, whatever its other charge points do), because that is what a driver
looking for a place to charge, and an operator judging coverage, need first.

Per charge point:
- offline: not connected, or no status reported yet (Unknown);
- faulted: connected but out of service: Faulted or Unavailable (charge point or all
  connectors), or taken out of service by the operator (disabled, not registered);
- free: a connector is Available;
- busy: otherwise (connectors Preparing, Charging, Suspended*, Finishing, Reserved).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ccms_app.core.i18n import N_, tr

FREE = "free"
BUSY = "busy"
FAULTED = "faulted"
OFFLINE = "offline"
ORDER = (FREE, BUSY, FAULTED, OFFLINE)  # best first
LABELS = {
    FREE: N_("Free"),
    BUSY: N_("Busy"),
    FAULTED: N_("Faulted / out of service"),
    OFFLINE: N_("Offline"),
}
COLOURS = {FREE: "#30A46C", BUSY: "#0090FF", FAULTED: "#E5484D", OFFLINE: "#8B8D98"}
BADGE_COLOURS = {FREE: "green", BUSY: "blue", FAULTED: "red", OFFLINE: "gray"}

_BUSY = frozenset(
    {"Preparing", "Charging", "SuspendedEV", "SuspendedEVSE", "Finishing", "Reserved"}
)
_DOWN = frozenset({"Faulted", "Unavailable"})


@dataclass(frozen=True)
class ChargePointState:
    online: bool
    in_service: bool  # registered and enabled by the operator
    status: str  # connector 0
    connector_statuses: tuple[str, ...] = ()


def charge_point_availability(cp: ChargePointState) -> str:
    if not cp.online:
        return OFFLINE
    if not cp.in_service or cp.status in _DOWN:
        return FAULTED
    statuses = cp.connector_statuses or (cp.status,)
    if "Available" in statuses:
        return FREE
    if any(s in _BUSY for s in statuses):
        return BUSY
    if any(s in _DOWN for s in statuses):
        return FAULTED
    return OFFLINE  # connected, but nothing reported yet


def station_availability(charge_points: Iterable[ChargePointState]) -> str:
    """The best availability among the charge points; offline for a station without any."""
    found = {charge_point_availability(cp) for cp in charge_points}
    return next((a for a in ORDER if a in found), OFFLINE)


def summary(availabilities: Sequence[str]) -> str:
    """ "3 charge points: 1 free, 1 busy, 1 offline", in the reader's language."""
    if not availabilities:
        return tr("No charge points")
    counts = Counter(availabilities)
    parts = ", ".join(_count_text(a, counts[a]) for a in ORDER if counts[a])
    if len(availabilities) == 1:
        return tr("1 charge point: {parts}", parts=parts)
    return tr("{count} charge points: {parts}", count=len(availabilities), parts=parts)


def _count_text(availability: str, count: int) -> str:
    """ "2 free" (the availability's key is its English word)."""
    if availability == FREE:
        return tr("{count} free", count=count)
    if availability == BUSY:
        return tr("{count} busy", count=count)
    if availability == FAULTED:
        return tr("{count} faulted", count=count)
    return tr("{count} offline", count=count)
