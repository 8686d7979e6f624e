"""The writer keeps its session (charge points, connectors, running sessions) from one batch to
the next only while nothing else wrote: an operator's edit, from this process or another one,
counts from the next message; a failed batch leaves nothing behind (core.writer_session)."""

from __future__ import annotations

import asyncio
import gc
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from ccms_app.accounts.models import Organisation
from ccms_app.charging import batch_preload
from ccms_app.charging.models import ChargingSession
from ccms_app.core import db
from ccms_app.core.db_writer import DbWriter
from ccms_app.core.writer_session import MAX_KEPT_S, WriterSessions
from ccms_app.finance.models import SessionCost
from ccms_app.network import charge_points
from ccms_app.network.models import ChargePoint
from ccms_app.network.provisioning import add_id_tag
from ocpp_server.charger_events import (
    ChargerBooted,
    IdTagPresented,
    MeterSampled,
    StatusChanged,
    TransactionStarted,
    TransactionStopped,
)
from tests.fixtures.db import only_sqlite

CP = "CP-KEPT"
BOOT = ChargerBooted(vendor="V", model="M")


@pytest.fixture
def registered(session: Session, organisation: Organisation) -> ChargePoint:
    cp = ChargePoint(identity=CP, organisation_id=organisation.id, registration_state="registered")
    session.add(cp)
    session.commit()
    return cp


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _meter(transaction_id: int, wh: int) -> MeterSampled:
    group = {"timestamp": _now(), "sampled_value": [{"value": str(wh), "unit": "Wh"}]}
    return MeterSampled(connector_id=1, transaction_id=transaction_id, meter_values=[group])


def _selects_of(statements: list[str], table: str) -> list[str]:
    return [s for s in statements if s.startswith("SELECT") and f"FROM {table}" in s]


@only_sqlite  # PostgreSQL has no data_version to tell other writers' commits: fresh sessions
async def test_later_batches_use_the_rows_earlier_ones_loaded(
    service, registered, statements
) -> None:
    await service.boot_notification(CP, BOOT)
    status = StatusChanged(connector_id=1, status="Available", error_code="NoError")
    await service.status_notification(CP, status)
    started = await service.start_transaction(
        CP, TransactionStarted(connector_id=1, id_tag="ANY", meter_start_wh=0, timestamp=_now())
    )
    await service.meter_values(CP, _meter(started.transaction_id, 10))
    statements.clear()
    for wh in (20, 30):
        await service.meter_values(CP, _meter(started.transaction_id, wh))
        await service.status_notification(CP, status)
        await service.heartbeat(CP)
    assert _selects_of(statements, "charge_point") == []
    assert _selects_of(statements, "connector") == []
    assert _selects_of(statements, "charging_session") == []
    with db.read_session() as s:
        cs = s.get(ChargingSession, started.transaction_id)
        assert cs is not None and cs.energy_wh == 30


async def test_an_operator_edit_in_another_process_counts_from_the_next_message(
    service, registered, database_url
) -> None:
    assert (await service.boot_notification(CP, BOOT)).status == "Accepted"
    await service.heartbeat(CP)  # the charge point is in the writer's kept session now
    other = create_engine(database_url)  # e.g. the CLI: not this process's engine at all
    with other.begin() as connection:
        connection.execute(
            text("UPDATE charge_point SET registration_state = 'disabled' WHERE identity = :cp"),
            {"cp": CP},
        )
    other.dispose()
    assert (await service.boot_notification(CP, BOOT)).status == "Rejected"


async def test_a_storm_of_disconnections_loads_its_charge_points_in_one_query(
    service, session, organisation, database_url, statements
) -> None:
    """A network drop disconnects thousands at once: one query for the batch's charge
    points, not one per charger (each of which also flushed the ones before)."""
    identities = [f"CP-DROP-{n}" for n in range(20)]
    for identity in identities:
        session.add(
            ChargePoint(
                identity=identity, organisation_id=organisation.id, registration_state="registered"
            )
        )
    session.commit()
    await asyncio.gather(*(service.heartbeat(identity) for identity in identities))
    other = create_engine(database_url)  # another writer: the kept session starts afresh
    with other.begin() as connection:
        connection.execute(
            text("UPDATE charge_point SET vendor = 'V' WHERE identity = 'CP-DROP-0'")
        )
    other.dispose()
    statements.clear()
    await asyncio.gather(*(service.disconnected(identity, "network") for identity in identities))
    assert len(_selects_of(statements, "charge_point")) <= 1
    with db.read_session() as s:
        rows = s.exec(select(ChargePoint).where(col(ChargePoint.identity).in_(identities))).all()
        assert len(rows) == 20 and not any(cp.is_online for cp in rows)


async def test_a_blocked_id_tag_is_refused_from_the_next_authorize(service, registered) -> None:
    add_id_tag("CARD-1")
    await service.boot_notification(CP, BOOT)
    assert (await service.authorize(CP, IdTagPresented("CARD-1"))).status == "Accepted"
    add_id_tag("CARD-1", blocked=True)  # the operator blocks the card
    assert (await service.authorize(CP, IdTagPresented("CARD-1"))).status == "Blocked"


async def test_a_row_one_step_of_a_batch_let_go_is_not_read_again_in_that_batch(
    engine, organisation, statements
) -> None:
    """The identity map holds rows weakly: a StopTransaction read its session's cost three
    times and its organisation twice, each step after the last had let go of the row."""
    writer = DbWriter()
    await writer.start()
    organisation_id = organisation.id

    def two_steps(session: Session) -> bool:
        first = session.get(Organisation, organisation_id)
        assert first is not None
        del first
        gc.collect()  # what would drop a row nothing holds from the identity map
        return session.get(Organisation, organisation_id) is not None

    statements.clear()
    assert await writer.run(two_steps)
    await writer.stop()
    assert len(_selects_of(statements, "organisation")) == 1


async def test_a_stop_reads_its_session_and_its_cost_once(service, registered, statements) -> None:
    await service.boot_notification(CP, BOOT)
    started = await service.start_transaction(
        CP, TransactionStarted(connector_id=1, id_tag="ANY", meter_start_wh=0, timestamp=_now())
    )
    statements.clear()
    stop = TransactionStopped(
        transaction_id=started.transaction_id, meter_stop_wh=500, timestamp=_now()
    )
    await service.stop_transaction(CP, stop)
    assert len(_selects_of(statements, "session_cost")) == 1
    assert len(_selects_of(statements, "organisation")) <= 1
    with db.read_session() as s:
        cost = s.get(SessionCost, started.transaction_id)
        assert cost is not None and cost.state == "unpriced"  # no tariff is assigned here


async def test_a_failed_batch_leaves_no_changed_object_for_the_next(engine, registered) -> None:
    writer = DbWriter()
    await writer.start()

    def vendor(session: Session) -> str | None:
        cp = charge_points.find_charge_point(session, CP)
        return cp.vendor if cp else "missing"

    stored = await writer.run(vendor)  # the charge point is kept from here on

    def half_written(session: Session) -> None:
        cp = charge_points.find_charge_point(session, CP)
        assert cp is not None
        cp.vendor = "never committed"
        session.flush()
        raise RuntimeError("bad message")

    with pytest.raises(RuntimeError):
        await writer.run(half_written)

    assert await writer.run(vendor) == stored != "never committed"
    await writer.stop()
    with db.read_session() as s:
        cp = s.exec(select(ChargePoint).where(ChargePoint.identity == CP)).one()
        assert cp.vendor == stored


@only_sqlite
def test_the_kept_session_lasts_minutes_whatever_the_number_of_batches(engine: Engine) -> None:
    """At 1,000 messages a second the writer runs ~800 batches a second: a bound counted in
    batches reloaded every row the batches need every few seconds."""
    now = [0.0]
    sessions = WriterSessions(clock=lambda: now[0])
    first = sessions.for_batch(engine)
    first.commit()
    for _ in range(5_000):
        batch = sessions.for_batch(engine)
        batch.commit()
        sessions.done(batch)
        assert batch is first
    now[0] = MAX_KEPT_S
    later = sessions.for_batch(engine)
    later.commit()
    assert later is not first and sessions.fresh_starts == 0
    sessions.close()


def test_finished_sessions_leave_the_kept_ones_when_they_have_doubled() -> None:
    """The writer keeps running sessions across batches; finished ones are dropped, but only
    when the kept ones have doubled since the last look, not by a scan in every batch."""
    info: dict = {}
    kept = {n: SimpleNamespace(status="completed" if n % 2 else "active") for n in range(255)}
    batch_preload._prune_finished(info, kept)  # type: ignore[arg-type]
    assert len(kept) == 255  # below the first threshold: no scan
    kept[255] = SimpleNamespace(status="refused")  # open: still named by its charger
    batch_preload._prune_finished(info, kept)  # type: ignore[arg-type]
    assert sorted({cs.status for cs in kept.values()}) == ["active", "refused"]
    assert len(kept) == 129 and info[batch_preload.PRUNE_AT] == 258  # next look at twice as many


class _Rows:
    def __init__(self, sessions: list[SimpleNamespace], queried: list[list[int]]) -> None:
        self.info: dict = {}
        self._sessions, self.queried = sessions, queried

    def exec(self, statement: object, params: dict) -> SimpleNamespace:
        wanted = params["transaction_ids"]
        self.queried.append(sorted(wanted))
        return SimpleNamespace(all=lambda: [cs for cs in self._sessions if cs.id in wanted])


def test_a_batch_queries_only_the_sessions_not_kept_and_knows_those_that_do_not_exist() -> None:
    queried: list[list[int]] = []
    session = _Rows([SimpleNamespace(id=99, status="active")], queried)
    session.info[batch_preload.KEPT_SESSIONS] = {
        n: SimpleNamespace(id=n, status="active") for n in range(1000, 3000)
    }
    batch_preload._keep_sessions(session, {1000, 1001, 99, 100})  # type: ignore[arg-type]
    assert queried == [[99, 100]]
    assert session.info[batch_preload.ABSENT_SESSIONS] == {100}
    assert 99 in session.info[batch_preload.KEPT_SESSIONS]
    batch_preload._keep_sessions(session, {1000, 99})  # type: ignore[arg-type]
    assert queried == [[99, 100]] and session.info[batch_preload.ABSENT_SESSIONS] == set()
