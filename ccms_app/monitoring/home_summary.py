"""Home's read model: counts and totals from aggregate queries, plus the few warnings Home
shows, never a row per charge point.

Home used to receive the whole network snapshot (2.3 MB at 10,000 charge points) to print a
dozen numbers. Here every figure is a COUNT/SUM in the database, and the first warnings come
from the handful of charge points that can produce them (each kind is limited in SQL), so
the cost and the payload stay the same size whatever the size of the network. The numbers
and the order of the warnings are the ones the full snapshot gives (tests compare them).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, not_, or_
from sqlmodel import Session, col, select

from ccms_app.charging.data_issues import open_issues_by_charge_point
from ccms_app.charging.models import ChargingSession, SessionStatus
from ccms_app.core.db import read_session
from ccms_app.core.types import utc_now
from ccms_app.monitoring.snapshot import (
    NO_ERROR,
    HomeCounts,
    NetworkWarning,
    charge_point_views,
    scoped,
    today_totals,
    warnings_of,
)
from ccms_app.network.models import ChargePoint, Connector, ConnectorStatus, RegistrationState

WARNINGS_SHOWN = 5


@dataclass(frozen=True)
class HomeSummary:
    generated_at: datetime
    counts: HomeCounts = field(default_factory=HomeCounts)
    warnings: tuple[NetworkWarning, ...] = ()  # the first few, in Live Monitoring's order
    warnings_total: int = 0
    # charge point -> station zone, for the warnings shown
    zones: Mapping[int, str] = field(default_factory=dict)
    zone: str = "UTC"  # the operator's: where "today" starts, and the clock "updated" reads


def load_home_summary(
    organisation_ids: Collection[int] | None = None,
    now: datetime | None = None,
    warnings_shown: int = WARNINGS_SHOWN,
    zone: str = "UTC",
) -> HomeSummary:
    """What Home shows for these organisations (None: every organisation); "today" is the
    day in `zone`, the operator's."""
    now = now or utc_now()
    with read_session() as session:
        counts = _counts(session, organisation_ids, now, zone)
        warnings, total, zones = _first_warnings(session, organisation_ids, warnings_shown)
    return HomeSummary(now, counts, warnings, total, zones, zone)


def _counts(
    session: Session, org_ids: Collection[int] | None, now: datetime, zone: str
) -> HomeCounts:
    by_state: dict[tuple[str, bool], int] = {
        (str(state), bool(online)): int(n)
        for state, online, n in session.exec(
            scoped(
                select(
                    ChargePoint.registration_state, ChargePoint.is_online, func.count()
                ).group_by(col(ChargePoint.registration_state), col(ChargePoint.is_online)),
                ChargePoint.organisation_id,
                org_ids,
            )
        )
    }
    sessions_today, energy_today_wh = today_totals(session, org_ids, now, zone)
    active, power_w = _active_sessions(session, org_ids)

    def registered(online: bool) -> int:
        return by_state.get((RegistrationState.REGISTERED, online), 0)

    def in_state(state: str) -> int:
        return by_state.get((state, True), 0) + by_state.get((state, False), 0)

    return HomeCounts(
        charge_points=sum(by_state.values()),
        online=registered(True),
        offline=registered(False),
        faulted=_count(session, org_ids, _faulted()),
        unregistered=in_state(RegistrationState.UNREGISTERED),
        disabled=in_state(RegistrationState.DISABLED),
        connectors_by_status=_connectors_by_status(session, org_ids),
        active_sessions=active,
        live_power_kw=round(power_w / 1000, 3),
        sessions_today=sessions_today,
        energy_today_kwh=energy_today_wh / 1000,
    )


def _connectors_by_status(session: Session, org_ids: Collection[int] | None) -> dict[str, int]:
    rows = session.exec(
        scoped(
            select(Connector.status, func.count()).group_by(col(Connector.status)),
            Connector.organisation_id,
            org_ids,
        )
    )
    return dict(sorted((str(status), int(n)) for status, n in rows))


def _active_sessions(session: Session, org_ids: Collection[int] | None) -> tuple[int, float]:
    count, power_w = session.exec(
        scoped(
            select(func.count(col(ChargingSession.id)), func.sum(ChargingSession.power_w))
            .join(ChargePoint, col(ChargePoint.id) == col(ChargingSession.charge_point_id))
            .where(ChargingSession.status == SessionStatus.ACTIVE),
            ChargingSession.organisation_id,
            org_ids,
        )
    ).one()
    return int(count or 0), float(power_w or 0.0)


def _reports_error(status: Any, error_code: Any) -> ColumnElement[bool]:
    """The condition of a fault warning: Faulted, or an error code with another status."""
    return or_(status == ConnectorStatus.FAULTED, not_(col(error_code).in_((NO_ERROR, ""))))


def _connector_of_charge_point(condition: ColumnElement[bool]) -> ColumnElement[bool]:
    return exists().where(and_(col(Connector.charge_point_id) == col(ChargePoint.id), condition))


def _faulted() -> ColumnElement[bool]:
    return or_(
        col(ChargePoint.status) == ConnectorStatus.FAULTED,
        _connector_of_charge_point(col(Connector.status) == ConnectorStatus.FAULTED),
    )


def _fault_candidates() -> ColumnElement[bool]:
    return or_(
        _reports_error(ChargePoint.status, ChargePoint.error_code),
        _connector_of_charge_point(_reports_error(Connector.status, Connector.error_code)),
    )


def _offline() -> ColumnElement[bool]:
    return and_(
        col(ChargePoint.registration_state) == RegistrationState.REGISTERED,
        not_(col(ChargePoint.is_online)),
    )


def _unregistered() -> ColumnElement[bool]:
    return col(ChargePoint.registration_state) == RegistrationState.UNREGISTERED


def _count(session: Session, org_ids: Collection[int] | None, where: ColumnElement[bool]) -> int:
    query = select(func.count()).select_from(ChargePoint).where(where)
    return int(session.exec(scoped(query, ChargePoint.organisation_id, org_ids)).one())


def _first_ids(
    session: Session, org_ids: Collection[int] | None, where: ColumnElement[bool], n: int
) -> list[int]:
    query = select(ChargePoint.id).where(where).order_by(col(ChargePoint.identity)).limit(n)
    rows = session.exec(scoped(query, ChargePoint.organisation_id, org_ids))
    return [int(i) for i in rows if i is not None]


def _fault_warning_total(session: Session, org_ids: Collection[int] | None) -> int:
    """One warning per faulted or erroring part: the charge point itself and each connector."""
    connectors = session.exec(
        scoped(
            select(func.count())
            .select_from(Connector)
            .where(_reports_error(Connector.status, Connector.error_code)),
            Connector.organisation_id,
            org_ids,
        )
    ).one()
    own = _count(session, org_ids, _reports_error(ChargePoint.status, ChargePoint.error_code))
    return own + int(connectors)


def _first_warnings(
    session: Session, org_ids: Collection[int] | None, shown: int
) -> tuple[tuple[NetworkWarning, ...], int, dict[int, str]]:
    """The first `shown` warnings of Live Monitoring's list, and how many there are in all.

    Each kind's first `shown` charge points (by identity) are enough to find the first
    `shown` warnings, so only those are loaded and run through the snapshot's own rules.
    """
    issues = open_issues_by_charge_point(session, org_ids)
    ids: set[int] = set(_first_ids(session, org_ids, col(ChargePoint.id).in_(issues), shown))
    for where in (_fault_candidates(), _offline(), _unregistered()):
        ids.update(_first_ids(session, org_ids, where, shown))
    views = charge_point_views(session, org_ids, only=ids) if ids else ()
    total = (
        _fault_warning_total(session, org_ids)
        + _count(session, org_ids, _offline())
        + _count(session, org_ids, _unregistered())
        + len(issues)
    )
    warnings = tuple(islice(warnings_of(views, issues), shown))
    zones = {cp.id: cp.station_timezone for cp in views}
    return warnings, total, {w.charge_point_id: zones[w.charge_point_id] for w in warnings}
