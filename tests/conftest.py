"""Shared pytest fixtures live in tests/fixtures/*; each module is a plugin listed here."""

from __future__ import annotations

import os
from collections.abc import Generator
from typing import Any

import pytest
from xdist.scheduler import LoadScopeScheduling

from ccms_app.accounts.state import gate
from ccms_app.core.operator_zone import register_operator_zone
from ccms_app.driver_app.state.auth import driver_gate
from ccms_app.finance import session_pricing
from ccms_app.finance.documents.listing import operator_zone
from ccms_app.finance.memberships import stripe_events as membership_events
from ccms_app.finance.payments import reservation_fees, session_payments, webhook_handlers
from ccms_app.maintenance.notifications import email_hook as alarm_email
from ccms_app.maintenance.work_orders import alarm_hook as work_order_hook
from tests.fixtures.db import runs_on_postgresql

# As in the product (runtime.py): every session is priced in the transaction that ends it.
session_pricing.install()
session_payments.install()  # payment at the start, settlement after pricing, the Blocked check
reservation_fees.install()  # an unused reservation's fee, in the expiry sweep's transaction
webhook_handlers.install()  # Stripe webhook events -> payments, top-ups, saved cards
membership_events.install()  # card-plan memberships follow Stripe's webhooks
alarm_email.install()  # alarm e-mail outbox rows, in the alarm's transaction
work_order_hook.install()  # alarm rules' work orders, in the alarm's transaction
gate.install_driver_gate(driver_gate)  # as ccms_app.py: driver app handlers' own check
register_operator_zone(operator_zone)  # as ccms_app.py: the operator zone

# Passwords at Argon2id's lowest cost (1 pass, 8 MiB: ~10 ms instead of ~0.2 s a check, and
# the suite makes and checks some thousand of them, the browser tests' app processes too).
# The cost is configuration; tests/accounts/test_login_routes.py checks the default one.
os.environ.setdefault("CCMS_PASSWORD_HASH_PASSES", "1")
os.environ.setdefault("CCMS_PASSWORD_HASH_MEMORY_KIB", "8192")

BROWSER_SUFFIX = "_browser.py"

pytest_plugins = [
    "tests.fixtures.db",
    "tests.fixtures.ocpp",
    "tests.fixtures.redis",
    "tests.fixtures.settings",
]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator:
    """Keep each phase's report on the test item (`rep_call`): fixtures that clean up after a
    test (the browser fixture's failure screenshots) need to know whether it failed."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    if report.failed and report.when == "call":
        _attach_app_log(item, report)
    return report


def _attach_app_log(item: pytest.Item, report: pytest.TestReport) -> None:
    """A failed browser test shows what the app logged: on CI that is the only trace of a
    server-side error (an event handler's exception reaches the browser as a toast)."""
    app = getattr(item, "funcargs", {}).get("running_app")
    log_path = getattr(app, "log_path", None)
    if log_path is not None and log_path.exists():
        tail = log_path.read_text(errors="replace").splitlines()[-60:]
        report.sections.append(("app log (last 60 lines)", "\n".join(tail)))


class _FilesInOrder(LoadScopeScheduling):
    """pytest-xdist's work units (`make test` runs `-n 2 --dist loadscope`) are test files,
    so a module's fixtures (a browser test module's app process) are set up once, on one
    worker. They are handed out in the order `pytest_collection_modifyitems` leaves, not
    biggest first: that order is what keeps both workers busy to the end."""

    def __init__(self, config: pytest.Config, log: Any) -> None:
        config.option.loadscopereorder = False
        super().__init__(config, log)

    def _split_scope(self, nodeid: str) -> str:
        return nodeid.split("::", 1)[0]


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> LoadScopeScheduling:
    return _FilesInOrder(config, log)


def _postgresql_variant(item: pytest.Item) -> bool:
    callspec = getattr(item, "callspec", None)
    params = callspec.params if callspec is not None else {}
    return "postgresql" in (params.get("database_url"), params.get("module_database_url"))


def _schedule_rank(item: pytest.Item, first_browser_file: str) -> int:
    """The browser tests are most of the suite's time, so they go first, on both workers:
    one browser file (whose app start builds the frontend, ~2 minutes), then the tests marked
    `runs_long` (the other worker's work meanwhile), then the other browser files, and last
    the many short files, which fill in whatever time a worker has left at the end."""
    if item.path.name.endswith(BROWSER_SUFFIX):
        return 0 if str(item.path) == first_browser_file else 2
    return 1 if item.get_closest_marker("runs_long") else 3


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Browser tests live in `*_browser.py` files: that is how the scheduler knows them.
    PostgreSQL variants outside the chosen packages are deselected (tests/fixtures/db.py)."""
    for item in items:
        if item.get_closest_marker("browser") and not item.path.name.endswith(BROWSER_SUFFIX):
            raise pytest.UsageError(f"{item.nodeid}: a browser test file ends in {BROWSER_SUFFIX}")
    left_out = [
        item for item in items if _postgresql_variant(item) and not runs_on_postgresql(item.nodeid)
    ]
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = [item for item in items if item not in set(left_out)]
    browser_files = [str(item.path) for item in items if item.path.name.endswith(BROWSER_SUFFIX)]
    first = browser_files[0] if browser_files else ""
    items.sort(key=lambda item: _schedule_rank(item, first))  # stable: files stay in order
