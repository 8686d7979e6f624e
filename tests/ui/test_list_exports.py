"""CSV export of every list: each list state's export (what its "Export CSV" button downloads)
holds exactly the rows of all its pages, in list order, across export chunk boundaries."""

from __future__ import annotations

import csv
import dataclasses
import importlib
import io
import pkgutil
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlmodel import Session, func, select

import ccms_app
from ccms_app.accounts import audit_log
from ccms_app.accounts.models import ApiKey, AuditEntry, OperatorAccount, Organisation, Role
from ccms_app.analytics.figures import Narrowing
from ccms_app.analytics.reports.filters import ReportFilter
from ccms_app.analytics.state.reports import SessionDetailListState
from ccms_app.analytics.state.statistics import SessionDetailsState
from ccms_app.analytics.statistics_sessions import DetailScope, Window
from ccms_app.charging.models import ChargerDataIssue, ChargingSession
from ccms_app.core import db, listing
from ccms_app.core.listing import ListQuery, ListSpec
from ccms_app.core.types import utc_now
from ccms_app.drivers.models import (
    Driver,
    IdTag,
    LocalAuthList,
    LocalAuthListAssignment,
    LocalAuthListEntry,
    UserGroup,
    UserGroupMember,
    Vehicle,
)
from ccms_app.finance.memberships.models import Membership, MembershipPlan
from ccms_app.finance.partners.models import HomeCharger, RevenueShareAgreement
from ccms_app.finance.payments.models import TopUp
from ccms_app.finance.rules.revenue import local_midnight
from ccms_app.finance.wallets.models import Voucher
from ccms_app.maintenance.alarms.models import Alarm, AlarmRule, VendorErrorCode
from ccms_app.maintenance.work_orders.models import MaintenancePlan, WorkOrder
from ccms_app.network.models import (
    ChargePoint,
    ChargePointEvent,
    Connector,
    OperationArea,
    RegistrationState,
    Station,
    StatusEvent,
)
from ccms_app.ui.list_state import ListState
from ccms_app.webhooks.models import WebhookDelivery, WebhookSubscription
from ccms_app.webhooks.state.delivery_log import WebhookLogState

ROWS = 23  # with EXPORT_CHUNK = 5 below: several chunks and a partial last one


def _module_values() -> list[object]:
    """Every value of every CCMS module (the app and CLI entry points aside; the REST API's
    own lists, e.g. all charging sessions, have no page: they export over HTTP)."""
    values: list[object] = []
    for info in pkgutil.walk_packages(ccms_app.__path__, "ccms_app."):
        if info.name in ("ccms_app.ccms_app", "ccms_app.cli") or info.name.startswith(
            "ccms_app.api."
        ):
            continue
        values += vars(importlib.import_module(info.name)).values()
    return values


def all_list_specs() -> dict[str, ListSpec]:
    return {v.name: v for v in _module_values() if isinstance(v, ListSpec)}


def all_list_states() -> list[type]:
    found = {
        v
        for v in _module_values()
        if isinstance(v, type)
        and issubclass(v, ListState)
        and v is not ListState
        and not getattr(v, "_mixin", False)  # a shared base of lists, not a list
    }
    return sorted(found, key=lambda cls: cls.__name__)


@pytest.fixture
def network(session: Session, organisation: Organisation) -> set[int]:
    """ROWS rows in every listed table, with ties in the sortable columns (vendor, status)."""
    partner = Organisation(name="Partner", parent_id=organisation.id)
    session.add(partner)
    session.flush()
    orgs = (organisation.id, partner.id)
    now = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    first_webhook: int | None = None
    for i in range(ROWS):
        org = orgs[i % 2]
        area = OperationArea(organisation_id=org, name=f"Area {i:02d}")
        session.add(area)
        session.flush()
        station = Station(organisation_id=org, area_id=area.id, name=f"Station, {i:02d}")
        session.add(station)
        session.flush()
        registered = i % 4 != 0
        cp = ChargePoint(
            organisation_id=org,
            station_id=station.id if registered else None,
            identity=f"CP-{i:02d}",
            vendor=("ABB", "Alfen")[i % 2],
            max_power_w=22000,
            registration_state=(
                RegistrationState.REGISTERED if registered else RegistrationState.UNREGISTERED
            ),
            last_seen_at=now,
        )
        session.add(cp)
        session.flush()
        session.add(Connector(organisation_id=org, charge_point_id=cp.id, connector_id=1))
        driver = Driver(organisation_id=org, name=f'Driver "{i % 5}"', email=f"d{i}@x.example")
        group = UserGroup(organisation_id=org, name=f"Fleet {i:02d}")
        session.add_all([driver, group])
        session.flush()
        session.add(UserGroupMember(group_id=group.id, driver_id=driver.id))
        tag = IdTag(organisation_id=org, id_tag=f"TAG{i:04d}", driver_id=driver.id)
        local_list = LocalAuthList(organisation_id=org, name=f"List {i % 3}-{i:02d}")
        session.add_all([tag, local_list])
        session.flush()
        session.add(LocalAuthListEntry(list_id=local_list.id, id_tag_id=tag.id))
        session.add(LocalAuthListAssignment(list_id=local_list.id, charge_point_id=cp.id))
        session.add(Vehicle(organisation_id=org, driver_id=driver.id, make="VW", model="ID.3"))
        role = Role(organisation_id=org, name=f"Desk {i:02d}", permissions="users:view")
        session.add(role)
        session.flush()
        session.add(
            OperatorAccount(
                organisation_id=org,
                email=f"op{i:02d}@x.example",
                full_name=f"Operator {i % 4}",
                password_hash="x",
                role_id=role.id,
                is_active=i % 3 != 0,
                last_login_at=now if i % 2 else None,
            )
        )
        session.add(
            ApiKey(
                organisation_id=org,
                role_id=role.id,
                name=f"Key {i % 4}",
                prefix=f"ccms_{i:07d}",
                key_hash=f"{i:064d}",
                created_by=f"op{i % 3}@x.example",
                created_at=now,
                last_used_at=now if i % 2 else None,
            )
        )
        webhook = WebhookSubscription(
            organisation_id=org,
            name=f"Hook {i % 4}",
            url=f"https://erp.example/hooks/{i}",
            secret="s" * 32,
            created_at=now,
        )
        session.add(webhook)
        session.flush()
        session.add(
            WebhookDelivery(
                subscription_id=first_webhook or webhook.id,  # the log page shows one webhook
                event_id=f"evt-{i:04d}",
                event_type=("charge_point.online", "session.started")[i % 2],
                identity=f"CP-{i % 3}",
                payload="{}",
                state=("delivered", "failed", "pending")[i % 3],
                attempts=i % 4,
                created_at=now,
            )
        )
        first_webhook = first_webhook or webhook.id
        session.add(
            AuditEntry(
                organisation_id=org,
                occurred_at=now,
                actor=f"op{i % 3}@x.example",
                action=("command.send", "id_tag_actions.block")[i % 2],
                object_id=cp.identity,
            )
        )
        _finance_rows(session, organisation, partner, org, i, cp, driver, now)
        _maintenance_rows(session, org, i, cp, now)
        session.add(
            ChargerDataIssue(
                charge_point_id=cp.id,
                identity=cp.identity,
                kind=("clock_ahead", "clock_not_set")[i % 2],
                detail=f"detail {i % 3}",
                payload="{}",
                created_at=now,
            )
        )
        session.add(
            ChargingSession(
                organisation_id=org,
                charge_point_id=cp.id,
                connector_id=1,
                id_tag=f"TAG{i:04d}",
                status=("active", "completed")[i % 2],
                start_time=now,
                meter_start_wh=0,
                flagged=True,
                flag_reason="energy register went down",
            )
        )
    session.commit()
    return set(orgs)


def _finance_rows(
    session: Session,
    operator: Organisation,
    partner: Organisation,
    org: int | None,
    i: int,
    cp: ChargePoint,
    driver: Driver,
    now: datetime,
) -> None:
    """Finance II's listed rows: vouchers, plans and memberships, top-ups, revenue-share
    agreements, home chargers (one of each per loop, ties in amounts and states)."""
    assert org is not None and driver.id is not None and cp.id is not None
    plan = MembershipPlan(organisation_id=org, name=f"Plan {i:02d}", monthly_fee_minor=990)
    session.add(plan)
    session.flush()
    session.add_all(
        [
            Voucher(organisation_id=org, code=f"CODE{i:02d}", value_minor=500 * (i % 3 + 1)),
            Membership(
                organisation_id=org,
                plan_id=plan.id or 0,
                holder_kind="driver",
                holder_id=driver.id,
                status=("active", "past_due")[i % 2],
                current_period_start=now,
                current_period_end=now,
            ),
            TopUp(
                organisation_id=org,
                holder_kind="driver",
                holder_id=driver.id,
                pay_minor=1000 * (i % 2 + 1),
                currency="EUR",
                state=("open", "paid")[i % 2],
            ),
            RevenueShareAgreement(
                organisation_id=operator.id or 0,
                partner_organisation_id=partner.id or 0,
                name=f"Deal {i:02d}",
                operator_percent=str(10 + i % 2),
                valid_from=now,
            ),
            HomeCharger(
                charge_point_id=cp.id, organisation_id=org, driver_id=driver.id, rate_per_kwh="0.3"
            ),
        ]
    )


def _maintenance_rows(
    session: Session, org: int | None, i: int, cp: ChargePoint, now: datetime
) -> None:
    """Maintenance's listed rows: alarms, alarm rules, vendor error codes, work orders (the
    fault report), plans, and the event history's status and charge point events (ties in
    severity, status, vendor and time)."""
    assert org is not None and cp.id is not None
    alarm = Alarm(
        organisation_id=org,
        charge_point_id=cp.id,
        connector_id=1,
        cause="connector_faulted",
        severity=("critical", "minor")[i % 2],
        status=("open", "acknowledged")[i % 2],
        fault_started_at=now,
        first_raised_at=now,
        last_raised_at=now,
    )
    session.add(alarm)
    session.flush()
    session.add_all(
        [
            AlarmRule(
                organisation_id=org,
                name=f"Rule {i:02d}",
                cause="offline",
                vendor=cp.vendor,
                severity=("major", "minor")[i % 2],
            ),
            VendorErrorCode(
                organisation_id=org,
                vendor=cp.vendor,
                vendor_error_code=f"E-{i:02d}",
                readable_cause=f"Cause {i % 3}",
            ),
            WorkOrder(
                organisation_id=org,
                title=f"Repair {i % 4}",
                priority=("high", "low")[i % 2],
                charge_point_id=cp.id,
                connector_id=1,
                station_id=cp.station_id,
                alarm_id=alarm.id,
                created_at=now,
                updated_at=now,
            ),
            MaintenancePlan(
                organisation_id=org,
                name=f"Service {i % 3}",
                vendor=cp.vendor,
                every_months=12,
                next_due_at=now,
            ),
            StatusEvent(
                charge_point_id=cp.id,
                connector_id=1,
                status="Faulted",
                error_code=("GroundFailure", "NoError")[i % 2],
                received_at=now,
            ),
            ChargePointEvent(charge_point_id=cp.id, kind="connected", occurred_at=now),
        ]
    )


def _pages(spec: ListSpec, query: ListQuery, scope: set[int]) -> list[list[str]]:
    rows, page = [], 1
    while True:
        result = listing.fetch_page(spec, ListQuery(**{**query.__dict__, "page": page}), scope)
        rows += [_cells(spec, row) for row in result.rows]
        if page >= result.pages:
            return rows
        page += 1


def _first_webhook() -> int:
    with db.read_session() as session:
        return int(session.exec(select(func.min(WebhookSubscription.id))).one())


def _cells(spec: ListSpec, row: dict[str, object]) -> list[str]:
    if spec is audit_log.AUDIT_LIST:  # exported as read: labels, times in the zone (UTC here)
        shown = audit_log.export_row(row, "UTC")
        return [shown[c.key] for c in spec.columns]
    return [_cell(row[c.key]) for c in spec.columns]


def _cell(value: object) -> str:
    return "" if value is None else str(value)


def _queries(spec: ListSpec) -> list[ListQuery]:
    sortable = [c.key for c in spec.columns if c.sortable and c.key != spec.default_sort]
    queries = [ListQuery(page_size=7)]
    if sortable:  # a column with ties: the id tie-break must keep chunks from overlapping
        queries.append(ListQuery(page_size=7, sort=sortable[-1], descending=True))
    return queries


def test_every_list_has_a_state_with_an_export() -> None:
    specs = all_list_specs()
    exported = {cls()._list_spec().name for cls in all_list_states()}
    assert {"stations", "charge points", "drivers", "id tags"} <= set(specs)
    assert set(specs) <= exported, f"lists without a list state: {set(specs) - exported}"


@pytest.mark.parametrize("state_class", all_list_states(), ids=lambda cls: cls.__name__)
def test_each_lists_export_is_every_page_in_order(
    state_class: type, network: set[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(listing, "EXPORT_CHUNK", 5)
    state = state_class()
    if state_class is WebhookLogState:  # the delivery log shows the deliveries of one webhook
        state.webhook_id = _first_webhook()
    spec = state._list_spec()
    if state_class in WINDOWED:  # the analytics sessions lists hold a chosen range's sessions
        _check_windowed(state, network)
        return
    # Finance's history and documents export what an accountant reads (amounts with their
    # currency, times in the zone) through their own export: every row, in the same number.
    own_export = type(state)._export is not ListState._export
    for query in _queries(spec):
        text = state._export(query, network)
        table = list(csv.reader(io.StringIO(text)))
        expected = _pages(spec, query, network)
        if own_export:
            assert table[0] and len(table) - 1 == len(expected)
            continue
        assert table[0] == [c.label for c in spec.columns]
        assert expected, f"{spec.name}: the fixture left the list empty"
        assert table[1:] == expected
    assert state._export_name().endswith(".csv")


def _windowed_states() -> dict[type, Callable[[set[int]], None]]:
    """The lists that show the sessions of a range the page chose, and how to choose one
    around the fixture's sessions (2 January 2026)."""
    first, last = date(2026, 1, 1), date(2026, 1, 3)

    def statistics(state: Any, orgs: set[int]) -> None:
        window = Window(first, last, local_midnight(first, "UTC"), local_midnight(last, "UTC"))
        state._details = DetailScope(Narrowing(frozenset(orgs)), window, "UTC", utc_now())

    def reports(state: Any, orgs: set[int]) -> None:
        state._report = ReportFilter(frozenset(orgs), "UTC", first, last)

    return {SessionDetailsState: statistics, SessionDetailListState: reports}


WINDOWED = _windowed_states()


def _check_windowed(state: Any, network: set[int]) -> None:
    """Its export is every row of every page of the chosen range, none twice."""
    WINDOWED[type(state)](state, network)
    query = ListQuery(page_size=7)
    shown, page = [], 1
    while True:
        rows = state._fetch(dataclasses.replace(query, page=page), network).rows
        shown += rows
        if len(rows) < query.page_size:
            break
        page += 1
    table = list(csv.reader(io.StringIO(state._export(query, network))))
    assert shown and table[0] and len(table) - 1 == len(shown)
    assert state._export_name().endswith(".csv")


def test_exports_are_scoped(network: set[int], organisation: Organisation) -> None:
    spec = all_list_specs()["charge points"]
    own = list(csv.reader(io.StringIO(listing.export_csv(spec, ListQuery(), {organisation.id}))))
    everyone = list(csv.reader(io.StringIO(listing.export_csv(spec, ListQuery(), network))))
    assert 1 < len(own) < len(everyone)
    owner = [c.key for c in spec.columns].index("organisation")
    assert {row[owner] for row in own[1:]} == {"Test Operator"}
