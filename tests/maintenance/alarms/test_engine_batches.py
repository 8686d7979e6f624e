"""The worker's batches over real OCPP: many chargers' faults in one window are one engine
transaction, the alarm events go out only after its commit, and charge points CCMS has not
registered raise nothing. Plus the bulk raise's fallback when another raiser got there first."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from ocpp.v16 import call
from sqlalchemy import event
from sqlalchemy.orm import SessionTransaction
from sqlmodel import Session

from ccms_app.accounts.models import Organisation
from ccms_app.core import db
from ccms_app.core.events import EventBus, NetworkEvent
from ccms_app.maintenance.alarms.models import Alarm
from ccms_app.maintenance.alarms.raising import (
    AlarmSignal,
    Raise,
    raise_many,
    raise_or_repeat,
)
from ccms_app.maintenance.alarms.worker import AlarmWorker, alarm_worker_running
from ccms_app.maintenance.rules.alarm_causes import open_key
from ccms_app.network.models import ChargePoint
from tests.fixtures.ocpp import connect_charge_point, eventually
from tests.maintenance.alarms.engine_helpers import (  # noqa: F401 (fixtures)
    alarms,
    process_bus,
    register_charge_point,
)

CHARGERS = 12
NOW = datetime.now(UTC).replace(microsecond=0)


class RecordingBus(EventBus):
    """The process bus as the worker sees it; each alarm event published is checked against
    the committed rows at that moment (another connection: only committed data is visible)."""

    def __init__(self, inner: EventBus) -> None:
        super().__init__()
        self.inner = inner
        self.published: list[tuple[dict[str, Any], str | None]] = []  # (data, stored status)

    def subscribe(self) -> asyncio.Queue[NetworkEvent]:
        return self.inner.subscribe()

    def unsubscribe(self, queue: asyncio.Queue[NetworkEvent]) -> None:
        self.inner.unsubscribe(queue)

    def publish(self, event: NetworkEvent) -> None:
        if event.kind == "alarm":
            with db.read_session() as s:
                row = s.get(Alarm, event.data["alarm_id"])
                self.published.append((event.data, row.status if row is not None else None))
        self.inner.publish(event)


@pytest.fixture
def engine_commits(engine: Any) -> Iterator[list[int]]:
    """How many alarms each committed engine transaction held (sessions that looked up open
    alarms: the engine's; the OCPP writer's commits are not counted)."""
    seen: list[int] = []

    def ended(session: Session, transaction: SessionTransaction) -> None:
        if transaction.parent is None and "open_alarms" in session.info:  # not a savepoint
            seen.append(sum(1 for a in session.info["open_alarms"].values() if a is not None))

    event.listen(Session, "after_transaction_end", ended)
    yield seen
    event.remove(Session, "after_transaction_end", ended)


@pytest.fixture
async def slow_worker(engine: Any, event_bus: EventBus) -> AsyncIterator[AlarmWorker]:
    """A window long enough that every charger's fault below lands in one batch."""
    async with alarm_worker_running(RecordingBus(event_bus), window_s=1.0) as worker:
        yield worker


async def fault(url: str, identity: str) -> None:
    async with connect_charge_point(url, identity) as cp:
        await cp.call(
            call.StatusNotification(connector_id=1, error_code="GroundFailure", status="Faulted")
        )


async def test_many_faults_in_one_window_are_one_transaction_published_after_its_commit(
    session: Session,
    organisation: Organisation,
    ocpp_url: str,
    slow_worker: AlarmWorker,
    engine_commits: list[int],
) -> None:
    for i in range(CHARGERS):
        register_charge_point(session, organisation, f"CP-B{i:02d}")
    stranger = ChargePoint(
        identity="CP-STRANGER",
        organisation_id=organisation.id or 0,
        registration_state="unregistered",
    )
    session.add(stranger)
    session.commit()
    await asyncio.gather(
        *(fault(ocpp_url, f"CP-B{i:02d}") for i in range(CHARGERS)),
        fault(ocpp_url, "CP-STRANGER"),
    )
    await eventually(lambda: len(alarms()) == CHARGERS, timeout=5)
    await slow_worker.settled()
    assert slow_worker.batches == 1
    assert engine_commits == [CHARGERS]
    assert stranger.id not in {a.charge_point_id for a in alarms()}
    bus = slow_worker.bus
    assert isinstance(bus, RecordingBus)
    assert len(bus.published) == CHARGERS
    assert all(data["raised"] and stored == "open" for data, stored in bus.published)


def test_a_chunk_that_meets_an_alarm_opened_meanwhile_falls_back_to_one_by_one(
    session: Session, organisation: Organisation
) -> None:
    cps = [register_charge_point(session, organisation, f"CP-R{i}") for i in range(3)]
    signal = AlarmSignal(connector_id=1, cause="connector_faulted", fault_started_at=NOW)
    with db.session_scope() as other:  # another raiser opens CP-R1's alarm ...
        theirs = other.get(ChargePoint, cps[1].id)
        assert theirs is not None
        raise_or_repeat(other, theirs, signal, NOW)
    with db.session_scope() as s:  # ... after this batch looked (its prefetch found none)
        s.info["open_alarms"] = {open_key(cp.id or 0, 1, "connector_faulted"): None for cp in cps}
        mine = [s.get(ChargePoint, cp.id) for cp in cps]
        raised = raise_many(s, [Raise(cp, signal) for cp in mine if cp is not None], NOW)
    flags = sorted((e.identity, "raised" in e.data) for e in raised)
    assert flags == [("CP-R0", True), ("CP-R1", False), ("CP-R2", True)]
    rows = {a.charge_point_id: a for a in alarms()}
    assert len(rows) == 3 and rows[cps[1].id or 0].occurrences == 2
