"""The operator's data issue lists and resolving, on a real migrated database.

Scope: an issue belongs to its charge point's organisation, an issue of an unknown identity
(no charge point row) to the root organisation. Resolving records who did it and takes the
"data" warning off the live pages.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session

from ccms_app.accounts import organisations
from ccms_app.accounts.models import Organisation
from ccms_app.charging import data_issue_admin as admin
from ccms_app.charging import data_issues
from ccms_app.charging.models import ChargerDataIssue, ChargingSession
from ccms_app.core import listing
from ccms_app.core.config import PROJECT_ROOT
from ccms_app.core.events import get_event_bus
from ccms_app.core.listing import ListQuery
from ccms_app.monitoring import snapshot as monitoring
from ccms_app.network.models import ChargePoint

T0 = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
OPERATOR = "ops@example.com"


@dataclass
class Network:
    root: Organisation
    partner: Organisation  # a sub-operator of root
    stranger: Organisation  # another top-level operator
    root_cp: ChargePoint
    partner_cp: ChargePoint
    issues: dict[str, int]  # name -> issue id


def _org(session: Session, name: str, parent: Organisation | None = None) -> Organisation:
    org = Organisation(name=name, parent_id=parent.id if parent else None)
    session.add(org)
    session.flush()
    return org


def _cp(session: Session, org: Organisation, identity: str) -> ChargePoint:
    cp = ChargePoint(identity=identity, organisation_id=org.id, registration_state="registered")
    session.add(cp)
    session.flush()
    return cp


def _issue(
    session: Session, cp: ChargePoint | None, identity: str, kind: str, detail: str, minute: int
) -> int:
    issue = ChargerDataIssue(
        charge_point_id=cp.id if cp else None,
        identity=identity,
        kind=kind,
        detail=detail,
        payload=json.dumps({"transaction_id": minute, "meter_stop": 1200}),
        created_at=T0 + timedelta(minutes=minute),
    )
    session.add(issue)
    session.flush()
    assert issue.id is not None
    return issue.id


@pytest.fixture
def network(session: Session, organisation: Organisation) -> Network:
    partner = _org(session, "Partner", organisation)
    stranger = _org(session, "Stranger")
    root_cp = _cp(session, organisation, "CP-ROOT")
    partner_cp = _cp(session, partner, "CP-PARTNER")
    stop, meter = data_issues.STOP_UNKNOWN_TRANSACTION, data_issues.METER_VALUES_UNKNOWN_TRANSACTION
    issues = {
        "root_stop": _issue(session, root_cp, "CP-ROOT", stop, "unknown transaction 41", 1),
        "root_clock": _issue(session, root_cp, "CP-ROOT", "clock_ahead", "clock is ahead", 2),
        "partner_stop": _issue(session, partner_cp, "CP-PARTNER", stop, "never got an id", 3),
        "unknown": _issue(session, None, "CP-NOBODY", meter, "unknown transaction 9", 4),
    }
    session.commit()
    return Network(organisation, partner, stranger, root_cp, partner_cp, issues)


def scope(org: Organisation) -> frozenset[int]:
    assert org.id is not None
    return organisations.organisation_scope(org.id)


def ids(spec: listing.ListSpec, query: ListQuery, org: Organisation) -> list[int]:
    return [int(r["id"]) for r in listing.fetch_page(spec, query, scope(org)).rows]


def test_operators_see_their_organisations_issues_and_root_sees_unknown_identities(
    network: Network,
) -> None:
    everything = ListQuery(sort="created_at")
    n = network.issues
    assert ids(admin.DATA_ISSUE_LIST, everything, network.root) == [
        n["root_stop"],
        n["root_clock"],
        n["partner_stop"],
        n["unknown"],
    ]
    assert ids(admin.DATA_ISSUE_LIST, everything, network.partner) == [n["partner_stop"]]
    assert ids(admin.DATA_ISSUE_LIST, everything, network.stranger) == []
    # the older list API scopes the same way
    assert {i.id for i in data_issues.list_issues(scope(network.partner))} == {n["partner_stop"]}
    assert n["unknown"] in {i.id for i in data_issues.list_issues(scope(network.root))}
    assert data_issues.list_issues(scope(network.stranger)) == []
    # one issue with its payload, only in scope
    detail = admin.issue_detail(n["unknown"], scope(network.root))
    assert detail is not None and json.loads(detail.payload)["transaction_id"] == 4
    assert admin.issue_detail(n["unknown"], scope(network.partner)) is None
    assert admin.issue_detail(n["root_stop"], scope(network.stranger)) is None


def test_search_filters_and_sort(network: Network) -> None:
    n, root = network.issues, network.root
    by_identity = ListQuery(search="cp-part")
    assert ids(admin.DATA_ISSUE_LIST, by_identity, root) == [n["partner_stop"]]
    by_detail = ListQuery(search="transaction 4", sort="created_at")
    assert ids(admin.DATA_ISSUE_LIST, by_detail, root) == [n["root_stop"]]
    stops = ListQuery(filters={"kind": data_issues.STOP_UNKNOWN_TRANSACTION}, sort="created_at")
    assert ids(admin.DATA_ISSUE_LIST, stops, root) == [n["root_stop"], n["partner_stop"]]
    newest_first = ListQuery(sort="created_at", descending=True)
    assert ids(admin.DATA_ISSUE_LIST, newest_first, root)[0] == n["unknown"]

    assert data_issues.resolve_issue(n["root_clock"], scope(root), resolved_by=OPERATOR)
    resolved = ListQuery(filters={"state": admin.RESOLVED})
    assert ids(admin.DATA_ISSUE_LIST, resolved, root) == [n["root_clock"]]
    unresolved = ListQuery(filters={"state": admin.UNRESOLVED}, sort="created_at")
    assert n["root_clock"] not in ids(admin.DATA_ISSUE_LIST, unresolved, root)
    (row,) = listing.fetch_page(admin.DATA_ISSUE_LIST, resolved, scope(root)).rows
    assert row["state"] == "resolved" and row["resolved_by"] == OPERATOR
    assert row["resolved_at"] is not None


def test_csv_export_carries_the_payload(network: Network) -> None:
    query = ListQuery(filters={"kind": "clock_ahead"})
    text = listing.export_csv(admin.DATA_ISSUE_EXPORT, query, scope(network.root))
    (record,) = csv.DictReader(io.StringIO(text))
    assert record["Charge point"] == "CP-ROOT" and record["State"] == "unresolved"
    assert json.loads(record["Payload"]) == {"transaction_id": 2, "meter_stop": 1200}


def test_a_charge_points_list_holds_its_unresolved_issues_only(network: Network) -> None:
    n, root = network.issues, network.root
    assert network.root_cp.id is not None
    spec, cp_id = admin.DATA_ISSUE_LIST, network.root_cp.id
    oldest_first = admin.charge_point_query(ListQuery(sort="created_at"), cp_id)
    assert ids(spec, oldest_first, root) == [n["root_stop"], n["root_clock"]]
    assert ids(spec, oldest_first, network.partner) == []  # not the partner's charge point
    data_issues.resolve_issue(n["root_stop"], resolved_by=OPERATOR)
    assert ids(spec, oldest_first, root) == [n["root_clock"]]
    searched = admin.charge_point_query(ListQuery(search="clock"), cp_id)
    assert ids(spec, searched, root) == [n["root_clock"]]


def test_resolve_checks_scope_and_records_who(network: Network, session: Session) -> None:
    n = network.issues
    assert not data_issues.resolve_issue(n["root_stop"], scope(network.partner), OPERATOR)
    assert not data_issues.resolve_issue(n["unknown"], scope(network.partner), OPERATOR)
    assert not data_issues.resolve_issue(999_999, scope(network.root), OPERATOR)
    assert data_issues.resolve_issue(n["unknown"], scope(network.root), resolved_by=OPERATOR)
    assert not data_issues.resolve_issue(n["unknown"], scope(network.root), OPERATOR)  # done
    session.rollback()
    issue = session.get(ChargerDataIssue, n["unknown"])
    assert issue is not None and issue.resolved_by == OPERATOR and issue.resolved_at is not None
    untouched = session.get(ChargerDataIssue, n["root_stop"])
    assert untouched is not None and untouched.resolved_at is None


def test_bulk_resolve_selected_and_all_matching(network: Network) -> None:
    n, root = network.issues, network.root
    # selected: out-of-scope ids are skipped, not an error
    selected = [n["root_stop"], n["partner_stop"], n["unknown"]]
    assert data_issues.resolve_issues(selected, scope(network.partner), resolved_by=OPERATOR) == 1
    assert data_issues.resolve_issues(selected, scope(root), resolved_by=OPERATOR) == 2
    assert data_issues.resolve_issues(selected, scope(root), resolved_by=OPERATOR) == 0
    left = ListQuery(filters={"state": admin.UNRESOLVED})
    assert ids(admin.DATA_ISSUE_LIST, left, root) == [n["root_clock"]]


def test_resolve_all_matching_a_search_leaves_the_rest(network: Network) -> None:
    n, root = network.issues, network.root
    query = ListQuery(search="unknown transaction", page=2, page_size=1)  # every page
    assert admin.resolve_matching(query, scope(root), OPERATOR) == 2
    left = ListQuery(filters={"state": admin.UNRESOLVED}, sort="created_at")
    assert ids(admin.DATA_ISSUE_LIST, left, root) == [n["root_clock"], n["partner_stop"]]
    # a sub-operator resolving "all" only ever reaches its own issues
    everything = ListQuery()
    assert admin.resolve_matching(everything, scope(network.partner), "p") == 1
    assert ids(admin.DATA_ISSUE_LIST, left, root) == [n["root_clock"]]


async def test_a_resolved_issue_leaves_the_live_warnings(network: Network) -> None:
    root_scope = scope(network.root)

    def data_warnings() -> list[str]:
        snapshot = monitoring.load_snapshot(root_scope)
        return sorted(w.identity for w in snapshot.warnings if w.kind == "data")

    assert data_warnings() == ["CP-PARTNER", "CP-ROOT"]
    queue = get_event_bus().subscribe()
    try:
        tab = admin.charge_point_query(ListQuery(), network.root_cp.id or 0)
        resolved = await asyncio.to_thread(admin.resolve_matching, tab, root_scope, OPERATOR)
        assert resolved == 2
        event = await asyncio.wait_for(queue.get(), timeout=5)
    finally:
        get_event_bus().unsubscribe(queue)
    assert event.kind == "warning" and event.data == {"data_issues_resolved": 2}
    assert data_warnings() == ["CP-PARTNER"]


def test_flagged_sessions_list(network: Network, session: Session) -> None:
    def add(cp: ChargePoint, transaction_id: int, flagged: bool, reason: str = "") -> None:
        session.add(
            ChargingSession(
                id=transaction_id,
                organisation_id=cp.organisation_id,
                charge_point_id=cp.id or 0,
                connector_id=1,
                id_tag="TAG-1",
                start_time=T0 + timedelta(minutes=transaction_id),
                meter_start_wh=0,
                energy_wh=1500,
                flagged=flagged,
                flag_reason=reason,
            )
        )

    add(network.root_cp, 1, True, "energy register went down from 7000 to 100 Wh")
    add(network.root_cp, 2, False)
    add(network.partner_cp, 3, True, "meterStop 10 below meterStart 20")
    session.commit()
    newest = ListQuery(sort="start_time", descending=True)
    assert ids(admin.FLAGGED_SESSION_LIST, newest, network.root) == [3, 1]
    assert ids(admin.FLAGGED_SESSION_LIST, newest, network.partner) == [3]
    found = ListQuery(search="register")
    page = listing.fetch_page(admin.FLAGGED_SESSION_LIST, found, scope(network.root))
    (row,) = page.rows
    assert (row["id"], row["identity"], row["energy_wh"]) == (1, "CP-ROOT", 1500)


def test_every_documented_kind_is_explained_with_its_policy_section() -> None:
    policy = (PROJECT_ROOT / admin.POLICY_DOC).read_text(encoding="utf-8")
    listed = policy.split("Data issue kinds:", 1)[1].split("An issue is recorded", 1)[0]
    documented = set(re.findall(r"`([a-z_]+)`", listed))
    assert documented == set(admin.KIND_POLICIES)
    headings = set(re.findall(r"^## (.+)$", policy, flags=re.MULTILINE))
    for kind in documented:
        explained = admin.policy_for(kind)
        assert explained.section in headings, kind
        assert explained.title and explained.text
    assert admin.policy_for("something_new").text  # a kind added later still reads as something
