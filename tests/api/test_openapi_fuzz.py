"""A property-based run of the whole OpenAPI schema (schemathesis) against the real API.

The web-port app runs in its own process (granian, as `ccms run` serves it) on a migrated
SQLite database with a small network in it, and schemathesis' command line walks every
operation with an Administrator key: the schema's examples and random input ("fuzzing"),
valid and invalid. The boundary values of every parameter ("coverage") take three more
minutes, too long for every run of the suite: CCMS_FUZZ_PHASES=examples,coverage,fuzzing
adds them (before a release, after a change to the API's schema). It fails on any 500,
any answer that breaks the operation's documented schema, status code or content type,
and any operation that accepts input its schema calls invalid. The app process is
configured with the fake Stripe server (tests/fixtures/fake_stripe.py), so card setup,
top-ups and refunds really run: whatever the API forwards to Stripe must be valid for Stripe
(input Stripe would refuse is ours to answer 422, never a 502). The seed is fixed so CI is
repeatable; CCMS_FUZZ_SEED=<n> and CCMS_FUZZ_EXAMPLES=<n> explore further. The whole report
is kept in the test's tmp_path (schemathesis.txt) beside the app's log (api.log).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import timedelta
from pathlib import Path
from typing import NamedTuple

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from ccms_app.accounts import api_keys
from ccms_app.accounts.auth import built_in_role_id
from ccms_app.accounts.models import OperatorAccount, Organisation
from ccms_app.accounts.rules.permissions import MAINTENANCE_STAFF
from ccms_app.charging.models import ChargingSession, SessionStatus
from ccms_app.core import db
from ccms_app.core.types import utc_now
from ccms_app.drivers.models import Driver, UserGroup
from ccms_app.finance.models import CostState, SessionCost
from ccms_app.finance.payments.models import Payment, PaymentKind, PaymentStatus
from ccms_app.load_balancing.models import (
    BuildingLoadReading,
    LoadMember,
    LoadNode,
    LoadPlan,
    LoadPriority,
    LoadSite,
    NodeKind,
)
from ccms_app.maintenance.alarms.models import Alarm, AlarmRule, VendorErrorCode
from ccms_app.maintenance.rules.alarm_causes import open_key
from ccms_app.maintenance.work_orders.models import (
    MaintenancePlan,
    MaintenanceStaff,
    MaintenanceStaffArea,
    WorkOrder,
)
from ccms_app.network.models import (
    ChargePoint,
    ChargePointEvent,
    Connector,
    OperationArea,
    Station,
    StatusEvent,
)
from tests.api.rest import free_port
from tests.fixtures.db import only_sqlite
from tests.fixtures.fake_stripe import FakeStripe, running_fake_stripe, stripe_environment

CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
        "negative_data_rejection",
    ]
)
# Revoking the run's own key would turn the rest of the run into 401s: tested on its own.
EXCLUDED_OPERATIONS = ["revoke_api_key"]
START_TIMEOUT = 60.0
# Card setup, top-ups and refunds must really reach (the fake) Stripe during the run.
STRIPE_CALLS = ("/v1/setup_intents", "/v1/checkout/sessions", "/v1/refunds")


class Served(NamedTuple):
    url: str
    stripe: FakeStripe


def _card_payment(session: Session, organisation_id: int, stripe: FakeStripe) -> None:
    """A driver and a group to top up and save cards for, and a card payment Stripe took
    (so refunds reach Stripe)."""
    driver = Driver(organisation_id=organisation_id, name="Zoë", email="zoe@example.com")
    session.add_all([driver, UserGroup(organisation_id=organisation_id, name="Fleet")])
    session.flush()
    params = {"amount": "5000", "currency": "eur", "confirm": "true"}
    _status, intent = stripe.handle(
        "POST",
        "/v1/payment_intents",
        {**params, "payment_method": "pm_card_visa"},
        {"authorization": f"Bearer {stripe.secret_key}"},
    )
    session.add(
        Payment(
            organisation_id=organisation_id,
            kind=PaymentKind.CARD_EXCESS,
            holder_kind="driver",
            holder_id=driver.id or 0,
            currency="EUR",
            amount_minor=5000,
            captured_minor=5000,
            status=PaymentStatus.SUCCEEDED,
            idempotency_key="fuzz:card",
            stripe_id=intent["id"],
        )
    )


def _seed(organisation: Organisation, stripe: FakeStripe) -> None:
    """A little of everything, so GETs of ids 1.. find rows and lists have pages."""
    with db.session_scope() as session:
        _card_payment(session, organisation.id or 0, stripe)
        sub = Organisation(name="Fuzz Sub", parent_id=organisation.id)
        session.add(sub)
        area = OperationArea(name="North", organisation_id=organisation.id or 0)
        session.add(area)
        session.flush()
        station = Station(name="Depot", organisation_id=organisation.id or 0, area_id=area.id)
        session.add(station)
        session.flush()
        for number in range(3):
            cp = ChargePoint(
                identity=f"CP-FUZZ-{number}",
                organisation_id=organisation.id or 0,
                station_id=station.id,
                registration_state="registered",
            )
            session.add(cp)
            session.flush()
            session.add(
                Connector(
                    charge_point_id=cp.id or 0,
                    connector_id=1,
                    organisation_id=organisation.id or 0,
                )
            )
        _maintenance(session, organisation.id or 0, cp.id or 0, area.id or 0)
        _load_site(session, organisation.id or 0, station.id or 0, cp.id or 0)
        _sessions(session, organisation.id or 0, cp.id or 0)


def _maintenance(session: Session, organisation_id: int, cp_id: int, area_id: int) -> None:
    """An alarm with its work order, a technician covering the area, a plan, a rule, a vendor
    code and charger events: the maintenance operations' ids 1 find rows."""
    now = utc_now()
    alarm = Alarm(
        organisation_id=organisation_id,
        charge_point_id=cp_id,
        connector_id=1,
        cause="connector_faulted",
        open_key=open_key(cp_id, 1, "connector_faulted"),
        fault_started_at=now,
    )
    technician = OperatorAccount(
        organisation_id=organisation_id,
        email="tech@example.com",
        password_hash="x",
        role_id=built_in_role_id(session, MAINTENANCE_STAFF),
    )
    session.add_all([alarm, technician])
    session.flush()
    session.add_all(
        [
            WorkOrder(
                organisation_id=organisation_id,
                title="Connector faulted",
                charge_point_id=cp_id,
                connector_id=1,
                alarm_id=alarm.id,
            ),
            MaintenanceStaff(account_id=technician.id or 0, organisation_id=organisation_id),
            MaintenancePlan(
                organisation_id=organisation_id,
                name="Yearly",
                charge_point_id=cp_id,
                every_months=12,
                next_due_at=now,
            ),
            AlarmRule(organisation_id=organisation_id, name="Faults", cause="connector_faulted"),
            VendorErrorCode(
                organisation_id=organisation_id,
                vendor="Acme",
                vendor_error_code="E-17",
                readable_cause="Residual current device tripped",
            ),
            StatusEvent(
                charge_point_id=cp_id, connector_id=1, status="Faulted", error_code="Other"
            ),
            ChargePointEvent(charge_point_id=cp_id, kind="connected"),
        ]
    )
    session.flush()
    session.add(MaintenanceStaffArea(account_id=technician.id or 0, area_id=area_id))


def _load_site(session: Session, organisation_id: int, station_id: int, cp_id: int) -> None:
    """A load site at the station with a panel, a member, a plan, a priority and a building
    load reading: the load balancing operations' ids 1 find rows."""
    site = LoadSite(organisation_id=organisation_id, station_id=station_id, name="Depot grid")
    session.add(site)
    session.flush()
    site_id = site.id or 0
    root = LoadNode(site_id=site_id, kind=NodeKind.GRID, name="Grid connection", limit_a=100.0)
    session.add(root)
    session.flush()
    panel = LoadNode(
        site_id=site_id, parent_id=root.id, kind=NodeKind.PANEL, name="Panel A", limit_a=63.0
    )
    session.add(panel)
    session.flush()
    session.add_all(
        [
            LoadMember(site_id=site_id, node_id=panel.id or 0, charge_point_id=cp_id),
            LoadPlan(
                site_id=site_id,
                name="Office hours",
                weekdays="12345",
                start_time="08:00",
                end_time="18:00",
                limit_kw=40.0,
            ),
            LoadPriority(site_id=site_id, kind="id_tag", ref="FLEET-1", priority=2),
            BuildingLoadReading(
                site_id=site_id, measured_at=utc_now(), l1_a=20.0, l2_a=21.0, l3_a=19.0
            ),
        ]
    )


def _sessions(session: Session, organisation_id: int, cp_id: int) -> None:
    """A priced session and a running one: the analytics reports have rows to show."""
    now = utc_now()
    done = ChargingSession(
        organisation_id=organisation_id, charge_point_id=cp_id, connector_id=1,
        id_tag="FUZZ-TAG", status=SessionStatus.COMPLETED, start_time=now - timedelta(hours=2),
        stop_time=now - timedelta(hours=1), meter_start_wh=0, meter_stop_wh=7_000,
        energy_wh=7_000,
    )  # fmt: skip
    session.add(done)
    session.flush()
    session.add(
        SessionCost(
            session_id=done.id or 0, organisation_id=organisation_id, state=CostState.FINAL,
            currency="EUR", total_incl_minor=350, total_excl_minor=294, vat_minor=56,
        )
    )  # fmt: skip
    session.add(
        ChargingSession(
            organisation_id=organisation_id, charge_point_id=cp_id, connector_id=1,
            id_tag="FUZZ-TAG", status=SessionStatus.ACTIVE,
            start_time=now - timedelta(minutes=30), meter_start_wh=7_000, energy_wh=1_200,
        )
    )  # fmt: skip


@pytest.fixture
def served_process(engine: Engine, database_url: str, tmp_path: Path) -> Iterator[Served]:
    """The web-port app in its own process, with Stripe (the fake) configured."""
    env = dict(os.environ)
    env.pop("PYTEST_CURRENT_TEST", None)
    env.update(CCMS_DATABASE_URL=database_url, CCMS_DEMO_FLEET="0", CCMS_LOG_LEVEL="WARNING")
    with running_fake_stripe() as stripe:
        env.update(stripe_environment(stripe))
        with _served(env, tmp_path) as url:
            yield Served(url, stripe)


@contextmanager
def _served(env: dict[str, str], tmp_path: Path) -> Iterator[str]:
    port = free_port()
    log = (tmp_path / "api.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable, "-m", "granian", "--interface", "asgi", "--factory",
            "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
            "ccms_app.api:build_api",
        ],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline and process.poll() is None:
            with suppress(OSError), urllib.request.urlopen(f"{url}/healthz", timeout=2):
                break
            with suppress(OSError), urllib.request.urlopen(f"{url}/api/v1/openapi.json"):
                break
            time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


@only_sqlite  # minutes of fuzzing: once; the API's own tests run on both databases
@pytest.mark.runs_long
@pytest.mark.timeout(900)  # the whole API fuzzed (~1 min; ~4 with coverage); the run's bound
def test_no_route_errs_breaks_its_schema_or_accepts_invalid_input(
    served_process: Served, organisation: Organisation, tmp_path: Path
) -> None:
    _seed(organisation, served_process.stripe)
    key = api_keys.create_api_key_from_cli("fuzz", "Administrator", organisation.id).key
    command = [
        str(Path(sys.executable).parent / "schemathesis"), "run",
        f"{served_process.url}/api/v1/openapi.json",
        "--checks", CHECKS,
        "--header", f"Authorization: Bearer {key}",
        "--phases", os.environ.get("CCMS_FUZZ_PHASES", "examples,fuzzing"),
        "--max-examples", os.environ.get("CCMS_FUZZ_EXAMPLES", "8"),
        "--seed", os.environ.get("CCMS_FUZZ_SEED", "20261205"),
        "--workers", "2",
        "--request-timeout", "20",
        "--generation-database", "none",
        "--no-color",
        "--output-sanitize", "true",
        *[arg for op in EXCLUDED_OPERATIONS for arg in ("--exclude-operation-id", op)],
    ]  # fmt: skip
    run = subprocess.run(command, capture_output=True, text=True, timeout=900, cwd=tmp_path)
    (tmp_path / "schemathesis.txt").write_text(run.stdout + run.stderr)
    report = run.stdout[-20000:] + run.stderr[-5000:]
    assert run.returncode == 0, report
    assert "No issues found" in run.stdout or "passed" in run.stdout, report
    stripe = served_process.stripe
    reached = {path: len(stripe.calls("POST", path)) for path in STRIPE_CALLS}
    assert all(reached.values()), f"Stripe was never reached for some of {reached}"
