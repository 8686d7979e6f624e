"""Stations, charge points, callers and a site to start the load-balancing admin tests from,
written straight to the test database; and the `load_site` events the use cases publish."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from ccms_app.accounts.models import Organisation
from ccms_app.accounts.roles import Caller
from ccms_app.core import db
from ccms_app.core.events import NetworkEvent, get_event_bus
from ccms_app.core.rows import stored_id
from ccms_app.load_balancing import site_admin
from ccms_app.network.models import ChargePoint, OperationArea, Station

EDIT = ("load_balancing:view", "load_balancing:edit")
SITE = {"name": "Depot grid", "strategy": "dynamic", "limit_a": "63", "margin_a": "3"}


def caller(organisation_id: int, *permissions: str) -> Caller:
    return Caller(1, organisation_id, "ops@ccms.test", frozenset(permissions or EDIT), "127.0.0.1")


def organisation(parent_id: int | None = None, name: str = "Sub Operator") -> int:
    with db.session_scope() as session:
        row = Organisation(name=name, parent_id=parent_id)
        session.add(row)
        session.flush()
        return stored_id(row.id)


def station(organisation_id: int, name: str = "Depot", timezone: str = "Europe/Berlin") -> int:
    with db.session_scope() as session:
        area = OperationArea(organisation_id=organisation_id, name=f"Area of {name}")
        session.add(area)
        session.flush()
        row = Station(
            organisation_id=organisation_id, name=name, area_id=area.id, timezone=timezone
        )
        session.add(row)
        session.flush()
        return stored_id(row.id)


def charge_point(organisation_id: int, station_id: int, identity: str, method: str = "AC") -> int:
    with db.session_scope() as session:
        row = ChargePoint(
            organisation_id=organisation_id,
            identity=identity,
            station_id=station_id,
            charging_method=method,
            registration_state="registered",
        )
        session.add(row)
        session.flush()
        return stored_id(row.id)


def site(organisation_id: int, station_id: int, **changes: Any) -> site_admin.SiteView:
    return site_admin.create_site(
        caller(organisation_id), {**SITE, "station_id": station_id, **changes}
    )


@pytest.fixture
async def site_events() -> AsyncIterator[asyncio.Queue[NetworkEvent]]:
    """The process's event bus, heard from the test's loop (what the controller hears)."""
    bus = get_event_bus()
    queue = bus.subscribe()
    yield queue
    bus.unsubscribe(queue)


def heard(queue: asyncio.Queue[NetworkEvent]) -> list[dict[str, Any]]:
    """The `load_site` events published so far (their data), oldest first."""
    found = []
    while not queue.empty():
        event = queue.get_nowait()
        if event.kind == "load_site":
            found.append(event.data)
    return found
