"""One charge point's share of Home's figures, so Home can follow the events.

Home shows counts, totals and the first warnings of a whole organisation. Recomputing them
from every row after each batch of events costs time that grows with the network (~42 ms at
10,000 charge points, twice a second, per watched organisation). Instead each charge point's
share is kept, and a batch swaps the shares of the charge points it touched: the cost of a
push follows the size of the batch. The rules are those of `home_summary`'s aggregate
queries and of the snapshot's `warnings_of` (tests compare the two on random networks).
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from math import isfinite
from typing import TYPE_CHECKING

from ccms_app.monitoring.snapshot import ChargePointView, HomeCounts, NetworkWarning, warnings_of
from ccms_app.network.models import RegistrationState

if TYPE_CHECKING:
    from ccms_app.charging.data_issues import OpenIssues

# Live Monitoring's warning order: faults and errors, offline, to register, data issues.
GROUPS = ("fault", "offline", "unregistered", "data")
ZERO = Fraction(0)


def group_of(warning: NetworkWarning) -> str:
    return "fault" if warning.kind == "error" else warning.kind


@dataclass(frozen=True)
class Share:
    """What one charge point id adds to Home. A charge point outside the scope adds only its
    sessions there (a session keeps the organisation it started in)."""

    identity: str = ""
    zone: str = "UTC"
    charge_points: int = 0
    online: int = 0
    offline: int = 0
    faulted: int = 0
    unregistered: int = 0
    disabled: int = 0
    connectors: tuple[tuple[str, int], ...] = ()  # (status, how many)
    active_sessions: int = 0
    power_w: Fraction = ZERO  # exact, so adding and taking away leaves no residue
    sessions_today: int = 0
    energy_today_wh: int = 0
    warnings: tuple[NetworkWarning, ...] = ()

    @property
    def groups(self) -> frozenset[str]:
        return frozenset(group_of(w) for w in self.warnings)


def share_of(
    view: ChargePointView | None,
    active_powers_w: Sequence[float | None] = (),
    today: tuple[int, int] = (0, 0),
    issues: OpenIssues | None = None,
) -> Share:
    """A charge point's share: its view (None: not in the scope), the power of each of its
    running sessions, (count, energy Wh) of its sessions started today, its open issues."""
    if view is None:
        return with_sessions(Share(), active_powers_w, today)
    state = view.registration_state
    registered = state == RegistrationState.REGISTERED
    statuses = Counter(str(c.status) for c in view.connectors)
    share = Share(
        identity=view.identity,
        zone=view.station_timezone,
        charge_points=1,
        online=int(registered and view.online),
        offline=int(registered and not view.online),
        faulted=int(view.faulted),
        unregistered=int(state == RegistrationState.UNREGISTERED),
        disabled=int(state == RegistrationState.DISABLED),
        connectors=tuple(sorted(statuses.items())),
        warnings=tuple(warnings_of([view], {view.id: issues} if issues else None)),
    )
    return with_sessions(share, active_powers_w, today)


def with_sessions(
    share: Share, active_powers_w: Sequence[float | None], today: tuple[int, int]
) -> Share:
    """The share with its sessions' figures replaced: meter values move only these, so a
    batch of them needs no re-read of the charge point's status, connectors or issues."""
    # Metering stores finite readings only; a stray NaN must not stop Home's pushes.
    powers = [Fraction(p) for p in active_powers_w if p and isfinite(p)]
    sessions_today, energy_today_wh = today
    return replace(
        share,
        active_sessions=len(active_powers_w),
        power_w=sum(powers, ZERO),
        sessions_today=sessions_today,
        energy_today_wh=energy_today_wh,
    )


_COUNTERS = (
    "charge_points",
    "online",
    "offline",
    "faulted",
    "unregistered",
    "disabled",
    "active_sessions",
    "sessions_today",
    "energy_today_wh",
)


class Tally:
    """Home's figures as the sum of the shares, kept by adding and taking away; and the
    charge points of each warning group by identity, so the first warnings need no sort."""

    def __init__(self) -> None:
        self._shares: dict[int, Share] = {}
        self._counters: Counter[str] = Counter()
        self._connectors: Counter[str] = Counter()
        self._power_w = Fraction(0)
        self._warnings_total = 0
        self._groups: dict[str, list[tuple[str, int]]] = {group: [] for group in GROUPS}

    def __len__(self) -> int:
        return len(self._shares)

    def ids(self) -> frozenset[int]:
        return frozenset(self._shares)

    def share(self, charge_point_id: int) -> Share | None:
        return self._shares.get(charge_point_id)

    def replace(self, charge_point_id: int, share: Share | None) -> None:
        """The charge point's share is now `share` (None or an empty share: it adds nothing)."""
        old = self._shares.pop(charge_point_id, None)
        if old is not None:
            self._add(charge_point_id, old, -1)
        if share is not None and share != Share():
            self._shares[charge_point_id] = share
            self._add(charge_point_id, share, 1)

    def replace_all(self, shares: Mapping[int, Share | None]) -> None:
        for charge_point_id, share in shares.items():
            self.replace(charge_point_id, share)

    def _add(self, charge_point_id: int, share: Share, sign: int) -> None:
        for name in _COUNTERS:
            self._counters[name] += sign * getattr(share, name)
        for status, n in share.connectors:
            self._connectors[status] += sign * n
            if not self._connectors[status]:
                del self._connectors[status]
        if share.power_w:
            self._power_w += sign * share.power_w
        self._warnings_total += sign * len(share.warnings)
        for group in share.groups:
            members, key = self._groups[group], (share.identity, charge_point_id)
            if sign > 0:
                insort(members, key)
            else:
                del members[bisect_left(members, key)]

    def counts(self) -> HomeCounts:
        n = self._counters
        return HomeCounts(
            charge_points=n["charge_points"],
            online=n["online"],
            offline=n["offline"],
            faulted=n["faulted"],
            unregistered=n["unregistered"],
            disabled=n["disabled"],
            connectors_by_status=dict(sorted(self._connectors.items())),
            active_sessions=n["active_sessions"],
            live_power_kw=round(float(self._power_w) / 1000, 3),
            sessions_today=n["sessions_today"],
            energy_today_kwh=n["energy_today_wh"] / 1000,
        )

    @property
    def warnings_total(self) -> int:
        return self._warnings_total

    def first_warnings(self, shown: int) -> tuple[NetworkWarning, ...]:
        """The first `shown` warnings of Live Monitoring's list (`snapshot.warnings_of`)."""
        found: list[NetworkWarning] = []
        for group in GROUPS:
            found.extend(self._of_group(group, shown - len(found)))
        return tuple(found)

    def _of_group(self, group: str, wanted: int) -> Iterable[NetworkWarning]:
        found = 0
        for _, charge_point_id in self._groups[group]:  # each member has one at least
            for warning in self._shares[charge_point_id].warnings:
                if found == wanted:
                    return
                if group_of(warning) == group:
                    found += 1
                    yield warning

    def zones(self, warnings: Iterable[NetworkWarning]) -> dict[int, str]:
        """The station time zone of each warning's charge point (to show its time)."""
        return {w.charge_point_id: self._shares[w.charge_point_id].zone for w in warnings}
