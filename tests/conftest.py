"""Shared pytest fixtures live in tests/fixtures/*; each module is a plugin listed here."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import pytest
from xdist.scheduler import LoadScopeScheduling

from ccms_app.accounts.state import gate
from ccms_app.driver_app.state.auth import driver_gate
from ccms_app.finance import session_pricing
from ccms_app.finance.memberships import stripe_events as membership_events
from ccms_app.finance.payments import reservation_fees, session_payments, webhook_handlers
from ccms_app.maintenance.notifications import email_hook as alarm_email
from ccms_app.maintenance.work_orders import alarm_hook as work_order_hook

# As in the product (runtime.py): every session is priced in the transaction that ends it.
session_pricing.install()
session_payments.install()  # payment at the start, settlement after pricing, the Blocked check
reservation_fees.install()  # an unused reservation's fee, in the expiry sweep's transaction
webhook_handlers.install()  # Stripe webhook events -> payments, top-ups, saved cards
membership_events.install()  # card-plan memberships follow Stripe's webhooks
alarm_email.install()  # alarm e-mail outbox rows, in the alarm's transaction
work_order_hook.install()  # alarm rules' work orders, in the alarm's transaction
gate.install_driver_gate(driver_gate)  # as ccms_app.py: driver app handlers' own check

BROWSER_SUFFIX = "_browser.py"

pytest_plugins = [
    "tests.fixtures.db",
    "tests.fixtures.ocpp",
    "tests.fixtures.settings",
]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator:
    """Keep each phase's report on the test item (`rep_call`): fixtures that clean up after a
    test (the browser fixture's failure screenshots) need to know whether it failed."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


class _BrowserTestsTogether(LoadScopeScheduling):
    """pytest-xdist's work units (`make test` runs `-n 2 --dist loadscope`): every browser
    test file (`*_browser.py`) in one unit, so one worker runs them one after another (they
    share one frontend build, served on the one port it was built for); every other test file
    is a unit of its own, so its module fixtures are set up once, on one worker."""

    def _split_scope(self, nodeid: str) -> str:
        path = nodeid.split("::", 1)[0]
        return "browser tests" if path.endswith(BROWSER_SUFFIX) else path


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> LoadScopeScheduling:
    return _BrowserTestsTogether(config, log)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests live in `*_browser.py` files: that is how the scheduler knows them."""
    for item in items:
        if item.get_closest_marker("browser") and not item.path.name.endswith(BROWSER_SUFFIX):
            raise pytest.UsageError(f"{item.nodeid}: a browser test file ends in {BROWSER_SUFFIX}")
