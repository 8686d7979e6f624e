"""The energy a charging session counts, from the meter samples its charger sends.

Every sampled value is stored (unreadable ones raw, see docs/data-policy.md); the energy
register readings inside the session's time then count its energy by
`rules.metering.count_energy`'s rule. A register that goes down or jumps flags the session and
becomes a data issue for an operator.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from ccms_app.charging import data_issues
from ccms_app.charging.models import OPEN_STATUSES, ChargingSession, MeterSample
from ccms_app.charging.rules.metering import (
    ENERGY_REGISTER,
    LiveReadings,
    MeterValueError,
    Reading,
    RegisterBreak,
    RegisterReading,
    advance,
    beyond_rounding,
    bounded_by_stop,
    count_energy,
    live_readings,
    normalise,
)
from ccms_app.charging.session_flags import flag_session
from ccms_app.core.events import NetworkEvent
from ccms_app.core.pending_writes import (
    insert_later,
    set_committed_values,
    update_from_later,
    write_pending,
)
from ccms_app.core.rows import stored_id, table_of
from ccms_app.network.charge_points import read_time
from ccms_app.network.models import ChargePoint

Group = tuple[datetime, list[Reading]]  # one meterValue element: its time and readable values

METER_SAMPLE_TABLE = table_of(MeterSample)
SESSION_TABLE = table_of(ChargingSession)
# What every MeterValues of a running session moves: written per batch (see set_live).
LIVE_COLUMNS = (
    "energy_wh",
    "power_w",
    "current_a",
    "voltage_v",
    "soc_percent",
    "meter_updated_at",
)
REGISTER_FLAG = "energy register"  # in every register-break flag; see count_session_energy


# --- samples ------------------------------------------------------------------------------


def store_groups(
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
    cp_id, session_id = stored_id(cp.id), (cs.id if cs else None)
    for group in groups:
        at = read_time(session, cp, group.get("timestamp"), now, events).at
        readings = []
        for sampled in group.get("sampled_value", []):
            reading = _store_sample(session, cp_id, connector_id, session_id, at, sampled)
            if reading is not None:
                readings.append(reading)
        stored.append((at, readings))
    return stored


def _store_sample(
    session: Session,
    cp_id: int,
    connector_id: int,
    session_id: int | None,
    at: datetime,
    sampled: dict[str, Any],
) -> Reading | None:
    """Queue the sample as a plain row (one multi-row INSERT per batch, see pending_writes)."""
    raw_value = str(sampled.get("value", ""))
    raw_unit = sampled.get("unit") or ""
    measurand = sampled.get("measurand") or ENERGY_REGISTER
    value: float | None
    unit = raw_unit
    try:
        measurand, value, unit = normalise(raw_value, raw_unit, sampled.get("measurand"))
    except MeterValueError:  # unreadable (e.g. SignedData): kept raw, raw_value holds it
        value = None
    phase, location, context = sampled.get("phase"), sampled.get("location"), sampled.get("context")
    row: dict[str, Any] = {
        "charge_point_id": cp_id,
        "connector_id": connector_id,
        "session_id": session_id,
        "timestamp": at,
        "measurand": measurand,
        "phase": phase,
        "location": location,
        "context": context,
        "value": value,
        "unit": unit,
        "raw_value": raw_value[:64],
        "raw_unit": raw_unit[:16],
    }
    insert_later(session, METER_SAMPLE_TABLE, row)
    if value is None:
        return None
    return Reading(
        measurand=measurand,
        value=value,
        unit=unit,
        phase=phase,
        location=location,
        context=context,
    )


# --- energy -------------------------------------------------------------------------------


def set_live(session: Session, cs: ChargingSession, **values: Any) -> None:
    """Set some of LIVE_COLUMNS on a stored session. They change with every MeterValues, so
    instead of an ORM change each (tracked, flushed, an UPDATE per session) the row's
    LIVE_COLUMNS are written once per batch as the session object ends up, in one UPDATE
    statement with the other sessions' (pending_writes.update_from_later)."""
    if cs.id is None:  # not stored yet: its INSERT carries the values
        for name, value in values.items():
            setattr(cs, name, value)
        return
    set_committed_values(cs, values)
    update_from_later(session, SESSION_TABLE, cs.id, cs, LIVE_COLUMNS)


def _in_session(cs: ChargingSession, at: datetime) -> bool:
    return at >= cs.start_time and (cs.stop_time is None or at <= cs.stop_time)


def _register(at: datetime, live: LiveReadings) -> RegisterReading | None:
    wh = live.energy_register_wh
    return None if wh is None else RegisterReading(at, round(wh))


def registers(
    cs: ChargingSession, groups: list[Group], lives: list[LiveReadings] | None = None
) -> list[RegisterReading]:
    """The energy register readings of `groups` that fall inside the session's time. `lives`:
    each group's live_readings when the caller has them already (MeterValues needs them too)."""
    if lives is None:
        lives = [live_readings(readings) for _, readings in groups]
    found = (
        _register(at, live)
        for (at, _), live in zip(groups, lives, strict=True)
        if _in_session(cs, at)
    )
    return [r for r in found if r is not None]


def count_session_energy(
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
        and (cs.status in OPEN_STATUSES or final is not None)
        and ordered[0].at >= last.at
    )
    for reading in ordered if fast else ():
        counted = advance(last, reading)
        if counted is None:
            fast = False
            break
        last = counted
    if fast:
        energy_wh = last.wh - cs.meter_start_wh
        if final is not None:  # a meterStop a rounding below the last sample is the figure
            energy_wh = _bounded(cs, energy_wh, final)
        set_live(session, cs, energy_wh=energy_wh)
        return
    count = count_energy(cs.meter_start_wh, cs.start_time, _stored_registers(session, cs, final))
    cs.energy_wh = _bounded(cs, count.energy_wh, final)
    new_times = {r.at for r in new}
    for brk in count.breaks:
        if brk.at in new_times:
            _report_break(session, cp, cs, brk, final, events)


def _bounded(cs: ChargingSession, energy_wh: int, final: RegisterReading | None) -> int:
    """A stopped session counts at most meterStop - meterStart (rules.metering)."""
    meter_stop = final.wh if final is not None else cs.meter_stop_wh
    bound = bounded_by_stop(energy_wh, cs.meter_start_wh, meter_stop)
    if bound is None:
        return energy_wh
    if not beyond_rounding(energy_wh, bound):
        return bound  # the samples' rounding: meterStop's whole Wh are the true figure
    flag_session(
        cs, f"samples add up to {energy_wh} Wh, more than meterStop - meterStart: {bound} counted"
    )
    return bound


def _stored_registers(
    session: Session, cs: ChargingSession, final: RegisterReading | None
) -> list[RegisterReading]:
    """Every register reading stored for the session inside its time, then its meterStop."""
    write_pending(session)  # this batch's samples are queued, not yet inserted
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
        if value is None:
            continue  # excluded by the query; this tells the type checker
        by_time.setdefault(at, []).append(
            Reading(ENERGY_REGISTER, float(value), "Wh", phase=phase, location=location)
        )
    readings = registers(cs, list(by_time.items()))
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
    kind = data_issues.ENERGY_REGISTER_BREAK
    data_issues.report_issue(session, cp, kind, detail, payload, events)
