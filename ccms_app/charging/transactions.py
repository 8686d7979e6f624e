"""Charging sessions from StartTransaction, MeterValues and StopTransaction.

docs/data-policy.md is the contract this module implements. In short: every message is
answered so the charger never retries forever; nothing a charger reports is dropped (samples
for unknown transactions are kept without a session); messages replayed late are applied by
their own timestamps; and anything that cannot be applied as sent is flagged on the session
and/or kept as a ChargerDataIssue for an operator.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from ccms_app.charging import data_issues
from ccms_app.charging.models import ChargingSession, MeterSample, SessionStatus
from ccms_app.charging.reservations import use_reservation
from ccms_app.charging.rules.metering import (
    ENERGY_REGISTER,
    MeterValueError,
    Reading,
    RegisterBreak,
    RegisterReading,
    continues,
    count_energy,
    live_readings,
    normalise,
)
from ccms_app.charging.session_flags import flag_session
from ccms_app.core.events import NetworkEvent
from ccms_app.drivers.authorization import check_id_tag
from ccms_app.network.charge_points import get_or_create_connector, read_time, touch
from ccms_app.network.models import ChargePoint
from ocpp_server.ports import IdTagInfo

log = logging.getLogger(__name__)

DEFAULT_STOP_REASON = "Local"  # OCPP 1.6: an absent reason means Local
NO_TRANSACTION_IDS = (0, -1)  # what chargers send when they never got a transaction id

Group = tuple[datetime, list[Reading]]  # one meterValue element: its time and readable values


REGISTER_FLAG = "energy register"  # in every register-break flag; see _count_energy


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


def _issue(
    session: Session,
    cp: ChargePoint,
    kind: str,
    detail: str,
    payload: Any,
    events: list[NetworkEvent],
) -> None:
    """Record a data issue (once while an identical one is open) and tell the live pages."""
    if data_issues.record_issue(session, cp.identity, kind, detail, payload, cp.id, once=True):
        events.append(data_issues.issue_event(cp, kind))


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
    events: list[NetworkEvent] = []
    started = read_time(session, cp, req.timestamp, now, events)
    existing = session.exec(
        select(ChargingSession).where(
            ChargingSession.charge_point_id == cp.id,
            ChargingSession.connector_id == req.connector_id,
            ChargingSession.id_tag == req.id_tag,
            ChargingSession.meter_start_wh == req.meter_start,
            ChargingSession.start_time == started.at,
        )
    ).first()
    if existing is not None:
        info = check_id_tag(session, req.id_tag, cp, now, ignore_session_id=existing.id)
        return existing.id, info, events
    events += _close_abandoned(session, cp, req.connector_id, started.at)
    connector = (
        get_or_create_connector(session, cp, req.connector_id) if req.connector_id > 0 else None
    )
    info = check_id_tag(session, req.id_tag, cp, now)
    cs = ChargingSession(
        organisation_id=cp.organisation_id,
        charge_point_id=cp.id,
        connector_pk=connector.id if connector else None,
        connector_id=req.connector_id,
        id_tag=req.id_tag,
        id_tag_status=info.status,
        reservation_id=req.reservation_id,
        start_time=started.at,
        meter_start_wh=req.meter_start,
    )
    if started.note:
        flag_session(cs, started.note)
    if info.status != "Accepted":
        flag_session(cs, f"started with id tag status {info.status}")
    if connector is None:
        flag_session(cs, f"transaction on connector {req.connector_id} (OCPP requires 1 or more)")
    session.add(cs)
    session.flush()
    use_reservation(session, cs)
    return cs.id, info, [*events, session_event(cp, cs, started=True)]


def _close_abandoned(
    session: Session, cp: ChargePoint, connector_id: int, at: datetime
) -> list[NetworkEvent]:
    """A new transaction on a connector means the charger lost the previous one's stop.

    Only sessions that started before the new one count: a StartTransaction replayed late
    (older than the session running now) is history, not a sign that the running one ended.
    """
    events = []
    for old in session.exec(
        select(ChargingSession).where(
            ChargingSession.charge_point_id == cp.id,
            ChargingSession.connector_id == connector_id,
            ChargingSession.status == SessionStatus.ACTIVE,
            col(ChargingSession.start_time) <= at,
        )
    ):
        old.status = SessionStatus.COMPLETED
        old.stop_time = max(at, old.start_time)
        old.stop_reason = "Other"
        flag_session(old, "no StopTransaction before the next transaction on this connector")
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
    """Close a session. Whatever the transaction id, the charger gets its answer (IdTagInfo
    when it sent an idTag), so it stops retrying; what cannot be applied becomes a data issue.
    A repeated stop changes nothing and gets the same answer."""
    cp = touch(session, identity, now)
    info = _stop_answer(session, cp, req.id_tag, now)
    events: list[NetworkEvent] = []
    cs = _session_of(session, cp, req.transaction_id)
    if cs is None:
        _stop_unknown(session, cp, req, now, events)
        return info, events
    stopped = read_time(session, cp, req.timestamp, now, events)
    stop_time = max(stopped.at, cs.start_time)
    if cs.meter_stop_wh is not None:
        _stop_repeated(session, cp, cs, req, stop_time, events)
        return info, events
    cs.status = SessionStatus.COMPLETED
    cs.stop_time = stop_time
    cs.stop_reason = req.reason or DEFAULT_STOP_REASON
    cs.stop_id_tag = req.id_tag
    groups = _store_groups(session, cp, cs.connector_id, cs, req.transaction_data or [], now)
    final = RegisterReading(stop_time, req.meter_stop)
    _count_energy(session, cp, cs, [*_registers(cs, groups), final], events, final)
    cs.meter_stop_wh = req.meter_stop
    if stopped.note:
        flag_session(cs, stopped.note)
    cs.power_w = 0.0
    cs.current_a = 0.0
    session.add(cs)
    return info, [*events, session_event(cp, cs, stopped=True)]


def _stop_answer(
    session: Session, cp: ChargePoint, id_tag: str | None, now: datetime
) -> IdTagInfo | None:
    """The IdTagInfo for a stop says whether the tag is valid. The charger caches it, so it is
    never ConcurrentTx (the tag's other sessions do not make it invalid to use again)."""
    if not id_tag:
        return None
    info = check_id_tag(session, id_tag, cp, now)
    return replace(info, status="Accepted") if info.status == "ConcurrentTx" else info


def _stop_unknown(
    session: Session, cp: ChargePoint, req: StopRequest, now: datetime, events: list[NetworkEvent]
) -> None:
    """No such transaction on this charge point: keep its meter data without a session."""
    log.warning(
        "StopTransaction for unknown transaction",
        extra={"identity": cp.identity, "transaction_id": req.transaction_id},
    )
    _store_groups(session, cp, 0, None, req.transaction_data or [], now)
    if req.transaction_id in NO_TRANSACTION_IDS:
        detail = (
            f"StopTransaction with transactionId {req.transaction_id} (the charge point never "
            f"got a transaction id), meterStop {req.meter_stop} at {req.timestamp}"
        )
    else:
        detail = (
            f"StopTransaction for unknown transaction {req.transaction_id}, "
            f"meterStop {req.meter_stop} at {req.timestamp}"
        )
    _issue(session, cp, data_issues.STOP_UNKNOWN_TRANSACTION, detail, asdict(req), events)


def _stop_repeated(
    session: Session,
    cp: ChargePoint,
    cs: ChargingSession,
    req: StopRequest,
    stop_time: datetime,
    events: list[NetworkEvent],
) -> None:
    """A retry is normal; a second stop that says something else is kept for an operator."""
    sent = (req.meter_stop, stop_time, req.reason or DEFAULT_STOP_REASON, req.id_tag)
    stored = (cs.meter_stop_wh, cs.stop_time, cs.stop_reason, cs.stop_id_tag)
    if sent == stored:
        return
    detail = (
        f"second StopTransaction for transaction {cs.id} differs from the first "
        f"(meterStop {req.meter_stop} vs {cs.meter_stop_wh}, timestamp {req.timestamp}); "
        "the session keeps the first"
    )
    _issue(session, cp, data_issues.STOP_REPEATED_DIFFERENT, detail, asdict(req), events)


@dataclass(frozen=True)
class MeterRequest:
    connector_id: int
    meter_value: list[dict[str, Any]]
    transaction_id: int | None = None


def meter_values(
    session: Session, identity: str, req: MeterRequest, now: datetime
) -> list[NetworkEvent]:
    """Store every sample; a running session's live readings and energy follow them."""
    cp = touch(session, identity, now)
    events: list[NetworkEvent] = []
    cs = _session_of(session, cp, req.transaction_id)
    groups = _store_groups(session, cp, req.connector_id, cs, req.meter_value, now, events)
    if cs is None:
        if req.transaction_id is not None:
            detail = (
                f"MeterValues for unknown transaction {req.transaction_id}: "
                "samples kept without a session"
            )
            kind = data_issues.METER_VALUES_UNKNOWN_TRANSACTION
            _issue(session, cp, kind, detail, asdict(req), events)
        return events
    energy_before = cs.energy_wh
    live_changed = False
    if cs.status == SessionStatus.ACTIVE:
        _count_energy(session, cp, cs, _registers(cs, groups), events)
        live_changed = _update_live(cs, groups)
    else:
        detail = (
            f"MeterValues for finished transaction {cs.id}: samples kept with the session; "
            "those inside its start and stop count by their timestamps"
        )
        kind = data_issues.METER_VALUES_FINISHED_TRANSACTION
        _issue(session, cp, kind, detail, asdict(req), events)
        _count_energy(session, cp, cs, _registers(cs, groups), events)
    if not live_changed and cs.energy_wh == energy_before:
        return events
    session.add(cs)
    return [*events, session_event(cp, cs, meter=True)]


def _session_of(
    session: Session, cp: ChargePoint, transaction_id: int | None
) -> ChargingSession | None:
    """The charge point's own session with this id (another charger's is not its to change)."""
    cs = session.get(ChargingSession, transaction_id) if transaction_id is not None else None
    return cs if cs is not None and cs.charge_point_id == cp.id else None


def _update_live(cs: ChargingSession, groups: list[Group]) -> bool:
    """Show the newest group's readings; a group older than what is shown changes nothing."""
    newest = max((g for g in groups if g[1]), key=lambda g: g[0], default=None)
    if newest is None:
        return False
    at, readings = newest
    if cs.meter_updated_at is not None and at < cs.meter_updated_at:
        return False
    live = live_readings(readings)
    cs.power_w = live.power_w if live.power_w is not None else cs.power_w
    cs.current_a = live.current_a if live.current_a is not None else cs.current_a
    cs.voltage_v = live.voltage_v if live.voltage_v is not None else cs.voltage_v
    cs.soc_percent = live.soc_percent if live.soc_percent is not None else cs.soc_percent
    cs.meter_updated_at = at
    return True


# --- energy -------------------------------------------------------------------------------


def _in_session(cs: ChargingSession, at: datetime) -> bool:
    return at >= cs.start_time and (cs.stop_time is None or at <= cs.stop_time)


def _register(at: datetime, readings: list[Reading]) -> RegisterReading | None:
    wh = live_readings(readings).energy_register_wh
    return None if wh is None else RegisterReading(at, round(wh))


def _registers(cs: ChargingSession, groups: list[Group]) -> list[RegisterReading]:
    """The energy register readings of `groups` that fall inside the session's time."""
    readings = (_register(at, group) for at, group in groups if _in_session(cs, at))
    return [r for r in readings if r is not None]


def _count_energy(
    session: Session,
    cp: ChargePoint,
    cs: ChargingSession,
    new: list[RegisterReading],
    events: list[NetworkEvent],
    final: RegisterReading | None = None,
) -> None:
    """Apply new register readings to the session's energy (metering.count_energy's rule).

    Fast path, the usual case: a running (or now stopping) session without a register break
    so far (its flag reason has no REGISTER_FLAG, so its last register reading is meter start
    + energy) whose new readings come in time order and continue from it. Anything else (a
    break, readings replayed out of order, a finished session) recounts the session from its
    stored samples, ordered by timestamp.
    """
    if not new:
        return
    ordered = sorted(new, key=lambda r: r.at)
    last = RegisterReading(cs.meter_updated_at or cs.start_time, cs.meter_start_wh + cs.energy_wh)
    fast = (
        REGISTER_FLAG not in cs.flag_reason
        and cs.meter_stop_wh is None
        and (cs.status == SessionStatus.ACTIVE or final is not None)
        and ordered[0].at >= last.at
    )
    for reading in ordered if fast else ():
        if not continues(last, reading):
            fast = False
            break
        last = reading
    if fast:
        cs.energy_wh = ordered[-1].wh - cs.meter_start_wh
        return
    count = count_energy(cs.meter_start_wh, cs.start_time, _stored_registers(session, cs, final))
    cs.energy_wh = count.energy_wh
    new_times = {r.at for r in new}
    for brk in count.breaks:
        if brk.at in new_times:
            _report_break(session, cp, cs, brk, final, events)


def _stored_registers(
    session: Session, cs: ChargingSession, final: RegisterReading | None
) -> list[RegisterReading]:
    """Every register reading stored for the session inside its time, then its meterStop."""
    rows = session.exec(
        select(MeterSample.timestamp, MeterSample.value, MeterSample.phase, MeterSample.location)
        .where(
            MeterSample.session_id == cs.id,
            MeterSample.measurand == ENERGY_REGISTER,
            col(MeterSample.value).is_not(None),
        )
        .order_by(col(MeterSample.timestamp), col(MeterSample.id))
    ).all()
    by_time: dict[datetime, list[Reading]] = {}
    for at, value, phase, location in rows:
        by_time.setdefault(at, []).append(
            Reading(ENERGY_REGISTER, float(value), "Wh", phase=phase, location=location)
        )
    readings = _registers(cs, list(by_time.items()))
    if final is None and cs.meter_stop_wh is not None and cs.stop_time is not None:
        final = RegisterReading(cs.stop_time, cs.meter_stop_wh)
    return [*readings, final] if final is not None else readings


def _report_break(
    session: Session,
    cp: ChargePoint,
    cs: ChargingSession,
    brk: RegisterBreak,
    final: RegisterReading | None,
    events: list[NetworkEvent],
) -> None:
    is_stop = final is not None and brk.at == final.at and brk.after_wh == final.wh
    if is_stop and brk.kind == "down" and brk.before_wh == cs.meter_start_wh:
        flag = f"meterStop {brk.after_wh} below meterStart {brk.before_wh}"
    elif brk.kind == "down":
        flag = f"{REGISTER_FLAG} went down from {brk.before_wh} to {brk.after_wh} Wh"
    else:
        flag = f"{REGISTER_FLAG} jumped from {brk.before_wh} to {brk.after_wh} Wh"
    flag_session(cs, flag, keep=True)
    detail = (
        f"transaction {cs.id}: {flag} at {brk.at.isoformat()}; the energy counted before is "
        "kept and counting continues from the new value"
    )
    payload = {"transaction_id": cs.id, **asdict(brk), "kind": brk.kind}
    _issue(session, cp, data_issues.ENERGY_REGISTER_BREAK, detail, payload, events)


# --- samples ------------------------------------------------------------------------------


def _store_groups(
    session: Session,
    cp: ChargePoint,
    connector_id: int,
    cs: ChargingSession | None,
    groups: list[dict[str, Any]],
    now: datetime,
    events: list[NetworkEvent] | None = None,
) -> list[Group]:
    """Store every sampled value (unreadable ones raw); return each group's readable values."""
    stored: list[Group] = []
    for group in groups:
        at = read_time(session, cp, group.get("timestamp"), now, events).at
        readings = [
            _store_sample(session, cp, connector_id, cs, at, sv)
            for sv in group.get("sampled_value", [])
        ]
        stored.append((at, [r for r in readings if r is not None]))
    return stored


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
