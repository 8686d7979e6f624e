"""Charge point state from what chargers say: connection, boot, heartbeat, status.

Functions here take an open Session (they run inside the group-commit writer) and return
what changed as NetworkEvents for the caller to publish after the commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select, update

from ccms_app.accounts.organisations import root_organisation
from ccms_app.charging import data_issues
from ccms_app.charging.rules.timestamps import ChargerTime, read_charger_time
from ccms_app.control.firmware.campaign_progress import track_firmware_status
from ccms_app.core.events import NetworkEvent
from ccms_app.core.pending_writes import insert_later, update_later
from ccms_app.core.rows import stored_id, table_of
from ccms_app.network.models import (
    ChargePoint,
    ChargePointEvent,
    Connector,
    RegistrationState,
    StatusEvent,
)

BOOT_FIELDS = {
    "charge_point_vendor": "vendor",
    "charge_point_model": "model",
    "charge_point_serial_number": "serial_number",
    "firmware_version": "firmware_version",
    "iccid": "iccid",
    "imsi": "imsi",
    "meter_type": "meter_type",
    "meter_serial_number": "meter_serial_number",
}


CHARGE_POINT_TABLE = table_of(ChargePoint)
STATUS_EVENT_TABLE = table_of(StatusEvent)
CHARGE_POINT_EVENT_TABLE = table_of(ChargePointEvent)
EVENT_DETAIL_MAX = 200  # charge_point_event.detail


# Built once (their SQL and cache key too): every group-commit batch runs them (batch_preload).
_CHARGE_POINTS_BY_IDENTITY = select(ChargePoint).where(
    col(ChargePoint.identity).in_(bindparam("identities", expanding=True))
)
_CONNECTORS_OF = select(Connector).where(
    col(Connector.charge_point_id).in_(bindparam("charge_point_ids", expanding=True))
)


class UnknownChargePointError(LookupError):
    """A message came from an identity that has no charge point row."""


def find_charge_point(session: Session, identity: str) -> ChargePoint | None:
    """The charge point row, looked up once per session: a group-commit batch carries many
    messages from the same charger, and each query would otherwise autoflush first."""
    cache: dict[str, ChargePoint] = session.info.setdefault("charge_points", {})
    charge_point = cache.get(identity)
    if charge_point is None:
        charge_point = session.exec(
            select(ChargePoint).where(ChargePoint.identity == identity)
        ).first()
        if charge_point is not None:
            cache[identity] = charge_point
    return charge_point


def cache_charge_points(session: Session, identities: set[str]) -> dict[str, ChargePoint]:
    """Load these charge points in one query into the session's cache (find_charge_point)."""
    cache: dict[str, ChargePoint] = session.info.setdefault("charge_points", {})
    missing = [identity for identity in identities if identity not in cache]
    if missing:
        for charge_point in session.exec(
            _CHARGE_POINTS_BY_IDENTITY, params={"identities": missing}
        ):
            cache[charge_point.identity] = charge_point
    return cache


def cache_connectors(session: Session, charge_point_ids: set[int]) -> None:
    """Load these charge points' connectors in one query (get_or_create_connector's cache),
    except those of charge points whose connectors this session loaded already."""
    cache: dict[tuple[int, int], Connector] = session.info.setdefault("connectors", {})
    loaded: set[int] = session.info.setdefault("connectors_of", set())
    missing = charge_point_ids - loaded
    if not missing:
        return
    for connector in session.exec(_CONNECTORS_OF, params={"charge_point_ids": list(missing)}):
        cache.setdefault((connector.charge_point_id, connector.connector_id), connector)
    loaded |= missing


def get_or_create_charge_point(session: Session, identity: str) -> tuple[ChargePoint, bool]:
    """The row for `identity`; an unknown identity is recorded as unregistered for an operator."""
    charge_point = find_charge_point(session, identity)
    if charge_point is not None:
        return charge_point, False
    charge_point = ChargePoint(
        identity=identity,
        organisation_id=stored_id(root_organisation(session).id),
        registration_state=RegistrationState.UNREGISTERED,
    )
    session.add(charge_point)
    session.flush()
    return charge_point, True


def charge_point_event(cp: ChargePoint, **data: object) -> NetworkEvent:
    return NetworkEvent(kind="charge_point", charge_point_id=cp.id, identity=cp.identity, data=data)


def record_event(session: Session, cp: ChargePoint, kind: str, detail: str, now: datetime) -> None:
    """Keep a ChargePointEvent for the event history (maintenance.events), written with the
    batch's other history rows just before the commit (pending_writes): one multi-row INSERT
    per batch, in the same transaction as the change it records."""
    insert_later(
        session,
        CHARGE_POINT_EVENT_TABLE,
        {
            "charge_point_id": stored_id(cp.id),
            "kind": kind,
            "detail": detail[:EVENT_DETAIL_MAX],
            "occurred_at": now,
        },
    )


def _seen(session: Session, cp: ChargePoint, now: datetime) -> None:
    """The charger is alive now. last_seen_at changes on every message, so it is written once
    per charge point per batch (pending_writes), not as an ORM change every query flushes;
    is_online only changes (as an ORM change, in order with mark_disconnected) when it was off."""
    set_committed_value(cp, "last_seen_at", now)
    update_later(session, CHARGE_POINT_TABLE, stored_id(cp.id), last_seen_at=now)
    if not cp.is_online:
        cp.is_online = True


def mark_connected(
    session: Session, identity: str, now: datetime
) -> tuple[ChargePoint, list[NetworkEvent]]:
    """The charge point (created, unregistered, for an unknown identity) is online now."""
    cp, created = get_or_create_charge_point(session, identity)
    _seen(session, cp, now)
    record_event(session, cp, "connected", "", now)
    return cp, [charge_point_event(cp, online=True, created=created)]


def mark_disconnected(
    session: Session, identity: str, now: datetime, reason: str = ""
) -> list[NetworkEvent]:
    """The connection is gone (`reason`: why, as the OCPP server saw it, for the history)."""
    cp = find_charge_point(session, identity)
    if cp is None:
        return []
    cp.is_online = False
    record_event(session, cp, "disconnected", reason, now)
    return [charge_point_event(cp, online=False)]


def mark_all_offline(session: Session) -> int:
    """At start-up no charger is connected yet, whatever the last run left behind."""
    result = session.exec(
        update(ChargePoint).where(col(ChargePoint.is_online).is_(True)).values(is_online=False)
    )
    return result.rowcount or 0


CLOCK_DETAILS = {
    "clock_no_timezone": "the charge point sends timestamps without a time zone; taken as UTC",
    "clock_ahead": "the charge point's clock is ahead; its future timestamps were replaced by "
    "the receive time",
    "clock_not_set": "the charge point's clock is not set (timestamps before 2015); they were "
    "replaced by the receive time",
    "clock_unreadable": "the charge point sent unreadable timestamps; they were replaced by the "
    "receive time",
}


def read_time(
    session: Session,
    cp: ChargePoint,
    value: str | None,
    now: datetime,
    events: list[NetworkEvent] | None = None,
) -> ChargerTime:
    """A charger timestamp as stored (charging.rules.timestamps); a corrected one is a data issue,
    recorded once per charge point and kind until an operator resolves it."""
    read = read_charger_time(value, now)
    if read.issue:
        detail = CLOCK_DETAILS.get(read.issue, read.note)
        payload = {"timestamp": value, "received_at": now.isoformat(), "note": read.note}
        issue = data_issues.record_issue(
            session, cp.identity, read.issue, detail, payload, cp.id, once=True
        )
        if issue is not None and events is not None:
            events.append(data_issues.issue_event(cp, read.issue))
    return read


def touch(session: Session, identity: str, now: datetime) -> ChargePoint:
    """Record that the charger is alive; create its row if it skipped BootNotification."""
    cp, _ = get_or_create_charge_point(session, identity)
    _seen(session, cp, now)
    return cp


@dataclass(frozen=True)
class BootOutcome:
    status: str  # Accepted | Pending | Rejected
    charge_point_id: int
    created: bool


def boot(
    session: Session, identity: str, boot_info: dict[str, str | None], now: datetime
) -> tuple[BootOutcome, list[NetworkEvent]]:
    """Store what the charger says about itself; decide Accepted/Pending/Rejected from its
    registration state (unknown identities become unregistered and wait as Pending)."""
    cp, created = get_or_create_charge_point(session, identity)
    for ocpp_name, column in BOOT_FIELDS.items():
        value = boot_info.get(ocpp_name)
        if value is not None:
            setattr(cp, column, value)
    cp.last_boot_at = now
    _seen(session, cp, now)
    status = {
        RegistrationState.REGISTERED: "Accepted",
        RegistrationState.DISABLED: "Rejected",
    }.get(RegistrationState(cp.registration_state), "Pending")
    outcome = BootOutcome(status=status, charge_point_id=stored_id(cp.id), created=created)
    described = " ".join(v for v in (cp.vendor, cp.model, cp.firmware_version) if v)
    record_event(session, cp, "boot", f"{status} ({described})" if described else status, now)
    return outcome, [charge_point_event(cp, boot=status, created=created)]


def get_or_create_connector(session: Session, cp: ChargePoint, connector_id: int) -> Connector:
    """The connector row (created when a charger first reports it), cached per session."""
    cache: dict[tuple[int, int], Connector] = session.info.setdefault("connectors", {})
    cp_id = stored_id(cp.id)
    key = (cp_id, connector_id)
    connector = cache.get(key)
    if connector is not None:
        return connector
    connector = session.exec(
        select(Connector).where(
            col(Connector.charge_point_id) == cp_id, col(Connector.connector_id) == connector_id
        )
    ).first()
    if connector is None:
        connector = Connector(
            charge_point_id=cp_id, organisation_id=cp.organisation_id, connector_id=connector_id
        )
        session.add(connector)
        session.flush()
    cache[key] = connector
    return connector


@dataclass(frozen=True)
class StatusReport:
    connector_id: int
    status: str
    error_code: str
    info: str | None = None
    vendor_id: str | None = None
    vendor_error_code: str | None = None
    timestamp: str | None = None


def apply_status(
    session: Session, identity: str, report: StatusReport, now: datetime
) -> list[NetworkEvent]:
    """Keep every StatusNotification as an event; move the current status only forward in time
    (a replayed, older notification does not overwrite a newer one)."""
    cp = touch(session, identity, now)
    events: list[NetworkEvent] = []
    at = read_time(session, cp, report.timestamp, now, events).at
    insert_later(  # history nobody reads in this transaction: one INSERT per batch
        session,
        STATUS_EVENT_TABLE,
        {
            "charge_point_id": stored_id(cp.id),
            "connector_id": report.connector_id,
            "status": report.status,
            "error_code": report.error_code,
            "vendor_error_code": report.vendor_error_code or "",
            "vendor_id": report.vendor_id or "",
            "info": report.info or "",
            "timestamp": at,
            "received_at": now,
        },
    )
    target: ChargePoint | Connector = (
        cp
        if report.connector_id == 0
        else get_or_create_connector(session, cp, report.connector_id)
    )
    if target.status_at is not None and at < target.status_at:
        return events
    target.status = report.status
    target.error_code = report.error_code
    target.vendor_error_code = report.vendor_error_code or ""
    if isinstance(target, Connector):
        target.info = report.info or ""
    target.status_at = at
    return [
        *events,
        NetworkEvent(
            kind="connector",
            charge_point_id=cp.id,
            identity=cp.identity,
            data={
                "connector_id": report.connector_id,
                "status": report.status,
                "error_code": report.error_code,
            },
        ),
    ]


def record_firmware_status(
    session: Session, identity: str, status: str, now: datetime
) -> list[NetworkEvent]:
    cp = touch(session, identity, now)
    cp.firmware_status = status
    cp.firmware_status_at = now
    record_event(session, cp, "firmware", status, now)
    # A firmware campaign follows its charge points through these notifications.
    campaign_events = track_firmware_status(session, cp, status, now)
    return [charge_point_event(cp, firmware_status=status), *campaign_events]


def record_diagnostics_status(
    session: Session, identity: str, status: str, now: datetime
) -> list[NetworkEvent]:
    cp = touch(session, identity, now)
    cp.diagnostics_status = status
    cp.diagnostics_status_at = now
    record_event(session, cp, "diagnostics", status, now)
    return [charge_point_event(cp, diagnostics_status=status)]
