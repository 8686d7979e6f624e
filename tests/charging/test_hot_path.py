"""The OCPP hot path's shortcuts keep docs/data-policy.md: shared batches, the batch preload,
coalesced last-seen times and rows written just before the commit change no outcome."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, col, select

from ccms_app.accounts.models import Organisation
from ccms_app.charging import data_issues
from ccms_app.charging.models import MeterSample
from ccms_app.core import db
from ccms_app.network import charge_points
from ccms_app.network.models import ChargePoint, StatusEvent
from ocpp_server.charger_events import (
    ChargerBooted,
    MeterSampled,
    StatusChanged,
)

CP = "CP-HOT"
NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def registered(session: Session, organisation: Organisation) -> ChargePoint:
    cp = ChargePoint(identity=CP, organisation_id=organisation.id, registration_state="registered")
    session.add(cp)
    session.commit()
    return cp


def unknown_meter(wh: int, transaction_id: int = 777) -> MeterSampled:
    group = {"timestamp": NOW.isoformat(), "sampled_value": [{"value": str(wh), "unit": "Wh"}]}
    return MeterSampled(connector_id=1, transaction_id=transaction_id, meter_values=[group])


async def test_a_repeated_odd_message_records_one_open_issue_in_and_across_batches(
    service, registered, session, event_bus
) -> None:
    warnings = event_bus.subscribe()
    await asyncio.gather(*(service.meter_values(CP, unknown_meter(n)) for n in range(40)))
    for n in range(40, 45):  # one message per batch: the open issue is found in the database
        await service.meter_values(CP, unknown_meter(n))

    (issue,) = data_issues.list_issues(identity=CP)
    assert issue.kind == data_issues.METER_VALUES_UNKNOWN_TRANSACTION and "777" in issue.detail
    samples = session.exec(select(MeterSample).order_by(col(MeterSample.id))).all()
    assert len(samples) == 45 and {s.session_id for s in samples} == {None}  # all kept
    assert sorted(s.value for s in samples) == [float(n) for n in range(45)]
    kinds = [warnings.get_nowait().kind for _ in range(warnings.qsize())]
    assert kinds.count("warning") == 1  # the live pages hear of it once

    assert data_issues.resolve_issue(issue.id)
    await service.meter_values(CP, unknown_meter(50))  # still odd after the operator looked
    await service.meter_values(CP, unknown_meter(51))
    assert len(data_issues.list_issues(identity=CP, unresolved_only=False)) == 2
    assert len(data_issues.list_issues(identity=CP)) == 1


async def test_each_unknown_transaction_is_its_own_issue(service, registered) -> None:
    await asyncio.gather(
        *(service.meter_values(CP, unknown_meter(n, 900 + n % 3)) for n in range(12))
    )
    details = sorted(i.detail for i in data_issues.list_issues(identity=CP))
    assert [d.split(":")[0] for d in details] == [
        f"MeterValues for unknown transaction {tx}" for tx in (900, 901, 902)
    ]


async def test_status_history_and_last_seen_are_written_with_the_batch(
    service, registered, session
) -> None:
    def status(value: str, minutes: int) -> StatusChanged:
        at = (NOW - timedelta(minutes=minutes)).isoformat()
        return StatusChanged(connector_id=1, error_code="NoError", status=value, timestamp=at)

    await asyncio.gather(
        service.status_notification(CP, status("Preparing", 3)),
        service.status_notification(CP, status("Charging", 1)),
        service.status_notification(CP, status("Available", 2)),  # older: history only
        service.heartbeat(CP),
    )
    session.rollback()
    events = session.exec(select(StatusEvent).order_by(col(StatusEvent.id))).all()
    assert [e.status for e in events] == ["Preparing", "Charging", "Available"]
    cp = session.exec(select(ChargePoint).where(ChargePoint.identity == CP)).one()
    assert cp.is_online and cp.last_seen_at is not None
    assert cp.last_seen_at >= max(e.received_at for e in events)
    connector = charge_points.get_or_create_connector(session, cp, 1)
    assert connector.status == "Charging"


def test_online_follows_the_order_of_messages_within_one_batch(engine, registered) -> None:
    first, later = NOW - timedelta(seconds=5), NOW
    with db.session_scope() as s:  # one batch: a message, then the connection drops
        charge_points.touch(s, CP, first)
        charge_points.mark_disconnected(s, CP, later)
    with db.read_session() as s:
        cp = s.exec(select(ChargePoint).where(ChargePoint.identity == CP)).one()
        assert (cp.is_online, cp.last_seen_at) == (False, first)
    with db.session_scope() as s:  # it reconnects and talks within the next batch
        charge_points.mark_connected(s, CP, first)
        charge_points.mark_disconnected(s, CP, first)
        charge_points.touch(s, CP, later)
    with db.read_session() as s:
        cp = s.exec(select(ChargePoint).where(ChargePoint.identity == CP)).one()
        assert (cp.is_online, cp.last_seen_at) == (True, later)


async def test_each_batch_reads_the_charge_point_afresh(service, registered) -> None:
    boot = ChargerBooted(vendor="V", model="M")
    assert (await service.boot_notification(CP, boot)).status == "Accepted"
    with db.session_scope() as s:  # an operator disables it between two messages
        cp = s.exec(select(ChargePoint).where(ChargePoint.identity == CP)).one()
        cp.registration_state = "disabled"
    assert (await service.boot_notification(CP, boot)).status == "Rejected"
