"""The partner routers in the REST API for these tests, also before `api.routes.ROUTERS`
lists them (the lead registers them there); once it does, nothing is added."""

from __future__ import annotations

import pytest

from ccms_app.api import app
from ccms_app.api.routes import reimbursements, settlements

PARTNER_ROUTERS = (
    settlements.api,
    settlements.settlements_api,
    reimbursements.api,
    reimbursements.reimbursements_api,
)


@pytest.fixture(autouse=True)
def partner_routers(monkeypatch: pytest.MonkeyPatch) -> None:
    missing = [r for r in PARTNER_ROUTERS if r not in app.ROUTERS]
    monkeypatch.setattr(app, "ROUTERS", [*app.ROUTERS, *missing])
