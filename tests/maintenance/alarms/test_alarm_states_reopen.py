"""The Alarms pages loading again (a websocket reconnect, a reload) keep what the operator
typed, ticked or opened and refresh what they show; another alarm, organisation or login
starts afresh. Real database, every event through the real gate (as test_alarm_states)."""

from __future__ import annotations

from ccms_app.accounts.models import Organisation
from ccms_app.core import db
from ccms_app.maintenance.alarms import actions, settings_admin
from ccms_app.maintenance.state.alarms import AlarmListState
from ccms_app.maintenance.state.alarms_codes import MaintenanceSettingsState
from ccms_app.maintenance.state.alarms_detail import AlarmDetailState
from tests.finance.wallets.tabs import Tab, login
from tests.maintenance.alarms import seed

STAFF = {"maintenance:view", "maintenance:edit"}
RULES = "/maintenance/alarm-rules"


def _other_organisation() -> int:
    with db.session_scope() as s:
        org = Organisation(name="Other Operator")
        s.add(org)
        s.flush()
        return org.id or 0


def _same_tab(tab: Tab, other: Tab) -> Tab:
    """`tab`'s state after another login in it (the browser keeps the tab's Reflex state)."""
    return Tab(tab.root, other.session_hash)


async def _open_alarm(tab: Tab, alarm_id: int) -> AlarmDetailState:
    await tab.at(f"/maintenance/alarms/{alarm_id}").send(AlarmDetailState, "open_page")
    return await tab.state(AlarmDetailState)


async def test_one_alarm_keeps_its_comment_and_dialogs_on_a_reconnect(
    organisation: Organisation,
) -> None:
    org = organisation.id or 0
    cp = seed.charge_point(org)
    first, second = seed.alarm(org, cp, connector_id=1), seed.alarm(org, cp, connector_id=2)
    tab = login(org, "ops@ccms.test", STAFF)
    page = await _open_alarm(tab, first)
    await tab.send(AlarmDetailState, "set_comment_text", value="Spare RCD in the")
    await tab.send(AlarmDetailState, "set_work_order_open", is_open=True)
    await tab.send(AlarmDetailState, "set_work_order_title", value="RCD trips at CP-1")
    await tab.send(AlarmDetailState, "set_work_order_priority", value="critical")
    await tab.send(AlarmDetailState, "set_close_open", is_open=True)
    await tab.send(AlarmDetailState, "close_alarm")  # no reason yet: refused
    await tab.send(AlarmDetailState, "set_close_reason", value="Fixed on si")
    actions.acknowledge(seed.caller(org, email="desk@ccms.test"), first)  # meanwhile

    assert await _open_alarm(tab, first) is page  # the reconnect
    assert page.alarm["status"] == "acknowledged"  # refreshed
    assert page.comment_text == "Spare RCD in the"
    assert (page.close_open, page.close_reason) == (True, "Fixed on si")
    assert "Give a reason" in page.errors["reason"]
    assert (page.work_order_open, page.work_order_title) == (True, "RCD trips at CP-1")
    assert page.work_order_priority == "critical"

    await tab.send(AlarmDetailState, "set_work_order_open", is_open=False)  # a slip outside
    await tab.send(AlarmDetailState, "set_work_order_open", is_open=True)
    assert (page.work_order_title, page.work_order_priority) == ("RCD trips at CP-1", "critical")
    await tab.send(AlarmDetailState, "create_work_order")  # used them up
    assert page.work_order_open is False and page.work_orders[0]["priority"] == "critical"
    await tab.send(AlarmDetailState, "set_work_order_open", is_open=True)
    assert (page.work_order_title, page.work_order_priority) == ("Connector faulted: CP-1", "high")

    await _open_alarm(tab, second)  # another alarm: fresh
    assert page.alarm["id"] == str(second)
    assert (page.comment_text, page.close_reason, page.errors) == ("", "", {})
    assert page.close_open is False and page.work_order_open is False
    await _open_alarm(tab, first)  # and back: a visit, fresh too
    assert page.comment_text == "" and page.close_open is False


async def test_the_alarm_list_keeps_the_ticked_alarms_on_a_reconnect(
    organisation: Organisation,
) -> None:
    org = organisation.id or 0
    cp = seed.charge_point(org)
    first, second = seed.alarm(org, cp, connector_id=1), seed.alarm(org, cp, connector_id=2)
    tab = login(org, "tech@ccms.test", STAFF).at("/maintenance/alarms")

    async def reload() -> AlarmListState:
        await tab.send(AlarmListState, "open_page")
        await tab.send(AlarmListState, "load")
        return await tab.state(AlarmListState)

    alarms = await reload()
    await tab.send(AlarmListState, "toggle_selected", alarm_id=str(first), checked=True)
    third = seed.alarm(org, cp, connector_id=3)  # raised meanwhile
    assert await reload() is alarms
    assert [r["id"] for r in alarms.rows] == [str(third), str(second), str(first)]
    assert alarms.selected == [str(first)]

    other = login(org, "other@ccms.test", STAFF)
    tab = _same_tab(tab, other).at("/maintenance/alarms")  # another login in the tab
    await reload()
    assert alarms.selected == []


async def test_the_settings_keep_unsaved_values_on_a_reconnect(organisation: Organisation) -> None:
    org = organisation.id or 0
    tab = login(org, "admin@ccms.test").at(RULES)
    await tab.send(MaintenanceSettingsState, "load")
    form = await tab.state(MaintenanceSettingsState)
    await tab.send(MaintenanceSettingsState, "set_value", name="offline_threshold_s", value="900")
    await tab.send(MaintenanceSettingsState, "set_value", name="sla_high_h", value="0")
    await tab.send(MaintenanceSettingsState, "save")
    assert set(form.errors) == {"sla_high_h"}
    await tab.send(MaintenanceSettingsState, "set_value", name="sla_high_h", value="5")
    admin = seed.caller(org, "maintenance:view", "maintenance:edit")
    settings_admin.save_settings(admin, {"sla_low_h": "300"})  # another admin, meanwhile

    await tab.send(MaintenanceSettingsState, "load")  # the reconnect
    assert form.values["sla_low_h"] == "300"  # refreshed
    assert (form.values["offline_threshold_s"], form.values["sla_high_h"]) == ("900", "5")
    assert set(form.errors) == {"sla_high_h"}
    await tab.send(MaintenanceSettingsState, "save")
    assert form.errors == {}
    settings_admin.save_settings(admin, {"offline_threshold_s": "1200"})
    await tab.send(MaintenanceSettingsState, "load")  # saved values are no longer unsaved
    assert (form.values["offline_threshold_s"], form.values["sla_high_h"]) == ("1200", "5")

    await tab.send(MaintenanceSettingsState, "set_value", name="sla_low_h", value="301")
    elsewhere = login(_other_organisation(), "admin@other.test")
    tab = _same_tab(tab, elsewhere).at(RULES)  # another organisation's settings in the tab
    await tab.send(MaintenanceSettingsState, "load")
    assert form.values["sla_low_h"] != "301" and form.values["offline_threshold_s"] == "600"
