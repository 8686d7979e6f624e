"""Home's figures per watched organisation, kept up to date from the charge points each batch
of events touched.

`home_summary.load_home_summary` answers from ~12 aggregate queries over the whole
organisation: ~42 ms per push at 10,000 charge points, for every watched organisation after
every batch. A `HomeTally` reads the whole scope once (`full`), then per batch re-reads only
the charge points the batch changed (`apply`: six queries limited to those ids) and swaps
their shares (`rules.home_tally`); the summary comes from the tally without SQL. It is
rebuilt from scratch when the UTC day changes ("today" moves), after a batch that may touch
anything (an operator's edit, resolved data issues), when the organisation scope changes, and
every few minutes as a safety net against a change nobody announced.
"""

from __future__ import annotations

import threading
import time as clock
from collections.abc import Callable, Collection, Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlalchemy import select as select_columns
from sqlmodel import Session, col, select

from ccms_app.accounts.organisations import organisation_scope
from ccms_app.charging.data_issues import open_issues_by_charge_point
from ccms_app.charging.models import ChargingSession, SessionStatus
from ccms_app.core.db import read_session
from ccms_app.core.local_time import midnight_of
from ccms_app.core.operator_zone import operator_zone_of
from ccms_app.core.types import utc_now
from ccms_app.monitoring.home_summary import WARNINGS_SHOWN, HomeSummary
from ccms_app.monitoring.rules.home_tally import Share, Tally, share_of, with_sessions
from ccms_app.monitoring.snapshot import ChargePointView, ConnectorView, Query, scoped
from ccms_app.network.models import ChargePoint, Connector, Station

FULL_EVERY_S = 300.0  # the safety net: a full rebuild at least this often

Scope = frozenset[int]
Ids = Collection[int] | None  # None: the whole scope


class HomeTally:
    """Home's figures for one organisation scope, as the sum of its charge points' shares."""

    def __init__(self, scope: Scope, midnight: datetime, zone: str = "UTC") -> None:
        self.scope = scope
        self.zone = zone  # the operator's: where its day starts, and its figures' clock
        self.midnight = midnight  # the start of the day its "today" figures count
        self.built_at = clock.monotonic()
        self._tally = Tally()

    @classmethod
    def full(cls, scope: Scope, now: datetime, zone: str = "UTC") -> HomeTally:
        """Every charge point of the scope, in a few queries (once per watch and day)."""
        tally = cls(scope, midnight_of(now, zone), zone)
        with read_session() as session:
            tally._tally.replace_all(read_shares(session, scope, tally.midnight))
        return tally

    def apply(self, changed: Collection[int], metered: Collection[int] = ()) -> None:
        """Re-read these charge points only; one that is gone or left the scope drops out.

        Of those in `metered` (only meter values reached them) only the sessions are read
        again: under traffic most of a batch is meter values, and their status, connectors
        and issues (four of the six queries) have not moved. One the tally does not hold
        yet is read whole."""
        if not changed:
            return
        held = {
            cp_id: share for cp_id in metered if (share := self._tally.share(cp_id)) is not None
        }
        whole = [cp_id for cp_id in changed if cp_id not in held]
        with read_session() as session:
            shares = read_shares(session, self.scope, self.midnight, only=whole) if whole else {}
            if held:
                shares |= self._with_sessions_read(session, held)
        self._tally.replace_all({cp_id: shares.get(cp_id) for cp_id in changed})

    def _with_sessions_read(self, session: Session, held: dict[int, Share]) -> dict[int, Share]:
        """These shares of the tally with their sessions read again."""
        ids = list(held)
        powers = _active_powers(session, self.scope, ids)
        today = _started_since(session, self.scope, self.midnight, ids)
        return {
            cp_id: with_sessions(share, powers.get(cp_id, ()), today.get(cp_id, (0, 0)))
            for cp_id, share in held.items()
        }

    def summary(self, now: datetime, shown: int = WARNINGS_SHOWN) -> HomeSummary:
        """What Home shows, from the tally alone (`now` must fall on the tally's day)."""
        warnings = self._tally.first_warnings(shown)
        return HomeSummary(
            generated_at=now,
            counts=self._tally.counts(),
            warnings=warnings,
            warnings_total=self._tally.warnings_total,
            zones=self._tally.zones(warnings),
            zone=self.zone,
        )

    def outdated(self, scope: Scope, now: datetime, full_every_s: float = FULL_EVERY_S) -> bool:
        """Whether only a full rebuild gives the right figures (or it is time for one)."""
        return (
            scope != self.scope
            or midnight_of(now, self.zone) != self.midnight
            or clock.monotonic() - self.built_at > full_every_s
        )


def read_shares(
    session: Session, scope: Scope, midnight: datetime, only: Ids = None
) -> dict[int, Share]:
    """The shares of the scope's charge points (`only`: of these ids), by charge point id."""
    views = _views(session, scope, only)
    powers = _active_powers(session, scope, only)
    today = _started_since(session, scope, midnight, only)
    issues = open_issues_by_charge_point(session, scope, only)
    return {
        cp_id: share_of(
            views.get(cp_id), powers.get(cp_id, ()), today.get(cp_id, (0, 0)), issues.get(cp_id)
        )
        for cp_id in views.keys() | powers.keys() | today.keys()
    }


def narrowed(
    query: Query, charge_point_id: Any, organisation_id: Any, scope: Scope, only: Ids
) -> Query:
    """A full build filters by organisation in SQL. A batch's re-read filters by charge point
    id only, one index seek per id whatever the size of the network (with both conditions
    SQLite walks the organisation's index, so a batch cost as much as the network); the
    rows then select their organisation, and `in_scope` keeps the scope's."""
    if only is None:
        return scoped(query, organisation_id, scope)
    return query.where(col(charge_point_id).in_(only))


def _views(session: Session, scope: Scope, only: Ids) -> dict[int, ChargePointView]:
    """The snapshot's `charge_point_views`, by id, from plain columns: building 30,000 ORM
    objects made a full build of 10,000 charge points take a second."""
    stations = Station.__table__  # type: ignore[attr-defined]
    cp, station = ChargePoint.__table__.c, stations.c  # type: ignore[attr-defined]
    query = select_columns(
        cp.id,
        cp.identity,
        station.name,
        station.timezone,
        cp.is_online,
        cp.registration_state,
        cp.status,
        cp.error_code,
        cp.last_seen_at,
        cp.status_at,
        cp.vendor_error_code,
        cp.organisation_id,
    ).join(stations, cp.station_id == station.id, isouter=True)
    rows = session.connection().execute(narrowed(query, cp.id, cp.organisation_id, scope, only))
    connectors = _connectors(session, scope, only)
    return {
        row[0]: ChargePointView(
            id=row[0],
            identity=row[1],
            station_name=row[2] or "",
            station_timezone=row[3] or "",  # "": no station (the operator's zone)
            online=row[4],
            registration_state=row[5],
            status=row[6],
            error_code=row[7],
            last_seen_at=row[8],
            connectors=tuple(connectors.get(row[0], ())),
            status_at=row[9],
            vendor_error_code=row[10],
        )
        for row in rows
        if row[-1] in scope
    }


def _connectors(session: Session, scope: Scope, only: Ids) -> dict[int, list[ConnectorView]]:
    c = Connector.__table__.c  # type: ignore[attr-defined]
    query = select_columns(
        c.charge_point_id,
        c.connector_id,
        c.status,
        c.error_code,
        c.vendor_error_code,
        c.status_at,
        c.organisation_id,
    ).order_by(c.charge_point_id, c.connector_id)
    rows = session.connection().execute(
        narrowed(query, c.charge_point_id, c.organisation_id, scope, only)
    )
    grouped: dict[int, list[ConnectorView]] = {}
    for cp_id, connector_id, status, error_code, vendor_code, status_at, org in rows:
        if org in scope:
            grouped.setdefault(cp_id, []).append(
                ConnectorView(connector_id, status, error_code, vendor_code, status_at)
            )
    return grouped


def _active_powers(session: Session, scope: Scope, only: Ids) -> dict[int, list[float | None]]:
    """The live power of each running session, per charge point (None: not reported)."""
    query = (
        select(
            ChargingSession.charge_point_id,
            ChargingSession.power_w,
            ChargingSession.organisation_id,
        )
        .join(ChargePoint, col(ChargePoint.id) == col(ChargingSession.charge_point_id))
        .where(ChargingSession.status == SessionStatus.ACTIVE)
    )
    query = narrowed(
        query, ChargingSession.charge_point_id, ChargingSession.organisation_id, scope, only
    )
    powers: dict[int, list[float | None]] = {}
    for cp_id, power_w, org in session.exec(query):
        if org in scope:
            powers.setdefault(int(cp_id), []).append(power_w)
    return powers


def _started_since(
    session: Session, scope: Scope, midnight: datetime, only: Ids
) -> dict[int, tuple[int, int]]:
    """(sessions, energy Wh) of the sessions started since midnight, per charge point."""
    query = (
        select(
            ChargingSession.charge_point_id,
            ChargingSession.organisation_id,
            func.count(col(ChargingSession.id)),
            func.sum(ChargingSession.energy_wh),
        )
        .where(col(ChargingSession.start_time) >= midnight)
        .group_by(col(ChargingSession.charge_point_id), col(ChargingSession.organisation_id))
    )
    query = narrowed(
        query, ChargingSession.charge_point_id, ChargingSession.organisation_id, scope, only
    )
    totals: dict[int, tuple[int, int]] = {}
    for cp_id, org, n, wh in session.exec(query):
        if org in scope:  # a moved charge point: its sessions in each organisation
            count, energy = totals.get(int(cp_id), (0, 0))
            totals[int(cp_id)] = (count + int(n), energy + int(wh or 0))
    return totals


class HomeTallies:
    """One tally per watched organisation (the publisher's Home feed). Used from one thread at
    a time; the lock only guards against a careless caller."""

    def __init__(
        self,
        scope_of: Callable[[int], Scope] = organisation_scope,
        now: Callable[[], datetime] = utc_now,
        full_every_s: float = FULL_EVERY_S,
        zone_of: Callable[[int], str] = operator_zone_of,
    ) -> None:
        self._scope_of = scope_of
        self._zone_of = zone_of  # read at each full rebuild: a changed zone applies then
        self._now = now
        self._full_every_s = full_every_s
        self._tallies: dict[int, HomeTally] = {}
        self._lock = threading.Lock()

    def summary(
        self,
        organisation_id: int,
        changed: Collection[int],
        everything: bool = False,
        metered: Collection[int] = (),
    ) -> HomeSummary:
        """Home's summary after a batch that changed these charge points (or `everything`);
        `metered`: those of them only meter values reached (`HomeTally.apply`)."""
        now, scope = self._now(), self._scope_of(organisation_id)
        with self._lock:
            tally = self._tallies.get(organisation_id)
            if tally is None or everything or tally.outdated(scope, now, self._full_every_s):
                zone = self._zone_of(organisation_id)
                tally = self._tallies[organisation_id] = HomeTally.full(scope, now, zone)
            else:
                tally.apply(changed, metered)
            return tally.summary(now)

    def keep_only(self, organisation_ids: Iterable[int]) -> frozenset[int]:
        """Forget the tallies of organisations no tab watches any more; returns the others."""
        kept = frozenset(organisation_ids)
        with self._lock:
            for organisation_id in self._tallies.keys() - kept:
                del self._tallies[organisation_id]
        return kept

    def __contains__(self, organisation_id: int) -> bool:
        return organisation_id in self._tallies
