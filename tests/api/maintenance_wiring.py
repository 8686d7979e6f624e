"""Until the lead registers them in api/routes/__init__.py: the alarm management routers
added to the REST API for these tests only (nothing happens once they are registered)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ccms_app.api.routes import (
    ROUTERS,
    alarm_rules,
    alarms,
    maintenance_events,
    maintenance_settings,
    vendor_error_codes,
)

H2_ROUTERS = [
    alarms.api,
    maintenance_events.api,
    alarm_rules.api,
    vendor_error_codes.api,
    maintenance_settings.api,
]


@pytest.fixture(autouse=True)
def alarm_routers() -> Iterator[None]:
    added = [r for r in H2_ROUTERS if r not in ROUTERS]
    ROUTERS.extend(added)
    yield
    for router in added:
        ROUTERS.remove(router)
