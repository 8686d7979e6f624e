"""The audit log as the System page reads it, on a real migrated database: who sees which
entries (an operator its tree, a sub-operator only its own, the unowned failed logins only
the root operator), the filters (kind, outcome, dates in the operator's zone), search, the
CSV export, the retention purge, and the labels of the actions the gate records."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, col, select

from ccms_app.accounts import audit, audit_log
from ccms_app.accounts.audit_log import (
    AUDIT_LIST,
    UNOWNED,
    audit_query,
    audit_scope,
    export_audit_csv,
    fetch_audit_page,
)
from ccms_app.accounts.models import AuditEntry, Organisation
from ccms_app.accounts.rules.audit_labels import (
    LABELS,
    AuditKind,
    kind_of,
    label_of,
    object_of,
)
from ccms_app.core.config import Settings
from ccms_app.core.listing import ListQuery, ListQueryError
from ccms_app.core.retention import purge_now
from ccms_app.retention import purge, retained_tables
from ccms_app.system.state.audit import AuditListState

NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def tree(session: Session, organisation: Organisation) -> dict[str, int]:
    """The root operator, two sub-operators, and a sub-operator of the first one."""
    sub = Organisation(name="Sub", parent_id=organisation.id)
    sibling = Organisation(name="Sibling", parent_id=organisation.id)
    session.add_all([sub, sibling])
    session.flush()
    nested = Organisation(name="Nested", parent_id=sub.id)
    session.add(nested)
    session.commit()
    ids = {"root": organisation.id, "sub": sub.id, "sibling": sibling.id, "nested": nested.id}
    return {name: int(i or 0) for name, i in ids.items()}


def add(
    session: Session,
    action: str,
    *,
    org: int | None,
    at: datetime = NOW,
    actor: str = "ops@example.com",
    outcome: str = "ok",
    object_type: str = "",
    object_id: str = "",
    detail: str = "",
    address: str = "192.0.2.7",
) -> int:
    entry = AuditEntry(
        occurred_at=at,
        organisation_id=org,
        account_id=None if org is None else 1,
        actor=actor,
        remote_address=address,
        action=action,
        object_type=object_type,
        object_id=object_id,
        detail=detail,
        outcome=outcome,
    )
    session.add(entry)
    session.commit()
    return int(entry.id or 0)


def actions(scope: frozenset[int], **query: object) -> list[str]:
    page = fetch_audit_page(audit_query(page_size=200, **query), scope)  # type: ignore[arg-type]
    return [row["action"] for row in page.rows]


# --- scope -------------------------------------------------------------------------------


def test_each_operator_sees_its_own_tree_and_only_the_root_sees_unowned_failures(
    session: Session, tree: dict[str, int]
) -> None:
    add(session, "role.update", org=tree["root"])
    add(session, "id_tag_actions.block", org=tree["sub"])
    add(session, "command.send", org=tree["nested"])
    add(session, "station_form.save", org=tree["sibling"])
    add(session, "login_failed", org=None, actor="nobody@example.com", outcome="refused")

    root_scope = audit_scope(tree["root"])
    assert UNOWNED in root_scope
    assert sorted(actions(root_scope)) == sorted(
        ["role.update", "id_tag_actions.block", "command.send", "station_form.save", "login_failed"]
    )
    sub_scope = audit_scope(tree["sub"])
    assert UNOWNED not in sub_scope
    assert sorted(actions(sub_scope)) == ["command.send", "id_tag_actions.block"]
    assert actions(audit_scope(tree["nested"])) == ["command.send"]
    assert actions(audit_scope(tree["sibling"])) == ["station_form.save"]
    assert actions(audit_scope(0)) == []  # no organisation: nothing, not the unowned entries


def test_filters_from_the_page_cannot_widen_the_scope(
    session: Session, tree: dict[str, int]
) -> None:
    add(session, "role.update", org=tree["root"])
    add(session, "id_tag_actions.block", org=tree["sub"])
    with pytest.raises(ListQueryError, match="cannot be filtered by organisation"):
        audit_query(filters={"organisation": str(tree["root"])})
    forged = ListQuery(filters={"organisation": frozenset({tree["root"]})})
    page = fetch_audit_page(forged, audit_scope(tree["sub"]))
    assert [row["action"] for row in page.rows] == ["id_tag_actions.block"]


def test_the_list_state_uses_the_audit_scope(tree: dict[str, int]) -> None:
    state = AuditListState()
    assert state._scope_for(tree["root"]) == audit_scope(tree["root"])
    assert UNOWNED not in state._scope_for(tree["sub"])
    assert state._list_spec() is AUDIT_LIST


# --- filters, search, order ----------------------------------------------------------------


def test_kind_and_outcome_filters(session: Session, tree: dict[str, int]) -> None:
    org = tree["root"]
    add(session, "login", org=org)
    add(session, "login_failed", org=None, outcome="refused")
    add(session, "command.send", org=org)
    add(session, "bulk_command.send", org=org, outcome="refused")
    add(session, "id_tag_actions.block", org=org)
    add(session, "id_tag_actions.delete", org=org)
    add(session, "widget_list.delete_all", org=org)  # not listed: a deletion by its name
    add(session, "role.update", org=org)
    add(session, "account.deactivate", org=org)
    add(session, "station_form.save", org=org)
    add(session, "widget_form.save", org=org)  # not listed, no rule: an edit
    add(session, "driver_list.export_csv", org=org)
    scope = audit_scope(org)

    def of(kind: str, outcome: str = "") -> list[str]:
        return sorted(actions(scope, filters={"kind": kind, "outcome": outcome}))

    assert of("login") == ["login", "login_failed"]
    assert of("command") == ["bulk_command.send", "command.send"]
    assert of("command", "refused") == ["bulk_command.send"]
    assert of("block") == ["id_tag_actions.block"]
    assert of("deletion") == ["id_tag_actions.delete", "widget_list.delete_all"]
    assert of("settings") == ["account.deactivate", "role.update"]
    assert of("edit") == ["station_form.save", "widget_form.save"]
    assert of("export") == ["driver_list.export_csv"]
    assert of("", "refused") == ["bulk_command.send", "login_failed"]
    with pytest.raises(ListQueryError, match="Unknown kind 'nonsense'"):
        audit_query(filters={"kind": "nonsense"})
    with pytest.raises(ListQueryError, match="Unknown outcome"):
        audit_query(filters={"outcome": "maybe"})


def test_the_sql_kind_filter_agrees_with_the_labels(session: Session, tree: dict[str, int]) -> None:
    """Every listed action and a spread of unlisted ones: the filter picks exactly the
    entries `kind_of` puts in each kind, so page, filter and export never disagree."""
    unlisted = [
        "logout",
        "auth.something",
        "sub_operator_list.export_csv",
        "role_form.delete",
        "account_form.save",
        "own_password.save",
        "thing.remove_all",
        "thing.block_all",
        "thing.suspend",
        "thing.sync_everything",
        "thing.send_it",
        "thing.save",
        "Thing.Delete",
    ]
    names = [*LABELS, *unlisted]
    for name in names:
        add(session, name, org=tree["root"])
    scope = audit_scope(tree["root"])
    for kind in AuditKind:
        expected = sorted(n for n in names if kind_of(n) == kind)
        assert sorted(actions(scope, filters={"kind": kind.value})) == expected, kind


def test_dates_are_days_in_the_operators_zone(session: Session, tree: dict[str, int]) -> None:
    org = tree["root"]
    add(session, "late_on_the_first", org=org, at=datetime(2026, 1, 1, 23, 30, tzinfo=UTC))
    add(session, "midday_second", org=org, at=datetime(2026, 1, 2, 12, 0, tzinfo=UTC))
    add(session, "early_third", org=org, at=datetime(2026, 1, 3, 0, 10, tzinfo=UTC))
    scope = audit_scope(org)

    def between(since: str, until: str, zone: str) -> list[str]:
        return sorted(actions(scope, filters={"since": since, "until": until}, zone=zone))

    # 23:30 UTC on the 1st is 00:30 on the 2nd in Berlin; 00:10 UTC on the 3rd is 01:10 there.
    assert between("2026-01-02", "2026-01-02", "UTC") == ["midday_second"]
    assert between("2026-01-02", "2026-01-02", "Europe/Berlin") == [
        "late_on_the_first",
        "midday_second",
    ]
    assert between("2026-01-02", "", "UTC") == ["early_third", "midday_second"]
    assert between("", "2026-01-01", "UTC") == ["late_on_the_first"]
    with pytest.raises(ListQueryError, match="From must be a date like 2026-01-31"):
        audit_query(filters={"since": "yesterday"})
    with pytest.raises(ListQueryError, match="From date is after the To date"):
        audit_query(filters={"since": "2026-02-01", "until": "2026-01-01"})


def test_search_finds_who_what_object_address_and_detail(
    session: Session, tree: dict[str, int]
) -> None:
    org = tree["root"]
    add(session, "id_tag_actions.block", org=org, actor="anna@example.com", detail="{'pk': 12}")
    add(session, "command.send", org=org, object_id="CP-77", address="198.51.100.9")
    add(session, "role.update", org=org, detail="Night shift: users:view -> users:edit")
    scope = audit_scope(org)

    def found(term: str) -> list[str]:
        return sorted(actions(scope, search=term))

    assert found("ANNA@") == ["id_tag_actions.block"]
    assert found("blocked an rfid") == ["id_tag_actions.block"]  # the label
    assert found("id tag actions") == ["id_tag_actions.block"]  # the code name, spaced
    assert found("cp-77") == ["command.send"]
    assert found("198.51.100") == ["command.send"]
    assert found("night shift") == ["role.update"]
    assert found("100%") == []  # LIKE wildcards are literal


def test_newest_first_and_paged(session: Session, tree: dict[str, int]) -> None:
    org = tree["root"]
    for minutes in (30, 10, 20, 0, 40):
        add(session, f"entry.m{minutes}", org=org, at=NOW - timedelta(minutes=minutes))
    scope = audit_scope(org)
    first = fetch_audit_page(audit_query(page_size=2), scope)
    second = fetch_audit_page(audit_query(page_size=2, page=2), scope)
    assert first.total == 5 and first.pages == 3
    assert [r["action"] for r in first.rows + second.rows] == [
        "entry.m0",
        "entry.m10",
        "entry.m20",
        "entry.m30",
    ]
    oldest = fetch_audit_page(audit_query(descending=False, page_size=1), scope)
    assert oldest.rows[0]["action"] == "entry.m40"


# --- CSV ---------------------------------------------------------------------------------


def test_csv_export_is_every_matching_entry_readable_and_inert(
    session: Session, tree: dict[str, int]
) -> None:
    at = datetime(2026, 7, 1, 10, 0, 5, tzinfo=UTC)
    add(
        session,
        "id_tag_actions.block",
        org=tree["sub"],
        at=at,
        actor="anna@example.com",
        object_type="id_tag_actions",
        detail="{'pk': '12'}",
    )
    add(
        session,
        "login_failed",
        org=None,
        at=at - timedelta(hours=1),
        actor='=HYPERLINK("http://evil.example","x")',
        outcome="refused",
        object_type="account",
    )
    add(session, "role.update", org=tree["sibling"], at=at - timedelta(hours=2))

    text = export_audit_csv(audit_query(), audit_scope(tree["root"]), "Europe/Berlin")
    table = list(csv.DictReader(io.StringIO(text)))
    assert list(table[0]) == [c.label for c in AUDIT_LIST.columns]
    assert [r["Action"] for r in table] == ["id_tag_actions.block", "login_failed", "role.update"]
    block = table[0]
    assert block["Time"] == "2026-07-01 12:00:05 CEST"
    assert block["Time (UTC)"] == "2026-07-01T10:00:05Z"
    assert (block["Who"], block["What"], block["Kind"]) == (
        "anna@example.com",
        "Blocked an RFID card",
        "Blocks",
    )
    assert (block["On"], block["Outcome"], block["From"]) == ("RFID card 12", "Done", "192.0.2.7")
    assert block["Organisation"] == "Sub"
    failed = table[1]
    assert failed["Who"] == '\'=HYPERLINK("http://evil.example","x")'  # shown, never run
    assert (failed["What"], failed["Outcome"], failed["Organisation"]) == (
        "Failed login",
        "Refused",
        "",
    )

    only_sub = export_audit_csv(audit_query(), audit_scope(tree["sub"]), "UTC")
    rows = list(csv.DictReader(io.StringIO(only_sub)))
    assert [r["Action"] for r in rows] == ["id_tag_actions.block"]
    assert rows[0]["Time"] == "2026-07-01 10:00:05 UTC"
    filtered = export_audit_csv(
        audit_query(filters={"kind": "settings"}), audit_scope(tree["root"]), "UTC"
    )
    assert [r["Action"] for r in csv.DictReader(io.StringIO(filtered))] == ["role.update"]


def test_the_list_state_exports_in_its_zone(session: Session, tree: dict[str, int]) -> None:
    add(session, "command.send", org=tree["root"], at=datetime(2026, 1, 5, 8, 0, tzinfo=UTC))
    state = AuditListState()
    state.zone = "America/New_York"
    text = state._export(state._query(), audit_scope(tree["root"]))
    [row] = list(csv.DictReader(io.StringIO(text)))
    assert row["Time"] == "2026-01-05 03:00:00 EST"
    assert state._export_name() == "audit-log.csv"
    assert audit_log.known_zone("Mars/Olympus") == "UTC"
    assert audit_log.known_zone("Europe/Berlin") == "Europe/Berlin"


# --- retention ---------------------------------------------------------------------------


def test_retention_purges_old_entries_and_keeps_recent_ones(
    session: Session, tree: dict[str, int]
) -> None:
    for n in range(5):
        add(session, f"old.{n}", org=tree["root"], at=NOW - timedelta(days=40, minutes=n))
    recent = [
        add(session, f"recent.{n}", org=tree["root"], at=NOW - timedelta(days=5)) for n in range(3)
    ]
    table = audit_log.audit_log_retention(30)

    [dry] = purge_now([table], NOW, dry_run=True)
    assert (dry.table, dry.rows) == ("audit_entry", 5)
    assert list(table.purge(NOW - timedelta(days=30), 2)) == [2, 2, 1]  # committed batches

    session.rollback()
    kept = session.exec(select(col(AuditEntry.id)).order_by(col(AuditEntry.id))).all()
    assert list(kept) == recent


def test_db_purge_covers_the_audit_log_with_its_setting(
    session: Session, tree: dict[str, int]
) -> None:
    add(session, "old", org=tree["root"], at=NOW - timedelta(days=400))
    add(session, "recent", org=tree["root"], at=NOW - timedelta(days=300))
    assert Settings().audit_retention_days == 365
    assert "audit_entry" in [t.table for t in retained_tables(Settings())]

    kept_for_ever = Settings(audit_retention_days=0)
    reports = {r.table: r for r in purge(kept_for_ever)}
    assert reports["audit_entry"].cutoff is None and reports["audit_entry"].rows == 0

    reports = {r.table: r for r in purge(Settings())}
    assert reports["audit_entry"].rows == 1
    session.rollback()
    assert session.exec(select(col(AuditEntry.action))).all() == ["recent"]


# --- labels ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "label", "kind"),
    [
        ("login", "Logged in", AuditKind.LOGIN),
        ("login_failed", "Failed login", AuditKind.LOGIN),
        ("command.send", "Sent a command to a charge point", AuditKind.COMMAND),
        ("bulk_command.send", "Sent a command to several charge points", AuditKind.COMMAND),
        ("charge_point_config.save", "Changed a charge point's configuration key", "command"),
        ("firmware.create_campaign", "Started a firmware update campaign", AuditKind.COMMAND),
        ("id_tag_actions.block", "Blocked an RFID card", AuditKind.BLOCK),
        ("id_tag_actions.unblock", "Unblocked an RFID card", AuditKind.BLOCK),
        ("driver_actions.suspend", "Suspended a driver", AuditKind.BLOCK),
        ("id_tag_actions.delete", "Deleted an RFID card", AuditKind.DELETION),
        ("driver_detail.delete", "Deleted a driver", AuditKind.DELETION),
        ("station_form.save", "Saved a station", AuditKind.EDIT),
        ("system.set_unknown_policy", "Changed what happens to unknown charge points", "settings"),
        ("charge_point_security.save_password", "Set a charge point's password", "settings"),
        ("role.update", "Changed a role's permissions", AuditKind.SETTINGS),
        ("account.change_role", "Changed an operator's role", AuditKind.SETTINGS),
        ("account.deactivate", "Deactivated an operator account", AuditKind.SETTINGS),
        ("sub_operator.licence", "Changed a sub-operator's licence", AuditKind.SETTINGS),
        ("audit_list.export_csv", "Exported the audit log list", AuditKind.EXPORT),
    ],
)
def test_important_actions_read_as_sentences(action: str, label: str, kind: str) -> None:
    assert (label_of(action), kind_of(action)) == (label, kind)


def test_unknown_actions_fall_back_to_their_names() -> None:
    assert label_of("widget_form.save_all") == "Widget form: save all"
    assert kind_of("widget_form.save_all") == AuditKind.EDIT
    assert kind_of("widget_list.export_csv") == AuditKind.EXPORT
    assert kind_of("role_form.delete") == AuditKind.SETTINGS  # a role change first
    assert kind_of("widget.remove_member") == AuditKind.DELETION


def test_the_object_is_named_from_the_entry_or_the_gates_payload() -> None:
    assert object_of("id_tag_actions.block", "id_tag_actions", "", "{'pk': 12}") == "RFID card 12"
    assert object_of("command.send", "command", "CP-1", "{}") == "charge point CP-1"
    assert object_of("role.update", "role", "4", "Night: a -> b") == "role 4"
    assert object_of("widget_form.save", "widget_form", "", "{'name': 'W'}") == "widget form W"
    assert object_of("thing.do", "thing", "", "{'pk': __import__('os')}") == ""
    assert object_of("thing.do", "thing", "", "{'pk': 1") == ""  # cut at 1,000 characters


def test_a_recorded_entry_reads_back_through_the_list(tree: dict[str, int]) -> None:
    """The real writer (`audit.record`) and the reader agree."""
    audit.record(
        audit.Actor(1, tree["sub"], "anna@example.com", "203.0.113.5"),
        "driver_actions.suspend",
        object_type="driver_actions",
        detail="{'pk': 3}",
    )
    [row] = fetch_audit_page(audit_query(), audit_scope(tree["sub"])).rows
    shown = audit_log.shown_row(row, "UTC")
    assert (shown["action"], shown["kind_key"], shown["object_id"]) == (
        "Suspended a driver",
        "block",
        "driver 3",
    )
    assert (shown["remote_address"], shown["organisation"]) == ("203.0.113.5", "Sub")
