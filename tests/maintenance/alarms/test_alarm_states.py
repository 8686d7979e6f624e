"""The Alarms pages' states on a real database, every event through the gate: the list and
its bulk acknowledge, one alarm's actions, the rules / codes / settings forms, the events."""

from __future__ import annotations

from datetime import UTC, datetime

from reflex.state import StateUpdate

from ccms_app.accounts.models import Organisation
from ccms_app.core import db
from ccms_app.core.rows import stored_id
from ccms_app.finance.models import BillingProfile
from ccms_app.maintenance.state.alarms import AlarmListState
from ccms_app.maintenance.state.alarms_codes import (
    MaintenanceSettingsState,
    VendorCodeFormState,
    VendorCodeListState,
)
from ccms_app.maintenance.state.alarms_detail import AlarmDetailState, alarm_id_from_path
from ccms_app.maintenance.state.alarms_rules import AlarmRuleFormState, AlarmRuleListState
from ccms_app.maintenance.state.event_history import EventHistoryState, occurred_filter
from ccms_app.network.models import StatusEvent
from tests.finance.wallets.tabs import login
from tests.fixtures.settings import SettingsEnv
from tests.maintenance.alarms import seed

STAFF = {"maintenance:view", "maintenance:edit"}


async def test_the_list_and_its_bulk_acknowledge(organisation: Organisation) -> None:
    org = organisation.id or 0
    cp = seed.charge_point(org)
    first, second = seed.alarm(org, cp, connector_id=1), seed.alarm(org, cp, connector_id=2)
    closed = seed.alarm(org, cp, connector_id=3, status="closed")
    tab = login(org, "tech@ccms.test", STAFF).at("/maintenance/alarms")
    await tab.send(AlarmListState, "open_page")
    await tab.send(AlarmListState, "load")
    alarms = await tab.state(AlarmListState)
    assert [r["id"] for r in alarms.rows] == [str(second), str(first)]  # active, newest first
    row = alarms.rows[0]
    assert (row["cause_text"], row["connector"], row["severity"]) == (
        "Connector faulted",
        "connector 2",
        "major",
    )
    assert row["code"] == "GroundFailure · E-17"
    assert row["what"] == "Residual current device tripped"
    await tab.send(AlarmListState, "set_filter", key="status", value="closed")
    assert [r["id"] for r in alarms.rows] == [str(closed)]
    await tab.send(AlarmListState, "set_filter", key="status", value="__all__")
    await tab.send(AlarmListState, "set_date", key="since", value="not a day")
    assert "From must be a date" in alarms.error
    await tab.send(AlarmListState, "set_date", key="since", value="")
    await tab.send(AlarmListState, "toggle_selected", alarm_id=str(first), checked=True)
    await tab.send(AlarmListState, "toggle_selected", alarm_id=str(closed), checked=True)
    await tab.send(AlarmListState, "acknowledge_selected")
    assert alarms.selected == []
    assert seed.stored(first).status == "acknowledged" and seed.stored(closed).status == "closed"
    await tab.send(AlarmListState, "set_filter", key="assignee_account_id", value="me")
    assert alarms.rows == [] and alarms.error == ""

    viewer = login(org, "viewer@ccms.test", {"maintenance:view"}).at("/maintenance/alarms")
    await viewer.send(AlarmListState, "open_page")
    await viewer.send(AlarmListState, "toggle_selected", alarm_id=str(second), checked=True)
    refused = await viewer.send(AlarmListState, "acknowledge_selected")
    assert isinstance(refused, StateUpdate)
    assert seed.stored(second).status == "open"


async def test_one_alarm_acknowledge_comment_close(organisation: Organisation) -> None:
    org = organisation.id or 0
    cp = seed.charge_point(org)
    alarm_id = seed.alarm(org, cp)
    assert alarm_id_from_path(f"/maintenance/alarms/{alarm_id}/") == alarm_id
    tech = seed.account(org, "assignee@ccms.test")
    tab = login(org, "ops@ccms.test", STAFF).at(f"/maintenance/alarms/{alarm_id}")
    await tab.send(AlarmDetailState, "open_page")
    page = await tab.state(AlarmDetailState)
    assert page.missing is False and page.alarm["charge_point"] == "CP-1"
    assert page.alarm["readable_cause"] == "Residual current device tripped"
    assert [a["kind"] for a in page.activity] == ["raised"]
    assert [label for _, label in page.assignees] == [
        "Nobody",
        "ops@ccms.test",  # no full name: sorted first
        "Assignee <assignee@ccms.test>",
    ]
    await tab.send(AlarmDetailState, "acknowledge")
    assert page.alarm["status"] == "acknowledged"
    await tab.send(AlarmDetailState, "assign", value=str(tech))
    assert page.alarm["assignee"] == "assignee@ccms.test"
    await tab.send(AlarmDetailState, "set_comment_text", value="Spare RCD in the van")
    await tab.send(AlarmDetailState, "add_comment")
    assert page.comment_text == "" and page.activity[-1]["text"] == "Spare RCD in the van"
    await tab.send(AlarmDetailState, "set_work_order_open", is_open=True)
    assert page.work_order_title == "Connector faulted: CP-1"
    assert page.work_order_priority == "high"  # from the alarm's severity (major)
    await tab.send(AlarmDetailState, "create_work_order")
    assert page.work_order_open is False
    assert [(w["title"], w["priority"]) for w in page.work_orders] == [
        ("Connector faulted: CP-1", "high")
    ]
    await tab.send(AlarmDetailState, "set_exclusion", value="vandalism")
    assert page.alarm["excluded"] == "Vandalism"
    await tab.send(AlarmDetailState, "set_close_open", is_open=True)
    await tab.send(AlarmDetailState, "close_alarm")
    assert page.close_open is True and "Give a reason" in page.errors["reason"]
    await tab.send(AlarmDetailState, "set_close_reason", value="Fixed on site")
    await tab.send(AlarmDetailState, "close_alarm")
    assert page.close_open is False and page.alarm["status"] == "closed"
    assert page.alarm["close_reason"] == "Fixed on site" and page.alarm["downtime"] != ""
    assert [a["kind"] for a in page.activity] == [
        "raised", "acknowledged", "assigned", "comment", "excluded", "closed",
    ]  # fmt: skip
    assert page.activity[1]["actor"] == "ops@ccms.test"

    elsewhere = login(org, "other@ccms.test", STAFF).at("/maintenance/alarms/987654")
    await elsewhere.send(AlarmDetailState, "open_page")
    assert (await elsewhere.state(AlarmDetailState)).missing is True


async def test_rules_codes_and_settings_forms(organisation: Organisation) -> None:
    org = organisation.id or 0
    tab = login(org, "admin@ccms.test").at("/maintenance/alarm-rules")
    await tab.send(AlarmRuleListState, "load")
    await tab.send(AlarmRuleFormState, "open_new")
    form = await tab.state(AlarmRuleFormState)
    assert form.mode == "create" and form.role_choices  # the built-in roles at least
    await tab.send(AlarmRuleFormState, "set_value", name="name", value="Night faults")
    await tab.send(AlarmRuleFormState, "set_value", name="email_recipients", value="ops@, a@b.co")
    await tab.send(AlarmRuleFormState, "save")
    assert form.errors == {"email_recipients": "'ops@' is not an e-mail address."}
    await tab.send(AlarmRuleFormState, "set_value", name="email_recipients", value="a@b.co")
    await tab.send(AlarmRuleFormState, "toggle_role", role_id=form.role_choices[0][0], checked=True)
    await tab.send(AlarmRuleFormState, "save")
    assert form.mode == "" and form.errors == {}
    rules = await tab.state(AlarmRuleListState)
    await tab.send(AlarmRuleListState, "refresh")
    assert [(r["name"], r["actions_text"]) for r in rules.rows] == [
        ("Night faults", "browser, e-mail")
    ]
    await tab.send(AlarmRuleFormState, "open_edit", rule_id=str(rules.rows[0]["id"]))
    assert form.mode == "edit" and form.values["name"] == "Night faults"
    deleted = await tab.send(AlarmRuleFormState, "delete")
    assert form.mode == "" and "Rule Night faults deleted." in str(deleted)
    await tab.send(AlarmRuleListState, "refresh")
    assert rules.rows == []

    await tab.send(VendorCodeListState, "load")
    await tab.send(VendorCodeFormState, "open_new")
    for name, value in (("vendor", "Acme"), ("vendor_error_code", "E-9"), ("readable_cause", "")):
        await tab.send(VendorCodeFormState, "set_value", name=name, value=value)
    await tab.send(VendorCodeFormState, "save")
    codes_form = await tab.state(VendorCodeFormState)
    assert codes_form.errors == {"readable_cause": "Required."}
    await tab.send(VendorCodeFormState, "set_value", name="readable_cause", value="Door open")
    await tab.send(VendorCodeFormState, "set_severity", value="rule")
    await tab.send(VendorCodeFormState, "save")
    await tab.send(VendorCodeListState, "refresh")
    codes = await tab.state(VendorCodeListState)
    assert [(r["vendor_error_code"], r["severity"]) for r in codes.rows] == [("E-9", "")]
    await tab.send(VendorCodeFormState, "open_edit", code_id=str(codes.rows[0]["id"]))
    await tab.send(VendorCodeFormState, "delete")
    await tab.send(VendorCodeListState, "refresh")
    assert codes.rows == [] and codes_form.mode == ""

    await tab.send(MaintenanceSettingsState, "load")
    settings = await tab.state(MaintenanceSettingsState)
    assert settings.values["offline_threshold_s"] == "600"
    await tab.send(MaintenanceSettingsState, "set_value", name="offline_threshold_s", value="30")
    await tab.send(MaintenanceSettingsState, "save")
    assert settings.errors == {"offline_threshold_s": "Between 60 and 86400 seconds (30 given)."}
    await tab.send(MaintenanceSettingsState, "set_value", name="offline_threshold_s", value="900")
    await tab.send(MaintenanceSettingsState, "save")
    assert settings.errors == {}
    await tab.send(MaintenanceSettingsState, "load")
    assert settings.values["offline_threshold_s"] == "900"


async def test_event_history_state(organisation: Organisation) -> None:
    org = organisation.id or 0
    cp = seed.charge_point(org)
    with db.session_scope() as session:
        session.add(
            StatusEvent(
                charge_point_id=cp, connector_id=1, status="Faulted", error_code="OtherError"
            )
        )
    assert occurred_filter("2026-03-01", "2026-03-01", "UTC") == (
        "2026-03-01T00:00:00+00:00/2026-03-02T00:00:00+00:00"
    )
    tab = login(org, "tech@ccms.test", STAFF).at("/maintenance/events")
    await tab.send(EventHistoryState, "load")
    history = await tab.state(EventHistoryState)
    assert [(r["kind"], r["identity"], r["what"]) for r in history.rows] == [
        ("status", "CP-1", "Faulted · OtherError")
    ]
    await tab.send(EventHistoryState, "set_date", key="until", value="2020-01-01")
    assert history.rows == []


def _berlin_operator(organisation_id: int) -> None:
    with db.session_scope() as session:
        session.add(BillingProfile(organisation_id=organisation_id, time_zone="Europe/Berlin"))


async def test_the_event_days_are_the_operators_days(organisation: Organisation) -> None:
    """00:30 in Berlin on 2 March is still 1 March in UTC: the operator's 2 March has it."""
    org = stored_id(organisation.id)
    _berlin_operator(org)
    cp = seed.charge_point(org)
    with db.session_scope() as session:
        session.add(
            StatusEvent(
                charge_point_id=cp,
                connector_id=1,
                status="Faulted",
                error_code="OtherError",
                received_at=datetime(2026, 3, 1, 23, 30, tzinfo=UTC),
            )
        )
    tab = login(org, "tech@ccms.test", STAFF).at("/maintenance/events")
    await tab.send(EventHistoryState, "load")
    history = await tab.state(EventHistoryState)
    await tab.send(EventHistoryState, "set_date", key="since", value="2026-03-02")
    await tab.send(EventHistoryState, "set_date", key="until", value="2026-03-02")
    assert [r["identity"] for r in history.rows] == ["CP-1"]
    await tab.send(EventHistoryState, "set_date", key="since", value="2026-03-01")
    await tab.send(EventHistoryState, "set_date", key="until", value="2026-03-01")
    assert history.rows == [] and history.error == ""


async def test_the_alarm_days_are_the_operators_days(organisation: Organisation) -> None:
    org = stored_id(organisation.id)
    _berlin_operator(org)
    cp = seed.charge_point(org)
    late = seed.alarm(org, cp, started=datetime(2026, 12, 5, 23, 15, tzinfo=UTC))  # 6 Dec CET
    seed.alarm(org, cp, connector_id=2, started=datetime(2026, 12, 5, 22, 45, tzinfo=UTC))
    tab = login(org, "tech@ccms.test", STAFF).at("/maintenance/alarms")
    await tab.send(AlarmListState, "open_page")
    await tab.send(AlarmListState, "load")
    alarms = await tab.state(AlarmListState)
    await tab.send(AlarmListState, "set_date", key="since", value="2026-12-06")
    await tab.send(AlarmListState, "set_date", key="until", value="2026-12-06")
    assert [r["id"] for r in alarms.rows] == [str(late)]


async def test_the_rules_page_says_when_e_mail_is_off(
    organisation: Organisation, settings_env: SettingsEnv
) -> None:
    """Without CCMS_SMTP_HOST a rule's e-mails wait in the outbox: the page says so."""
    tab = login(stored_id(organisation.id), "tech@ccms.test", STAFF).at("/maintenance/alarm-rules")
    settings_env.setenv("CCMS_SMTP_HOST", "")
    assert await tab.send(AlarmRuleListState, "check_mail") is None
    rules = await tab.state(AlarmRuleListState)
    assert isinstance(rules, AlarmRuleListState) and rules.mail_off
    settings_env.setenv("CCMS_SMTP_HOST", "smtp.example.com")
    assert await tab.send(AlarmRuleListState, "check_mail") is None
    assert not rules.mail_off
