"""Charging figures (orders, energy, charging time, amounts) per bucket or per station /
charge point / area, for organisations and an optional area, station or charge point.

Read from the roll-up (`network_hour` when the whole network is asked, `charging_hour` when
narrowed or grouped), plus what the roll-up has not seen yet, computed the same way
(`rules/spread.py`): sessions running now (their energy so far) and sessions ended since the
roll-up's last run. So a figure never waits for the job, and equals the raw computation
(`raw_figures.py`, tested) at any moment.

Buckets are days, months or years in a time zone (finance.rules.revenue): each hour row
counts in the bucket its first instant falls in. In zones whose offset is not a whole hour
(India, Nepal, ...), the hour that holds local midnight counts in the day it started in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlmodel import Session, col

from ccms_app.analytics.models import (
    ChargingDay,
    ChargingHour,
    ChargingMonth,
    NetworkHour,
    RollupCursor,
    RollupPending,
)
from ccms_app.analytics.rollup import (
    CURSOR,
    RUNNING_COLUMNS,
    EndedSession,
    ended_hours,
    ended_of,
    ended_sessions_query,
    running_hours,
)
from ccms_app.analytics.rules.decompose import pieces
from ccms_app.analytics.rules.spread import HourShare
from ccms_app.charging.models import ChargingSession, SessionStatus
from ccms_app.core.sql_sums import int_sum
from ccms_app.finance.revenue import bucket_case, in_period
from ccms_app.finance.rules.revenue import Bucket, bucket_of
from ccms_app.network.models import ChargePoint, Station


@dataclass(frozen=True)
class Narrowing:
    """Which part of the network: organisations, then at most one of area / station /
    charge point (the narrowest given wins)."""

    organisations: frozenset[int]
    area_id: int | None = None
    station_id: int | None = None
    charge_point_id: int | None = None

    @property
    def whole_network(self) -> bool:
        return self.area_id is None and self.station_id is None and self.charge_point_id is None


@dataclass
class Totals:
    """Orders, energy, charging time and amounts (per currency, minor units excl. / incl.)."""

    orders: int = 0
    energy_wh: int = 0
    charging_us: int = 0
    amounts: dict[str, tuple[int, int]] = field(default_factory=dict)

    def add(
        self, orders: int, energy_wh: int, charging_us: int, currency: str, excl: int, incl: int
    ) -> None:
        self.orders += orders
        self.energy_wh += energy_wh
        self.charging_us += charging_us
        if currency and (excl or incl or currency in self.amounts):
            old_excl, old_incl = self.amounts.get(currency, (0, 0))
            self.amounts[currency] = (old_excl + excl, old_incl + incl)

    def add_sums(self, currency: str, sums: list[int]) -> None:
        """Add a row of (orders, energy_wh, charging_us, excl, incl) in `currency`."""
        orders, energy_wh, charging_us, excl, incl = sums
        self.add(orders, energy_wh, charging_us, currency, excl, incl)

    def add_share(self, share: HourShare, currency: str) -> None:
        self.add(
            share.orders,
            share.energy_wh,
            share.charging_us,
            currency,
            share.amount_excl_minor,
            share.amount_incl_minor,
        )

    def plus(self, other: Totals) -> None:
        self.add(other.orders, other.energy_wh, other.charging_us, "", 0, 0)
        for currency, (excl, incl) in other.amounts.items():
            self.add(0, 0, 0, currency, excl, incl)

    def amount_incl(self, currency: str) -> int:
        return self.amounts.get(currency, (0, 0))[1]

    def amount_excl(self, currency: str) -> int:
        return self.amounts.get(currency, (0, 0))[0]


@dataclass(frozen=True)
class Series:
    buckets: tuple[Bucket, ...]
    values: tuple[Totals, ...]  # one per bucket
    total: Totals


GROUPS = ("station", "charge_point", "area")
# Narrowed series with at most this many buckets (months, years, a chosen range of months)
# read each bucket as month, day and hour pieces; more (30 days) read hours in one query.
MAX_PIECED_BUCKETS = 13


def charging_series(
    session: Session, narrowing: Narrowing, within: tuple[Bucket, ...], now: datetime
) -> Series:
    """The figures per bucket of `within` (contiguous, oldest first) and over them all."""
    values = [Totals() for _ in within]
    if within and narrowing.organisations:
        if narrowing.whole_network or len(within) > MAX_PIECED_BUCKETS:
            for index, currency, sums in _rolled_by_bucket(session, narrowing, within):
                values[index].add_sums(currency, sums)
        else:  # a few long buckets of part of the network: months and days, not hours
            for index, bucket in enumerate(within):
                for _key, currency, sums in _rolled_between(
                    session, narrowing, bucket.start, bucket.end, None
                ):
                    values[index].add_sums(currency, sums)
        window = (within[0].start, within[-1].end)
        for share, currency, _keys in _unrolled_shares(session, narrowing, now, window):
            at = bucket_of(share.hour, within)
            if at is not None:
                values[at].add_share(share, currency)
    total = Totals()
    for value in values:
        total.plus(value)
    return Series(within, tuple(values), total)


def charging_by(
    session: Session,
    narrowing: Narrowing,
    group: str,
    since: datetime,
    until: datetime,
    now: datetime,
) -> dict[int | None, Totals]:
    """The figures over [since, until) per station, charge point or area (id; None for
    charge points without station / stations without area)."""
    if group not in GROUPS:
        raise ValueError(f"Unknown grouping {group!r}: choose one of {', '.join(GROUPS)}")
    found: dict[int | None, Totals] = {}
    if not narrowing.organisations:
        return found
    for group_id, currency, sums in _rolled_between(session, narrowing, since, until, group):
        found.setdefault(group_id, Totals()).add_sums(currency, sums)
    groups = _groups_of(session, group)
    unrolled = _unrolled_shares(session, narrowing, now, (since, until))
    for share, currency, (cp, station) in unrolled:
        if since <= share.hour < until:
            into = cp if group == "charge_point" else station
            if group == "area":
                into = groups.get(station)
            found.setdefault(into, Totals()).add_share(share, currency)
    return found


# --- the roll-up's part ------------------------------------------------------------------------


RolledTable = type[ChargingHour] | type[ChargingDay] | type[ChargingMonth]


def _sums(table: RolledTable | type[NetworkHour]) -> list[Any]:
    return [
        col(table.currency),
        func.coalesce(func.sum(col(table.orders)), 0),
        func.coalesce(func.sum(col(table.energy_wh)), 0),
        func.coalesce(int_sum(col(table.charging_us)), 0),
        func.coalesce(func.sum(col(table.amount_excl_minor)), 0),
        func.coalesce(func.sum(col(table.amount_incl_minor)), 0),
    ]


def _rolled_between(
    session: Session, narrowing: Narrowing, since: datetime, until: datetime, group: str | None
) -> Iterable[tuple[int | None, str, list[int]]]:
    """(group id or None, currency, sums) of the roll-up over [since, until): whole UTC
    months, days and the edge hours (`rules/decompose.py`), one query per piece."""
    found = pieces(since, until)
    ranges: list[tuple[RolledTable, Any, Any, Any]] = [
        *((ChargingHour, ChargingHour.hour, a, b) for a, b in found.hours),
        *((ChargingDay, ChargingDay.day, a, b) for a, b in found.days),
        *((ChargingMonth, ChargingMonth.month, a, b) for a, b in found.months),
    ]
    for table, when, first, end in ranges:
        keys = [_group_column(table, group)] if group else []
        query = (
            _narrowed(select(*keys, *_sums(table)), narrowing, table)
            .where(col(when) >= first, col(when) < end)
            .group_by(*keys, col(table.currency))
        )
        for row in session.execute(query).all():
            group_id = _id(row[0]) if group else None
            currency, *sums = row[1:] if group else row
            yield group_id, str(currency), [int(v) for v in sums]


def _rolled_by_bucket(
    session: Session, narrowing: Narrowing, within: tuple[Bucket, ...]
) -> Iterable[tuple[int, str, list[int]]]:
    table: type[ChargingHour] | type[NetworkHour]
    if narrowing.whole_network:
        table = NetworkHour
        base = (
            select()
            .select_from(NetworkHour)
            .where(col(NetworkHour.organisation_id).in_(sorted(narrowing.organisations)))
        )
    else:
        table = ChargingHour
        base = _narrowed(select().select_from(ChargingHour), narrowing)
    hour = col(table.hour)
    inner = (
        base.add_columns(
            bucket_case(hour, within).label("bucket"),
            col(table.currency).label("currency"),
            col(table.orders).label("orders"),
            col(table.energy_wh).label("energy_wh"),
            col(table.charging_us).label("charging_us"),
            col(table.amount_excl_minor).label("excl"),
            col(table.amount_incl_minor).label("incl"),
        )
        .where(*in_period(hour, within))
        .subquery()
    )
    names = ("orders", "energy_wh", "charging_us", "excl", "incl")
    rows = session.execute(
        select(
            inner.c.bucket,
            inner.c.currency,
            *(func.coalesce(func.sum(inner.c[name]), 0) for name in names),
        ).group_by(inner.c.bucket, inner.c.currency)
    ).all()
    for bucket, currency, *sums in rows:
        yield int(bucket), str(currency), [int(v) for v in sums]


def _narrowed(
    query: Select[*tuple[Any, ...]], narrowing: Narrowing, table: RolledTable = ChargingHour
) -> Select[*tuple[Any, ...]]:
    in_scope = col(table.organisation_id).in_(sorted(narrowing.organisations))
    if narrowing.charge_point_id is not None:
        return query.where(in_scope, col(table.charge_point_id) == narrowing.charge_point_id)
    if narrowing.station_id is not None:
        return query.where(in_scope, col(table.station_id) == narrowing.station_id)
    if narrowing.area_id is not None:
        stations = select(col(Station.id)).where(col(Station.area_id) == narrowing.area_id)
        # the area's stations lead (the table's station index): see _unindexed
        return query.where(
            _unindexed(col(table.organisation_id)).in_(sorted(narrowing.organisations)),
            col(table.station_id).in_(stations),
        )
    return query.where(in_scope)


def _group_column(table: RolledTable, group: str) -> Any:
    if group == "charge_point":
        return col(table.charge_point_id)
    if group == "station":
        return col(table.station_id)
    area = select(col(Station.area_id)).where(col(Station.id) == col(table.station_id))
    return area.scalar_subquery()


def _groups_of(session: Session, group: str) -> dict[int | None, int | None]:
    """station -> area, for grouping the unrolled sessions by area."""
    if group != "area":
        return {}
    rows = session.execute(select(col(Station.id), col(Station.area_id))).all()
    return {int(s): _id(a) for s, a in rows}


def _id(value: Any) -> int | None:
    return None if value is None else int(value)


# --- what the roll-up has not seen yet ----------------------------------------------------------


def _unrolled_shares(
    session: Session, narrowing: Narrowing, now: datetime, within: tuple[datetime, datetime]
) -> list[tuple[HourShare, str, tuple[int, int | None]]]:
    """(share, currency, (charge point, station)) of the sessions running now and of those
    ended since the roll-up last saw them."""
    cursor = session.get(RollupCursor, CURSOR)
    last_id = -1 if cursor is None else cursor.last_session_id
    pending = select(col(RollupPending.session_id))
    # two queries, not an OR: each reads its own index (the id range, the pending ids)
    ended = [
        *_ended_where(session, narrowing, col(ChargingSession.id) > last_id),
        *_ended_where(session, narrowing, col(ChargingSession.id).in_(pending)),
    ]
    running = session.execute(
        _sessions_narrowed(select(*RUNNING_COLUMNS), narrowing).where(
            col(ChargingSession.status) == SessionStatus.ACTIVE.value
        )
    ).all()
    found = [*ended_hours(session, ended, within), *running_hours(running, now, within)]
    stations = _stations_of(session, {cp for _s, _c, cp in found})
    return [(share, currency, (cp, stations.get(cp))) for share, currency, cp in found]


def _ended_where(session: Session, narrowing: Narrowing, where: Any) -> list[EndedSession]:
    query = _sessions_narrowed(ended_sessions_query(), narrowing).where(where)
    return ended_of(session.execute(query).all())


def _sessions_narrowed(
    query: Select[*tuple[Any, ...]], narrowing: Narrowing
) -> Select[*tuple[Any, ...]]:
    orgs = sorted(narrowing.organisations)
    in_scope = col(ChargingSession.organisation_id).in_(orgs)
    if narrowing.charge_point_id is not None:
        return query.where(
            in_scope, col(ChargingSession.charge_point_id) == narrowing.charge_point_id
        )
    if narrowing.whole_network:
        return query.where(in_scope)
    # the station's / area's charge points lead (ix_session_cp_status): see _unindexed
    return query.where(
        _unindexed(col(ChargingSession.organisation_id)).in_(orgs),
        col(ChargingSession.charge_point_id).in_(_charge_points(narrowing)),
    )


def _unindexed(column: Any) -> Any:
    """`column + 0`: the same values, but no index can serve it. CCMS never runs ANALYZE, so
    SQLite's planner knows nothing of the data: given `organisation_id IN (...)` next to
    `charge_point_id IN (a station's charge points)` it takes the organisation index and reads
    every session (or hour row) of the network, ten to a hundred times what the narrower
    index reads. Where the narrowing is the selective term, the organisation term is kept
    (the scope) but made to filter only."""
    return column + 0


def _charge_points(narrowing: Narrowing) -> Select[*tuple[Any, ...]]:
    query = select(col(ChargePoint.id))
    if narrowing.station_id is not None:
        return query.where(col(ChargePoint.station_id) == narrowing.station_id)
    stations = select(col(Station.id)).where(col(Station.area_id) == narrowing.area_id)
    return query.where(col(ChargePoint.station_id).in_(stations))


def _stations_of(session: Session, charge_points: set[int]) -> dict[int, int | None]:
    if not charge_points:
        return {}
    rows = session.execute(
        select(col(ChargePoint.id), col(ChargePoint.station_id)).where(
            col(ChargePoint.id).in_(sorted(charge_points))
        )
    ).all()
    return {int(cp): _id(station) for cp, station in rows}
