"""Fixtures shared by the charging tests."""

from __future__ import annotations

import pytest

from ccms_app.charging.charger_events import ChargerEventService


@pytest.fixture
def service(charger_events: ChargerEventService) -> ChargerEventService:
    """The real ChargerEventService, started on the test database (tests/fixtures/ocpp.py)."""
    return charger_events
