"""Fixtures shared by the charging tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from ccms_app.charging.charger_events import ChargerEventService


@pytest.fixture
def service(charger_events: ChargerEventService) -> ChargerEventService:
    """The real ChargerEventService, started on the test database (tests/fixtures/ocpp.py)."""
    return charger_events


@pytest.fixture
def statements(engine: Engine) -> Iterator[list[str]]:
    """Every SQL statement the engine runs from now on."""
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)
