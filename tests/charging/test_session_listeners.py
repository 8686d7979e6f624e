"""What another module does as a session starts or ends runs in that transaction, and its
failure never loses the start or the stop (charging.session_open / session_close,
core.listener_guard).

On the OCPP writer's path the listeners run without a savepoint each (three per session
before); a failing one fails the batch, whose units then run again one by one with every
listener guarded. Elsewhere every listener is guarded at once.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from ccms_app.accounts.models import Organisation
from ccms_app.charging import session_close, session_open
from ccms_app.charging.models import ChargingSession
from ccms_app.core import db
from ccms_app.finance.models import SessionCost
from ccms_app.network.models import ChargePoint
from ccms_app.network.provisioning import add_id_tag
from ocpp_server.charger_events import ChargerBooted, TransactionStarted, TransactionStopped

CHARGERS = ("CP-L1", "CP-L2", "CP-L3")
BROKEN = "CP-L2"  # the charge point whose sessions the broken listener fails on


@pytest.fixture
def chargers(session: Session, organisation: Organisation) -> list[str]:
    for identity in CHARGERS:
        session.add(
            ChargePoint(
                identity=identity,
                organisation_id=organisation.id,
                registration_state="registered",
            )
        )
    session.commit()
    for identity in CHARGERS:
        add_id_tag(f"CARD-{identity}")
    return list(CHARGERS)


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _breaks_on_one_charger(session: Session, cs: ChargingSession, cp: ChargePoint) -> None:
    """A listener that writes, then fails, on one charge point's sessions only."""
    cs.flag_reason = "written by the broken listener"
    session.add(cs)
    session.flush()
    if cp.identity == BROKEN:
        raise RuntimeError("listener bug")


async def _start(service, identity: str) -> int:
    await service.boot_notification(identity, ChargerBooted(vendor="V", model="M"))
    started = await service.start_transaction(
        identity,
        TransactionStarted(
            connector_id=1, id_tag=f"CARD-{identity}", meter_start_wh=0, timestamp=_now()
        ),
    )
    return started.transaction_id


async def _stop(service, identity: str, transaction_id: int) -> None:
    stop = TransactionStopped(transaction_id=transaction_id, meter_stop_wh=900, timestamp=_now())
    await service.stop_transaction(identity, stop)


def _sessions() -> dict[int, ChargingSession]:
    with db.read_session() as s:
        return {cs.id or 0: cs for cs in s.exec(select(ChargingSession)).all()}


async def test_a_failing_close_listener_loses_no_stop_in_a_batch_of_stops(
    service, chargers, monkeypatch, caplog
) -> None:
    started = {identity: await _start(service, identity) for identity in chargers}
    monkeypatch.setattr(
        session_close, "_listeners", [*session_close._listeners, _breaks_on_one_charger]
    )
    caplog.set_level(logging.ERROR)
    # The three stops go to the writer together: one batch, which the broken listener fails.
    await asyncio.gather(*(_stop(service, i, started[i]) for i in chargers))

    sessions = _sessions()
    with db.read_session() as s:
        costs = {c.session_id for c in s.exec(select(SessionCost)).all()}
    for identity, transaction_id in started.items():
        cs = sessions[transaction_id]
        assert cs.status == "completed" and cs.meter_stop_wh == 900  # every stop kept
        assert transaction_id in costs  # and priced: the listener before it is not undone
        broken = identity == BROKEN
        assert (cs.flag_reason == "written by the broken listener") is not broken
    assert "session close listener failed; the stop is kept" in caplog.text


async def test_a_failing_open_listener_loses_no_start(
    service, chargers, monkeypatch, caplog
) -> None:
    monkeypatch.setattr(
        session_open, "_listeners", [*session_open._listeners, _breaks_on_one_charger]
    )
    caplog.set_level(logging.ERROR)
    started = await asyncio.gather(*(_start(service, identity) for identity in chargers))
    sessions = _sessions()
    for identity, transaction_id in zip(chargers, started, strict=True):
        cs = sessions[transaction_id]
        assert cs.status == "active"
        broken = identity == BROKEN
        assert (cs.flag_reason == "written by the broken listener") is not broken
    assert "session open listener failed; the start is kept" in caplog.text


async def test_on_the_writers_path_a_session_pays_no_savepoint(
    service, chargers, statements
) -> None:
    transaction_id = await _start(service, CHARGERS[0])
    await _stop(service, CHARGERS[0], transaction_id)
    assert not [s for s in statements if s.startswith(("SAVEPOINT", "RELEASE"))]


def test_outside_the_writer_a_failing_listener_is_undone_at_once(
    session: Session, chargers, monkeypatch
) -> None:
    cp = session.exec(select(ChargePoint).where(ChargePoint.identity == BROKEN)).one()
    cs = ChargingSession(
        organisation_id=cp.organisation_id,
        charge_point_id=cp.id or 0,
        connector_id=1,
        id_tag="ANY",
        start_time=datetime.now(UTC),
        meter_start_wh=0,
    )
    session.add(cs)
    session.flush()
    monkeypatch.setattr(session_close, "_listeners", [_breaks_on_one_charger])
    session_close.session_closed(session, cs, cp)  # no exception: the stop goes on
    session.commit()
    session.refresh(cs)
    assert cs.flag_reason != "written by the broken listener"
