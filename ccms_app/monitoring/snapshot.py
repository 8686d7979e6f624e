"""The live network's read-model parts: charge point views (with connectors), running
sessions, today's totals and the warning rules, read in a fixed number of queries (never one
per charge point), for any set of charge points (`only=`) or a whole scope.

The pages read a page or a few charge points at a time (live_list, home_summary, the charge
point and station pages). `load_snapshot`, the whole network at once, is no page's read model
any more: it is the reference Home's summary is tested against and the "before" of
bench/live_view.py.

"Today" is the current UTC day (00:00 UTC until now). Per-operator time zones come later.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Select, func
from sqlmodel import Session, col, select

from ccms_app.charging.data_issues import OpenIssues, open_issues_by_charge_point
from ccms_app.charging.models import ChargingSession, SessionStatus
from ccms_app.core.db import read_session
from ccms_app.core.local_time import midnight_of
from ccms_app.core.rows import stored_id
from ccms_app.core.types import utc_now
from ccms_app.network.models import (
    ChargePoint,
    Connector,
    ConnectorStatus,
    RegistrationState,
    Station,
)

# A select of any columns; scoped hands back the same type, so each row keeps its types.
Query = TypeVar("Query", bound=Select[*tuple[Any, ...]])

MAX_WARNINGS = 200  # a whole network down must not make every tab carry thousands of rows
NO_ERROR = "NoError"


@dataclass(frozen=True)
class ConnectorView:
    connector_id: int
    status: str
    error_code: str
    vendor_error_code: str = ""
    status_at: datetime | None = None


@dataclass(frozen=True)
class ChargePointView:
    id: int
    identity: str
    station_name: str
    station_timezone: str  # "" without a station: its times are in the operator's zone
    online: bool
    registration_state: str
    status: str  # connector 0: the charge point as a whole
    error_code: str
    last_seen_at: datetime | None
    connectors: tuple[ConnectorView, ...] = ()
    status_at: datetime | None = None
    vendor_error_code: str = ""

    @property
    def faulted(self) -> bool:
        return self.status == ConnectorStatus.FAULTED or any(
            c.status == ConnectorStatus.FAULTED for c in self.connectors
        )


@dataclass(frozen=True)
class ActiveSessionView:
    transaction_id: int
    charge_point_id: int
    identity: str
    connector_id: int
    id_tag: str
    start_time: datetime
    energy_kwh: float
    power_kw: float | None
    current_a: float | None
    voltage_v: float | None
    soc_percent: float | None


@dataclass(frozen=True)
class NetworkWarning:
    """kind: fault (status Faulted) | error (an error code without a fault) | offline |
    unregistered | data (unresolved charger data issues, docs/data-policy.md)."""

    kind: str
    charge_point_id: int
    identity: str
    message: str
    connector_id: int | None = None
    error_code: str = ""
    since: datetime | None = None


@dataclass(frozen=True)
class HomeCounts:
    charge_points: int = 0
    online: int = 0
    offline: int = 0  # registered charge points without a connection
    faulted: int = 0
    unregistered: int = 0
    disabled: int = 0
    connectors_by_status: dict[str, int] = field(default_factory=dict)
    active_sessions: int = 0
    live_power_kw: float = 0.0
    sessions_today: int = 0  # sessions started since 00:00 UTC
    energy_today_kwh: float = 0.0  # energy of those sessions, so far for the active ones


@dataclass(frozen=True)
class NetworkSnapshot:
    generated_at: datetime
    charge_points: tuple[ChargePointView, ...] = ()
    sessions: tuple[ActiveSessionView, ...] = ()
    warnings: tuple[NetworkWarning, ...] = ()
    counts: HomeCounts = field(default_factory=HomeCounts)


@dataclass(frozen=True)
class ChargePointDetail:
    """What the command dialog needs: connectors to pick and transactions to stop."""

    id: int
    identity: str
    online: bool
    connector_ids: tuple[int, ...]
    active_transactions: tuple[tuple[int, int], ...]  # (transaction id, connector id)


def load_snapshot(
    organisation_ids: Collection[int] | None = None, now: datetime | None = None
) -> NetworkSnapshot:
    """The live network as the pages show it; None means every organisation."""
    now = now or utc_now()
    with read_session() as session:
        charge_points = charge_point_views(session, organisation_ids)
        sessions = active_sessions(session, organisation_ids)
        sessions_today, energy_today_wh = today_totals(session, organisation_ids, now)
        issues = open_issues_by_charge_point(session, organisation_ids)
    counts = _counts(charge_points, sessions, sessions_today, energy_today_wh)
    return NetworkSnapshot(
        generated_at=now,
        charge_points=charge_points,
        sessions=sessions,
        warnings=tuple(warnings_of(charge_points, issues))[:MAX_WARNINGS],
        counts=counts,
    )


def charge_points_warnings(
    organisation_ids: Collection[int], charge_point_ids: Collection[int]
) -> list[tuple[NetworkWarning, str]]:
    """The warnings of a few charge points (a station's), each with its station's zone."""
    if not charge_point_ids:
        return []
    with read_session() as session:
        charge_points = charge_point_views(session, organisation_ids, only=charge_point_ids)
        issues = open_issues_by_charge_point(session, organisation_ids)
    zones = {cp.id: cp.station_timezone for cp in charge_points}
    return [(w, zones[w.charge_point_id]) for w in warnings_of(charge_points, issues)]


def charge_point_detail(
    charge_point_id: int, organisation_ids: Collection[int] | None = None
) -> ChargePointDetail | None:
    """One charge point's connectors and running transactions; None if unknown or out of scope."""
    with read_session() as session:
        cp = session.get(ChargePoint, charge_point_id)
        if cp is None or (
            organisation_ids is not None and cp.organisation_id not in organisation_ids
        ):
            return None
        connector_ids, transactions = connectors_and_active_transactions(session, stored_id(cp.id))
    return ChargePointDetail(
        id=stored_id(cp.id),
        identity=cp.identity,
        online=cp.is_online,
        connector_ids=connector_ids,
        active_transactions=transactions,
    )


def connectors_and_active_transactions(
    session: Session, charge_point_id: int
) -> tuple[tuple[int, ...], tuple[tuple[int, int], ...]]:
    """A charge point's connector ids, and its running (transaction id, connector id) pairs:
    what command forms offer to pick from."""
    connector_ids = session.exec(
        select(Connector.connector_id)
        .where(Connector.charge_point_id == charge_point_id)
        .order_by(col(Connector.connector_id))
    ).all()
    transactions = session.exec(
        select(ChargingSession.id, ChargingSession.connector_id)
        .where(
            ChargingSession.charge_point_id == charge_point_id,
            ChargingSession.status == SessionStatus.ACTIVE,
        )
        .order_by(col(ChargingSession.connector_id))
    ).all()
    running = tuple((stored_id(t), int(c)) for t, c in transactions)
    return tuple(connector_ids), running


def scoped(statement: Query, column: Any, organisation_ids: Collection[int] | None) -> Query:
    """Limit a select to rows of the given organisations (None: no limit)."""
    return (
        statement
        if organisation_ids is None
        else statement.where(col(column).in_(organisation_ids))
    )


def charge_point_views(
    session: Session,
    organisation_ids: Collection[int] | None,
    only: Collection[int] | None = None,
) -> tuple[ChargePointView, ...]:
    """The charge points (with connectors) by identity; `only`: just these ids (Home needs a
    handful for its warnings, never the whole network)."""
    query = scoped(
        select(ChargePoint, Station.name, Station.timezone)
        .join(Station, col(ChargePoint.station_id) == Station.id, isouter=True)
        .order_by(col(ChargePoint.identity)),
        ChargePoint.organisation_id,
        organisation_ids,
    )
    if only is not None:
        query = query.where(col(ChargePoint.id).in_(only))
    rows = session.exec(query).all()
    connectors = _connectors_by_charge_point(session, organisation_ids, only)
    return tuple(
        ChargePointView(
            id=stored_id(cp.id),
            identity=cp.identity,
            station_name=station_name or "",
            station_timezone=timezone or "",  # "": no station (the operator's zone)
            online=cp.is_online,
            registration_state=cp.registration_state,
            status=cp.status,
            error_code=cp.error_code,
            last_seen_at=cp.last_seen_at,
            connectors=tuple(connectors.get(stored_id(cp.id), ())),
            status_at=cp.status_at,
            vendor_error_code=cp.vendor_error_code,
        )
        for cp, station_name, timezone in rows
    )


def _connectors_by_charge_point(
    session: Session, organisation_ids: Collection[int] | None, only: Collection[int] | None
) -> dict[int, list[ConnectorView]]:
    query = scoped(
        select(Connector).order_by(col(Connector.charge_point_id), col(Connector.connector_id)),
        Connector.organisation_id,
        organisation_ids,
    )
    if only is not None:
        query = query.where(col(Connector.charge_point_id).in_(only))
    rows = session.exec(query).all()
    grouped: dict[int, list[ConnectorView]] = {}
    for c in rows:
        grouped.setdefault(c.charge_point_id, []).append(
            ConnectorView(
                connector_id=c.connector_id,
                status=c.status,
                error_code=c.error_code,
                vendor_error_code=c.vendor_error_code,
                status_at=c.status_at,
            )
        )
    return grouped


def active_sessions(
    session: Session, organisation_ids: Collection[int] | None, charge_point_id: int | None = None
) -> tuple[ActiveSessionView, ...]:
    """Running sessions, newest first (of one charge point if `charge_point_id`)."""
    query = scoped(
        select(ChargingSession, ChargePoint.identity)
        .join(ChargePoint, col(ChargePoint.id) == col(ChargingSession.charge_point_id))
        .where(ChargingSession.status == SessionStatus.ACTIVE)
        .order_by(col(ChargingSession.start_time).desc()),
        ChargingSession.organisation_id,
        organisation_ids,
    )
    if charge_point_id is not None:
        query = query.where(col(ChargingSession.charge_point_id) == charge_point_id)
    rows = session.exec(query).all()
    return tuple(
        ActiveSessionView(
            transaction_id=stored_id(cs.id),
            charge_point_id=cs.charge_point_id,
            identity=identity,
            connector_id=cs.connector_id,
            id_tag=cs.id_tag,
            start_time=cs.start_time,
            energy_kwh=cs.energy_wh / 1000,
            power_kw=None if cs.power_w is None else cs.power_w / 1000,
            current_a=cs.current_a,
            voltage_v=cs.voltage_v,
            soc_percent=cs.soc_percent,
        )
        for cs, identity in rows
    )


def today_totals(
    session: Session, organisation_ids: Collection[int] | None, now: datetime, zone: str = "UTC"
) -> tuple[int, int]:
    """(sessions, energy Wh) of the sessions started today: since midnight in `zone` (the
    operator's)."""
    midnight = midnight_of(now, zone)
    count, energy = session.exec(
        scoped(
            select(func.count(col(ChargingSession.id)), func.sum(ChargingSession.energy_wh)).where(
                col(ChargingSession.start_time) >= midnight
            ),
            ChargingSession.organisation_id,
            organisation_ids,
        )
    ).one()
    return int(count or 0), int(energy or 0)


def _counts(
    charge_points: tuple[ChargePointView, ...],
    sessions: tuple[ActiveSessionView, ...],
    sessions_today: int,
    energy_today_wh: int,
) -> HomeCounts:
    by_state = Counter(cp.registration_state for cp in charge_points)
    connectors = Counter(c.status for cp in charge_points for c in cp.connectors)
    registered = [
        cp for cp in charge_points if cp.registration_state == RegistrationState.REGISTERED
    ]
    return HomeCounts(
        charge_points=sum(by_state.values()),
        online=sum(1 for cp in registered if cp.online),
        offline=sum(1 for cp in registered if not cp.online),
        faulted=sum(1 for cp in charge_points if cp.faulted),
        unregistered=by_state[RegistrationState.UNREGISTERED],
        disabled=by_state[RegistrationState.DISABLED],
        connectors_by_status=dict(sorted(connectors.items())),
        active_sessions=len(sessions),
        live_power_kw=round(sum(s.power_kw or 0.0 for s in sessions), 3),
        sessions_today=sessions_today,
        energy_today_kwh=energy_today_wh / 1000,
    )


def warnings_of(
    charge_points: Iterable[ChargePointView], issues: dict[int, OpenIssues] | None = None
) -> Iterable[NetworkWarning]:
    """Faults first (what needs a technician), then offline, then charge points to register,
    then charge points whose data needs an operator's look."""
    cps = list(charge_points)
    for cp in cps:
        yield from _fault_warnings(cp)
    for cp in cps:
        if cp.registration_state == RegistrationState.REGISTERED and not cp.online:
            yield NetworkWarning(
                kind="offline",
                charge_point_id=cp.id,
                identity=cp.identity,
                message="Offline",
                since=cp.last_seen_at,
            )
    for cp in cps:
        if cp.registration_state == RegistrationState.UNREGISTERED:
            yield NetworkWarning(
                kind="unregistered",
                charge_point_id=cp.id,
                identity=cp.identity,
                message="Unregistered charge point is waiting to be registered",
                since=cp.last_seen_at,
            )
    for cp in cps:
        open_issues = (issues or {}).get(cp.id)
        if open_issues is not None:
            yield _data_warning(cp, open_issues)


def _data_warning(cp: ChargePointView, issues: OpenIssues) -> NetworkWarning:
    noun = "data issue" if issues.count == 1 else "data issues"
    return NetworkWarning(
        kind="data",
        charge_point_id=cp.id,
        identity=cp.identity,
        message=f"{issues.count} {noun}; latest: {issues.latest_detail}"[:300],
        since=issues.latest_at,
    )


def _fault_warnings(cp: ChargePointView) -> Iterable[NetworkWarning]:
    """A Faulted status, or an error code reported with another status (e.g. a warning)."""
    parts = [(0, cp.status, cp.error_code, cp.vendor_error_code, cp.status_at)] + [
        (c.connector_id, c.status, c.error_code, c.vendor_error_code, c.status_at)
        for c in cp.connectors
    ]
    for connector_id, status, error_code, vendor_code, since in parts:
        faulted = status == ConnectorStatus.FAULTED
        if not faulted and error_code in (NO_ERROR, ""):
            continue
        where = "Charge point" if connector_id == 0 else f"Connector {connector_id}"
        code = error_code + (f" ({vendor_code})" if vendor_code else "")
        yield NetworkWarning(
            kind="fault" if faulted else "error",
            charge_point_id=cp.id,
            identity=cp.identity,
            message=f"{where} {'faulted' if faulted else 'reports'}: {code}",
            connector_id=connector_id,
            error_code=error_code,
            since=since,
        )
