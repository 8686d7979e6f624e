"""Race safety, hooks and the sweep's catch-up: the unique open key, hooks in the engine's
transaction, a fault whose bus event was lost, security events."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import Session, select

from ccms_app.accounts.models import Organisation
from ccms_app.core import db
from ccms_app.maintenance.alarms import sweep as sweep_module
from ccms_app.maintenance.alarms.hooks import register_alarm_hook, unregister_alarm_hook
from ccms_app.maintenance.alarms.models import Alarm, AlarmActivity, AlarmRule
from ccms_app.maintenance.alarms.raising import AlarmSignal, raise_or_repeat
from ccms_app.maintenance.alarms.sweep import AlarmSweep
from ccms_app.maintenance.alarms.worker import AlarmWorker
from ccms_app.maintenance.rules.alarm_causes import open_key
from ccms_app.network.models import ChargePoint, Connector
from ccms_app.network.security_events import record_security_event
from tests.fixtures.ocpp import eventually
from tests.maintenance.alarms.engine_helpers import (  # noqa: F401 (fixtures)
    activity,
    alarms,
    process_bus,
    register_charge_point,
    running_alarm_worker,
)

NOW = datetime.now(UTC).replace(microsecond=0)
SIGNAL = AlarmSignal(connector_id=1, cause="connector_faulted", fault_started_at=NOW)


def _raise(cp_id: int, stale_cache: bool = False) -> None:
    with db.session_scope() as s:
        cp = s.get(ChargePoint, cp_id)
        assert cp is not None
        if stale_cache:  # as if it had looked before the other raiser committed
            s.info["open_alarms"] = {open_key(cp_id, 1, "connector_faulted"): None}
        raise_or_repeat(s, cp, SIGNAL, NOW)


def test_two_concurrent_raisers_open_one_alarm(
    session: Session, organisation: Organisation
) -> None:
    cp = register_charge_point(session, organisation, "CP-RACE")
    barrier = threading.Barrier(4)

    def raiser() -> None:
        barrier.wait()
        _raise(cp.id or 0)

    threads = [threading.Thread(target=raiser) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    (alarm,) = alarms()
    assert alarm.occurrences == 4 and alarm.status == "open"


def test_repeats_within_one_transaction_all_count(
    session: Session, organisation: Organisation
) -> None:
    """A batch may repeat one alarm twice: the second repeat (which, on PostgreSQL, reads the
    row again under its lock) keeps the first one's count."""
    cp = register_charge_point(session, organisation, "CP-RACE")
    _raise(cp.id or 0)
    with db.session_scope() as s:
        charge_point = s.get(ChargePoint, cp.id)
        assert charge_point is not None
        raise_or_repeat(s, charge_point, SIGNAL, NOW)
        raise_or_repeat(s, charge_point, SIGNAL, NOW)
    (alarm,) = alarms()
    assert alarm.occurrences == 3


def test_a_raiser_that_looked_before_the_other_committed_counts_a_repeat(
    session: Session, organisation: Organisation
) -> None:
    cp = register_charge_point(session, organisation, "CP-RACE")
    _raise(cp.id or 0)
    _raise(cp.id or 0, stale_cache=True)  # its INSERT hits the unique key: a repeat instead
    (alarm,) = alarms()
    assert alarm.occurrences == 2


def test_hooks_run_in_the_engines_transaction_and_a_failing_hook_keeps_the_alarm(
    session: Session, organisation: Organisation
) -> None:
    cp = register_charge_point(session, organisation, "CP-HOOK", vendor="ACME")
    session.add(
        AlarmRule(
            organisation_id=organisation.id,
            name="ACME faults",
            cause="connector_faulted",
            vendor="acme",
            severity="critical",
        )
    )
    session.commit()
    seen: list[tuple[Any, str, str | None]] = []

    def hook(s: Session, alarm: Alarm, rule: AlarmRule | None, event: str) -> None:
        assert s.in_transaction() and alarm.id is not None
        s.add(AlarmActivity(alarm_id=alarm.id, kind="hooked", text=event))
        seen.append((alarm.id, event, rule.name if rule else None))

    def broken(s: Session, alarm: Alarm, rule: AlarmRule | None, event: str) -> None:
        raise RuntimeError("mail server on fire")

    register_alarm_hook("test-hook", hook)
    register_alarm_hook("test-broken", broken)
    try:
        _raise(cp.id or 0)
    finally:
        unregister_alarm_hook("test-hook")
        unregister_alarm_hook("test-broken")
    (alarm,) = alarms()
    assert alarm.severity == "critical" and alarm.rule_id is not None
    assert seen == [(alarm.id, "raised", "ACME faults")]
    assert ("hooked", "raised") in activity(alarm.id)


def test_the_sweep_finds_a_fault_whose_event_was_lost_and_closes_it_once_recovered(
    session: Session, organisation: Organisation
) -> None:
    cp = register_charge_point(session, organisation, "CP-LOST", status="Faulted")
    session.add(
        Connector(
            organisation_id=organisation.id,
            charge_point_id=cp.id,
            connector_id=2,
            status="Faulted",
            error_code="OverVoltage",
            status_at=NOW,
        )
    )
    session.commit()
    sweep = AlarmSweep(security_after=0)
    raised = sweep.run(NOW)
    assert sorted((a.connector_id, a.error_code) for a in alarms()) == [
        (0, "NoError"),
        (2, "OverVoltage"),
    ]
    assert len(raised) == 2 and sweep.run(NOW) == []
    with db.session_scope() as s:
        connector = s.exec(select(Connector).where(Connector.charge_point_id == cp.id)).one()
        connector.status, connector.status_at = "Available", NOW + timedelta(minutes=3)
    sweep.run(NOW + timedelta(minutes=5))
    closed = [a for a in alarms() if a.status == "closed"]
    assert [(a.connector_id, a.downtime_s) for a in closed] == [(2, 180)]


def test_security_events_of_known_charge_points_raise_one_alarm_each(
    session: Session, organisation: Organisation
) -> None:
    cp = register_charge_point(session, organisation, "CP-SEC")
    sweep = AlarmSweep()
    sweep.run(NOW)  # remembers where the log ends
    record_security_event("CP-SEC", "10.0.0.9:5555", "auth_failed", "wrong password")
    record_security_event("CP-SEC", "10.0.0.9:5556", "auth_failed", "wrong password")
    record_security_event("NOBODY", "10.0.0.7:1", "auth_failed", "unknown")
    record_security_event("CP-SEC", "10.0.0.9", "login_failed", "operator login")
    sweep.run(NOW)
    (alarm,) = alarms("security_event")
    assert (alarm.charge_point_id, alarm.occurrences, alarm.severity) == (cp.id, 2, "critical")
    assert alarm.error_code == "auth_failed" and "10.0.0.9:5556" in alarm.detail
    sweep.run(NOW)
    assert alarms("security_event")[0].occurrences == 2


async def test_a_refused_charger_connection_raises_its_alarm_within_seconds(
    session: Session,
    organisation: Organisation,
    alarm_worker: AlarmWorker,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Not at the next sweep: recording the security event (what the handshake does when a
    charger's password is wrong) tells the worker, which reads the new events at once."""
    monkeypatch.setattr(sweep_module, "_sweep", AlarmSweep())  # this database's watermark
    cp = register_charge_point(session, organisation, "CP-SEC-LIVE")
    await asyncio.to_thread(
        record_security_event, "CP-SEC-LIVE", "10.0.0.9:5555", "auth_failed", "wrong password"
    )
    await eventually(lambda: len(alarms("security_event")) == 1, timeout=5)
    (alarm,) = alarms("security_event")
    assert (alarm.charge_point_id, alarm.occurrences) == (cp.id, 1)
    await asyncio.to_thread(
        record_security_event, "CP-SEC-LIVE", "10.0.0.9:5556", "auth_failed", "wrong password"
    )
    await eventually(lambda: alarms("security_event")[0].occurrences == 2, timeout=5)
