"""MeterValues: every sample is stored; a running session's live readings and energy follow.

docs/data-policy.md is the contract: samples for an unknown transaction are kept without a
session, and samples for a finished one are kept with it (those inside its time still count);
either way the charger's message becomes a data issue for an operator.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from ccms_app.charging import data_issues
from ccms_app.charging.batch_preload import charge_point_session
from ccms_app.charging.models import OPEN_STATUSES, ChargingSession
from ccms_app.charging.rules.metering import LiveReadings, live_readings, phase_currents
from ccms_app.charging.session_energy import (
    Group,
    count_session_energy,
    registers,
    set_live,
    store_groups,
)
from ccms_app.charging.transactions import session_event
from ccms_app.core.events import NetworkEvent
from ccms_app.network.charge_points import touch
from ccms_app.network.models import ChargePoint


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
    cs = charge_point_session(session, cp, req.transaction_id)
    groups = store_groups(session, cp, req.connector_id, cs, req.meter_value, now, events)
    if cs is None:
        if req.transaction_id is None:
            events.extend(_meter_reading_event(cp, req.connector_id, groups))
        if req.transaction_id is not None:
            detail = (
                f"MeterValues for unknown transaction {req.transaction_id}: "
                "samples kept without a session"
            )
            kind = data_issues.METER_VALUES_UNKNOWN_TRANSACTION
            data_issues.report_issue(session, cp, kind, detail, asdict(req), events)
        return events
    energy_before = cs.energy_wh
    live_changed = False
    lives = [live_readings(readings) for _, readings in groups]  # once per group
    if cs.status in OPEN_STATUSES:  # running, or started with a refused id tag
        count_session_energy(session, cp, cs, registers(cs, groups, lives), events)
        live_changed = _update_live(session, cs, groups, lives)
    else:
        detail = (
            f"MeterValues for finished transaction {cs.id}: samples kept with the session; "
            "those inside its start and stop count by their timestamps"
        )
        kind = data_issues.METER_VALUES_FINISHED_TRANSACTION
        data_issues.report_issue(session, cp, kind, detail, asdict(req), events)
        count_session_energy(session, cp, cs, registers(cs, groups, lives), events)
    if not live_changed and cs.energy_wh == energy_before:
        return events
    newest = _newest_lines(groups)
    extra = {"phase_current_a": newest[1]} if newest else {}
    return [*events, session_event(cp, cs, meter=True, **extra)]


def _newest_lines(groups: list[Group]) -> tuple[datetime, dict[str, float]] | None:
    """The newest group with per-line currents: its time and the currents (load balancing
    reads them)."""
    for at, readings in sorted(groups, key=lambda g: g[0], reverse=True):
        lines = phase_currents(readings)
        if lines:
            return at, lines
    return None


def _meter_reading_event(
    cp: ChargePoint, connector_id: int, groups: list[Group]
) -> list[NetworkEvent]:
    """Samples outside any transaction (a site meter, a charger's own consumption) as a
    kind="meter_reading" event with the per-line currents: a load balancing site whose
    building meter speaks OCPP takes its building load from these."""
    newest = _newest_lines(groups)
    if newest is None:
        return []
    at, lines = newest
    data = {"connector_id": connector_id, "phase_current_a": lines, "measured_at": at.isoformat()}
    return [
        NetworkEvent(kind="meter_reading", charge_point_id=cp.id, identity=cp.identity, data=data)
    ]


def _update_live(
    session: Session, cs: ChargingSession, groups: list[Group], lives: list[LiveReadings]
) -> bool:
    """Show the newest group's readings; a group older than what is shown changes nothing."""
    timed = [(at, live) for (at, readings), live in zip(groups, lives, strict=True) if readings]
    newest = max(timed, key=lambda g: g[0], default=None)
    if newest is None:
        return False
    at, live = newest
    if cs.meter_updated_at is not None and at < cs.meter_updated_at:
        return False
    changed: dict[str, object] = {"meter_updated_at": at}
    for name in ("power_w", "current_a", "voltage_v", "soc_percent"):
        value = getattr(live, name)
        if value is not None:
            changed[name] = value
    set_live(session, cs, **changed)
    return True
