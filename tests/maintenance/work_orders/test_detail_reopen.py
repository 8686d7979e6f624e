"""A work order's page loading again (a websocket reconnect on a phone, a reload, the refresh
after a remote command) keeps what the technician typed and refreshes what it shows; another
work order starts with empty forms. Real database, every event through the real gate."""

from __future__ import annotations

from ccms_app.accounts.rules.permissions import BUILT_IN_ROLES, MAINTENANCE_STAFF
from ccms_app.maintenance.state.work_orders_commands import WorkOrderCommandState
from ccms_app.maintenance.state.work_orders_detail import WorkOrderDetailState
from ccms_app.maintenance.work_orders import records
from ccms_app.maintenance.work_orders.creation import create_by_hand
from tests.finance.wallets.tabs import Tab, login
from tests.maintenance.work_orders.support import Workshop

LIST = "/maintenance/work-orders"
TYPED = {
    "set_note": "Backlight fuse looks",
    "set_reason": "Fuse replaced, screen",
    "set_part": "Fuse 2 A",
    "set_quantity": "3",
    "set_minutes": "25",
}


def _work_order(w: Workshop, title: str) -> int:
    form = {"charge_point_id": str(w.charge_point_id), "title": title, "priority": "high"}
    return create_by_hand(w.admin, form)


async def _open(tab: Tab, work_order_id: int) -> None:
    """The page's on_load handlers, as Reflex runs them on a visit and on every reconnect."""
    tab.at(f"{LIST}/{work_order_id}")
    await tab.send(WorkOrderDetailState, "load")
    await tab.send(WorkOrderCommandState, "load")


async def _typed(tab: Tab) -> dict[str, str]:
    page = await tab.state(WorkOrderDetailState)
    return {handler: getattr(page, handler.removeprefix("set_")) for handler in TYPED}


async def test_a_reconnect_keeps_the_technicians_typing_another_work_order_starts_empty(
    workshop: Workshop,
) -> None:
    w = workshop
    first, second = _work_order(w, "Screen dark"), _work_order(w, "Cable torn")
    tech = login(w.organisation_id, "t2@example.com", set(BUILT_IN_ROLES[MAINTENANCE_STAFF]))
    await _open(tech, first)
    page = await tech.state(WorkOrderDetailState)
    for handler, value in TYPED.items():
        await tech.send(WorkOrderDetailState, handler, value=value)
    await tech.send(WorkOrderDetailState, "act", action="claim")  # took no text: keeps it
    await tech.send(WorkOrderDetailState, "set_minutes", value="x")
    await tech.send(WorkOrderDetailState, "log_time")  # refused: its error stays with "x"
    assert set(page.errors) == {"minutes"}
    commands = await tech.state(WorkOrderCommandState)
    commands.outcome, commands.busy = "Sending Reset…", True  # a command in flight
    records.add_note(w.admin, first, "Spare fuses are in the van")  # meanwhile, elsewhere

    await _open(tech, first)  # the reconnect (the refresh after a command runs the same load)

    assert page.events[0]["text"] == "Spare fuses are in the van"  # the page refreshed
    assert page.wo["status"] == "assigned" and page.wo["mine"] == "yes"
    assert await _typed(tech) == TYPED | {"set_minutes": "x"}
    assert set(page.errors) == {"minutes"}
    assert (commands.outcome, commands.busy) == ("Sending Reset…", True)

    await tech.send(WorkOrderDetailState, "add_note")  # a saved note empties its field
    assert page.note == "" and page.events[0]["text"] == "Backlight fuse looks"
    await tech.send(WorkOrderDetailState, "act", action="start")
    await tech.send(WorkOrderDetailState, "act", action="hold")  # hold took the reason
    assert page.reason == "" and page.wo["status"] == "on_hold"
    await tech.send(WorkOrderDetailState, "set_note", value="Half a sentence")
    await _open(tech, first)
    assert page.note == "Half a sentence" and page.part == "Fuse 2 A"

    await _open(tech, second)  # another work order: empty forms, nothing in flight
    assert page.wo["title"] == "Cable torn"
    assert await _typed(tech) == {
        "set_note": "",
        "set_reason": "",
        "set_part": "",
        "set_quantity": "1",
        "set_minutes": "",
    }
    assert page.errors == {} and (commands.outcome, commands.busy) == ("", False)
    await tech.send(WorkOrderDetailState, "set_note", value="Not for the first one")
    await _open(tech, first)  # and back: opened anew, as a visit
    assert page.note == "" and page.wo["title"] == "Screen dark"
