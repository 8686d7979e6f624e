"""The alarm engine tests' fixtures (imported by its test modules, not a conftest: other tests
in this folder keep their own bus): the worker on the process event bus (commands publish there),
the charger event service feeding the same bus, a registered charge point over a real socket."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlmodel import Session, col, select

from ccms_app.accounts.models import Organisation
from ccms_app.core import db
from ccms_app.core.events import EventBus, get_event_bus
from ccms_app.maintenance.alarms.models import Alarm, AlarmActivity
from ccms_app.maintenance.alarms.worker import AlarmWorker, alarm_worker_running
from ccms_app.network.models import ChargePoint


@pytest.fixture(name="event_bus")
def process_bus() -> EventBus:
    """The process bus: the charger service, the commands and the worker all use it."""
    return get_event_bus()


@pytest.fixture(name="alarm_worker")
async def running_alarm_worker(engine: Any, event_bus: EventBus) -> AsyncIterator[AlarmWorker]:
    async with alarm_worker_running(event_bus, window_s=0.1) as worker:
        yield worker


def register_charge_point(
    session: Session, organisation: Organisation, identity: str, **fields: Any
) -> ChargePoint:
    cp = ChargePoint(
        identity=identity,
        organisation_id=organisation.id,
        registration_state="registered",
        **fields,
    )
    session.add(cp)
    session.commit()
    session.refresh(cp)
    return cp


def alarms(cause: str | None = None) -> list[Alarm]:
    with db.read_session() as s:
        query = select(Alarm).order_by(col(Alarm.id))
        if cause is not None:
            query = query.where(col(Alarm.cause) == cause)
        return list(s.exec(query))


def activity(alarm_id: int | None) -> list[tuple[str, str]]:
    with db.read_session() as s:
        rows = s.exec(
            select(AlarmActivity)
            .where(col(AlarmActivity.alarm_id) == alarm_id)
            .order_by(col(AlarmActivity.id))
        )
        return [(a.kind, a.text) for a in rows]
