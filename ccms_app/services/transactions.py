"""Charging sessions from StartTransaction, MeterValues and StopTransaction.

Nothing a charger reports is dropped: samples for unknown transactions are kept without a
session, and anything odd about a session is flagged for an operator.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from ccms_app.core.events import NetworkEvent
from ccms_app.domain.metering import (
    ENERGY_REGISTER,
    MeterValueError,
    Reading,
    live_readings,
    normalise,
    session_energy_wh,
)
from ccms_app.domain.timestamps import parse_charger_time
from ccms_app.models import ChargePoint, ChargingSession, MeterSample, SessionStatus
from ccms_app.services.authorization import check_id_tag
from ccms_app.services.charge_points import get_or_create_connector, touch
from ccms_app.services.reservations import use_reservation
from ocpp_server.ports import IdTagInfo

log = logging.getLogger(__name__)

DEFAULT_STOP_REASON = "Local"  # OCPP 1.6: an absent reason means Local


def _flag(cs: ChargingSession, reason: str) -> None:
    cs.flagged = True
    cs.flag_reason = f"{cs.flag_reason}; {reason}"[:200] if cs.flag_reason else reason[:200]


def session_event(cp: ChargePoint, cs: ChargingSession, **data: Any) -> NetworkEvent:
    return NetworkEvent(
        kind="session",
        charge_point_id=cp.id,
        identity=cp.identity,
        data={
            "transaction_id": cs.id,
            "connector_id": cs.connector_id,
            "status": cs.status,
            **data,
        },
    )


@dataclass(frozen=True)
class StartRequest:
    connector_id: int
    id_tag: str
    meter_start: int
    timestamp: str
    reservation_id: int | None = None


def start(
    session: Session, identity: str, req: StartRequest, now: datetime
) -> tuple[int, IdTagInfo, list[NetworkEvent]]:
    """Open a session (its id is the transactionId). A retried StartTransaction gets the
    transaction it already created; the charger has started either way, so even a refused id
    tag gets a session (the reply tells the charger to stop)."""
    cp = touch(session, identity, now)
    started_at, note = parse_charger_time(req.timestamp, now)
    existing = session.exec(
        select(ChargingSession).where(
            ChargingSession.charge_point_id == cp.id,
            ChargingSession.connector_id == req.connector_id,
            ChargingSession.id_tag == req.id_tag,
            ChargingSession.meter_start_wh == req.meter_start,
            ChargingSession.start_time == started_at,
        )
    ).first()
    if existing is not None:
        info = check_id_tag(session, req.id_tag, cp, now, ignore_session_id=existing.id)
        return existing.id, info, []
    events = _close_abandoned(session, cp, req.connector_id, started_at)
    connector = get_or_create_connector(session, cp, req.connector_id)
    info = check_id_tag(session, req.id_tag, cp, now)
    cs = ChargingSession(
        organisation_id=cp.organisation_id,
        charge_point_id=cp.id,
        connector_pk=connector.id,
        connector_id=req.connector_id,
        id_tag=req.id_tag,
        id_tag_status=info.status,
        reservation_id=req.reservation_id,
        start_time=started_at,
        meter_start_wh=req.meter_start,
    )
    if note:
        _flag(cs, note)
    if info.status != "Accepted":
        _flag(cs, f"started with id tag status {info.status}")
    session.add(cs)
    session.flush()
    use_reservation(session, cs)
    return cs.id, info, [*events, session_event(cp, cs, started=True)]


def _close_abandoned(
    session: Session, cp: ChargePoint, connector_id: int, at: datetime
) -> list[NetworkEvent]:
    """A new transaction on a connector means the charger lost the previous one's stop."""
    events = []
    for old in session.exec(
        select(ChargingSession).where(
            ChargingSession.charge_point_id == cp.id,
            ChargingSession.connector_id == connector_id,
            ChargingSession.status == SessionStatus.ACTIVE,
        )
    ):
        old.status = SessionStatus.COMPLETED
        old.stop_time = max(at, old.start_time)
        old.stop_reason = "Other"
        _flag(old, "no StopTransaction before the next transaction on this connector")
        session.add(old)
        events.append(session_event(cp, old, stopped=True))
    return events


@dataclass(frozen=True)
class StopRequest:
    transaction_id: int
    meter_stop: int
    timestamp: str
    id_tag: str | None = None
    reason: str | None = None
    transaction_data: list[dict[str, Any]] | None = None


def stop(
    session: Session, identity: str, req: StopRequest, now: datetime
) -> tuple[IdTagInfo | None, list[NetworkEvent]]:
    """Close a session. A repeated stop changes nothing and gets the same answer; a stop for an
    unknown transaction is answered too (so the charger stops retrying) and its data kept."""
    cp = touch(session, identity, now)
    info = (
        check_id_tag(session, req.id_tag, cp, now, ignore_session_id=req.transaction_id)
        if req.id_tag
        else None
    )
    cs = session.get(ChargingSession, req.transaction_id)
    if cs is None or cs.charge_point_id != cp.id:
        log.warning(
            "StopTransaction for unknown transaction",
            extra={"identity": identity, "transaction_id": req.transaction_id},
        )
        store_meter_values(session, cp, 0, None, req.transaction_data or [], now)
        return info, []
    if cs.status == SessionStatus.COMPLETED and cs.meter_stop_wh is not None:
        return info, []
    stopped_at, note = parse_charger_time(req.timestamp, now)
    cs.status = SessionStatus.COMPLETED
    cs.stop_time = max(stopped_at, cs.start_time)
    cs.meter_stop_wh = req.meter_stop
    cs.stop_reason = req.reason or DEFAULT_STOP_REASON
    cs.stop_id_tag = req.id_tag
    energy = session_energy_wh(cs.meter_start_wh, req.meter_stop)
    if energy is None:
        cs.energy_wh = 0
        _flag(cs, f"meterStop {req.meter_stop} below meterStart {cs.meter_start_wh}")
    else:
        cs.energy_wh = energy
    if note:
        _flag(cs, note)
    cs.power_w = 0.0
    cs.current_a = 0.0
    session.add(cs)
    store_meter_values(session, cp, cs.connector_id, cs, req.transaction_data or [], now)
    return info, [session_event(cp, cs, stopped=True)]


@dataclass(frozen=True)
class MeterRequest:
    connector_id: int
    meter_value: list[dict[str, Any]]
    transaction_id: int | None = None


def meter_values(
    session: Session, identity: str, req: MeterRequest, now: datetime
) -> list[NetworkEvent]:
    cp = touch(session, identity, now)
    cs = session.get(ChargingSession, req.transaction_id) if req.transaction_id else None
    if cs is not None and cs.charge_point_id != cp.id:
        cs = None
    updated = store_meter_values(session, cp, req.connector_id, cs, req.meter_value, now)
    if cs is None or not updated:
        return []
    return [session_event(cp, cs, meter=True)]


def store_meter_values(
    session: Session,
    cp: ChargePoint,
    connector_id: int,
    cs: ChargingSession | None,
    groups: list[dict[str, Any]],
    now: datetime,
) -> bool:
    """Store every sampled value; refresh the session's live readings from the newest group.
    Returns True when the session's live readings changed."""
    newest: tuple[datetime, list[Reading]] | None = None
    for group in groups:
        at, _ = parse_charger_time(group.get("timestamp"), now)
        readings = [
            _store_sample(session, cp, connector_id, cs, at, sv)
            for sv in group.get("sampled_value", [])
        ]
        readings = [r for r in readings if r is not None]
        if readings and (newest is None or at >= newest[0]):
            newest = (at, readings)
    if cs is None or newest is None or cs.status != SessionStatus.ACTIVE:
        return False
    at, readings = newest
    if cs.meter_updated_at is not None and at < cs.meter_updated_at:
        return False
    live = live_readings(readings)
    cs.power_w = live.power_w if live.power_w is not None else cs.power_w
    cs.current_a = live.current_a if live.current_a is not None else cs.current_a
    cs.voltage_v = live.voltage_v if live.voltage_v is not None else cs.voltage_v
    cs.soc_percent = live.soc_percent if live.soc_percent is not None else cs.soc_percent
    energy = session_energy_wh(cs.meter_start_wh, live.energy_register_wh)
    if energy is not None:
        cs.energy_wh = energy
    cs.meter_updated_at = at
    session.add(cs)
    return True


def _store_sample(
    session: Session,
    cp: ChargePoint,
    connector_id: int,
    cs: ChargingSession | None,
    at: datetime,
    sampled: dict[str, Any],
) -> Reading | None:
    raw_value = str(sampled.get("value", ""))
    raw_unit = sampled.get("unit") or ""
    sample = MeterSample(
        charge_point_id=cp.id,
        connector_id=connector_id,
        session_id=cs.id if cs else None,
        timestamp=at,
        measurand=sampled.get("measurand") or ENERGY_REGISTER,
        phase=sampled.get("phase"),
        location=sampled.get("location"),
        context=sampled.get("context"),
        unit=raw_unit,
        raw_value=raw_value[:64],
        raw_unit=raw_unit[:16],
    )
    try:
        sample.measurand, sample.value, sample.unit = normalise(
            raw_value, raw_unit, sampled.get("measurand")
        )
    except MeterValueError:
        # Kept raw (e.g. SignedData): value stays None, raw_value holds what was sent.
        session.add(sample)
        return None
    session.add(sample)
    return Reading(
        measurand=sample.measurand,
        value=sample.value,
        unit=sample.unit,
        phase=sample.phase,
        location=sample.location,
        context=sample.context,
    )
