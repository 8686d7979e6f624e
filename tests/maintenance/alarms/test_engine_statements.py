"""What one engine batch costs does not grow with how many chargers it names.

When a shift's sessions end together, or a fleet's firmware bug makes hundreds of chargers
report odd data at once, the engine's batch used to run queries per session (the connector's
latest start attempts, two queries, before asking whether a failed-starts alarm was open
at all) and per data issue (each alarm's open key looked up, then inserted on its own). In
issue 8's bench that was 20% of the web process's GIL while 1,000 sessions ended. Now the
open alarms are read once per batch and new alarms go in together; what is decided stays
the same (the rule tests), and the statements counted here stay flat from 3 to 30 chargers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event
from sqlmodel import Session

from ccms_app.accounts.models import Organisation
from ccms_app.charging.models import ChargerDataIssue, ChargingSession
from ccms_app.core.events import NetworkEvent
from ccms_app.maintenance.alarms.engine import apply_events
from ccms_app.maintenance.alarms.raising import AlarmSignal, raise_or_repeat
from ccms_app.maintenance.rules.alarm_causes import FAILED_STARTS
from ccms_app.network.models import ChargePoint
from tests.maintenance.alarms.engine_helpers import alarms, register_charge_point

NOW = datetime.now(UTC).replace(microsecond=0)


@contextmanager
def statements(engine: Any) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def ended_sessions(session: Session, cps: list[ChargePoint]) -> list[NetworkEvent]:
    """Each charge point's session: an hour that charged 12 kWh, just ended."""
    rows = [
        ChargingSession(
            organisation_id=cp.organisation_id,
            charge_point_id=cp.id or 0,
            connector_id=1,
            id_tag="SHIFT",
            status="completed",
            start_time=NOW - timedelta(hours=1),
            stop_time=NOW,
            meter_start_wh=0,
            meter_stop_wh=12_000,
            energy_wh=12_000,
        )
        for cp in cps
    ]
    session.add_all(rows)
    session.commit()
    return [
        NetworkEvent("session", cs.charge_point_id, "", {"transaction_id": cs.id, "stopped": True})
        for cs in rows
    ]


def odd_data(session: Session, cps: list[ChargePoint]) -> list[NetworkEvent]:
    """Each charge point reported a meter value for a transaction CCMS does not know."""
    session.add_all(
        ChargerDataIssue(
            charge_point_id=cp.id,
            identity=cp.identity,
            kind="unknown_transaction",
            detail="MeterValues for transaction 4711",
            created_at=NOW,
        )
        for cp in cps
    )
    session.commit()
    return [
        NetworkEvent("warning", cp.id, cp.identity, {"data_issue": "unknown_transaction"})
        for cp in cps
    ]


def batch_cost(
    engine: Any,
    session: Session,
    organisation: Organisation,
    prefix: str,
    n: int,
    make: Callable[[Session, list[ChargePoint]], list[NetworkEvent]],
) -> tuple[int, int]:
    """(reads, all statements) of one engine batch over `n` new charge points' events. New
    rows are one multi-row INSERT on PostgreSQL; SQLAlchemy inserts them one by one on SQLite
    (its RETURNING order is not guaranteed), so there only the reads must stay flat."""
    cps = [register_charge_point(session, organisation, f"{prefix}{i:02d}") for i in range(n)]
    events = make(session, cps)
    session.commit()  # ends the read the events' ids began (SQLite: a snapshot)
    with statements(engine) as seen:
        apply_events(events, NOW)
    reads = sum(1 for text in seen if text.lstrip().upper().startswith("SELECT"))
    return reads, len(seen) if engine.dialect.name == "postgresql" else 0


def test_a_shift_of_ended_sessions_costs_the_same_for_3_or_30_chargers(
    engine: Any, session: Session, organisation: Organisation
) -> None:
    few = batch_cost(engine, session, organisation, "CP-S", 3, ended_sessions)
    many = batch_cost(engine, session, organisation, "CP-M", 30, ended_sessions)
    assert many == few, (few, many)
    assert alarms() == []


def test_an_ended_session_still_closes_its_connectors_failed_starts_alarm(
    engine: Any, session: Session, organisation: Organisation
) -> None:
    cps = [register_charge_point(session, organisation, f"CP-F{i}") for i in range(3)]
    signal = AlarmSignal(
        connector_id=1, cause=FAILED_STARTS, fault_started_at=NOW - timedelta(hours=2)
    )
    raise_or_repeat(session, cps[1], signal, NOW - timedelta(hours=2))
    session.commit()
    events = ended_sessions(session, cps)
    session.commit()
    published = apply_events(events, NOW)
    [alarm] = alarms(FAILED_STARTS)
    assert alarm.charge_point_id == cps[1].id and alarm.status != "open"
    assert [e.data.get("alarm_id") for e in published] == [alarm.id]


def test_odd_data_from_a_fleet_raises_its_alarms_together(
    engine: Any, session: Session, organisation: Organisation
) -> None:
    few = batch_cost(engine, session, organisation, "CP-D", 3, odd_data)
    many = batch_cost(engine, session, organisation, "CP-E", 30, odd_data)
    assert many == few, (few, many)
    raised = alarms()
    assert len(raised) == 33 and all(a.status == "open" for a in raised)
    # a second batch of the same issues repeats the open alarms, it opens none
    cps = [session.get(ChargePoint, a.charge_point_id) for a in raised[:3]]
    again = [
        NetworkEvent("warning", cp.id, cp.identity, {"data_issue": "unknown_transaction"})
        for cp in cps
        if cp
    ]
    session.commit()
    published = apply_events(again, NOW)
    assert len(alarms()) == 33
    assert sorted(e.data["alarm_id"] for e in published) == [a.id for a in raised[:3]]
    assert all(e.data.get("repeated") for e in published)
