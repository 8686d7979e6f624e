"""The alarm bell: the shared view read from a real database (counts per audience, the
newest alarms, the organisation's scope), and each tab's share of it, every event sent
through the real gate first (a login whose role may or may not view maintenance)."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from reflex.state import StateUpdate

from ccms_app.accounts.models import Organisation
from ccms_app.core.db import session_scope
from ccms_app.maintenance.alarms.models import Alarm, AlarmStatus
from ccms_app.maintenance.notifications import bell_watch
from ccms_app.maintenance.notifications.bell import load_bell
from ccms_app.maintenance.notifications.rules.bell_view import AudienceCount, BellView
from ccms_app.maintenance.notifications.state import (
    TOAST_HIDE_ANIMATION,
    AlarmToastState,
    BellRejoinMiddleware,
)
from tests.finance.wallets.tabs import Tab, login
from tests.maintenance.notifications.support import World
from tests.monitoring.state_tree import state_in_tree

MAINTENANCE = {"maintenance:view"}


@pytest.fixture(autouse=True)
def no_bell_tabs() -> Iterator[None]:
    bell_watch.forget_all()
    yield
    bell_watch.forget_all()


@pytest.fixture
def world(organisation: Organisation) -> World:
    world = World(int(organisation.id or 0))
    world.station("Depot")
    world.charge_points_at("Depot", ["D-1", "D-2", "D-3", "D-4"])
    return world


def _close(alarm_id: int) -> None:
    with session_scope() as s:
        alarm = s.get(Alarm, alarm_id)
        assert alarm is not None
        alarm.status, alarm.open_key = AlarmStatus.CLOSED, None
        s.add(alarm)


def test_the_bell_counts_open_alarms_per_audience(world: World) -> None:
    staff_only = world.rule(roles="7, 3", browser=False)
    everyone = world.rule(severity="critical")
    world.raise_alarms(["D-1", "D-2"], staff_only, severity="minor")
    (critical,) = world.raise_alarms(["D-3"], everyone, severity="critical")
    (closed,) = world.raise_alarms(["D-4"], None)
    _close(closed)

    view = load_bell(world.organisation_id)
    assert view.audiences == [
        AudienceCount(roles="", critical=1),
        AudienceCount(roles="3,7", minor=2),
    ]
    assert [a.id for a in view.newest] == [critical, critical - 1, critical - 2]
    newest = view.newest[0]
    assert (newest.title, newest.where, newest.severity) == (
        "Connector faulted",
        "D-3 connector 1 · Depot",
        "critical",
    )
    assert newest.href == f"/maintenance/alarms/{critical}"
    assert (newest.roles, newest.toast) == ("", True)
    assert (view.newest[1].roles, view.newest[1].toast) == ("3,7", False)


def test_an_operator_sees_its_sub_operators_alarms(world: World) -> None:
    with session_scope() as s:
        partner = Organisation(name="Partner", parent_id=world.organisation_id)
        s.add(partner)
        s.flush()
        partner_id = int(partner.id or 0)
    partners = World(partner_id)
    partners.charge_points_at(None, ["P-1"])
    partners.raise_alarms(["P-1"], None)
    world.raise_alarms(["D-1"], None)
    assert sum(a.major for a in load_bell(world.organisation_id).audiences) == 2
    assert sum(a.major for a in load_bell(partner_id).audiences) == 1


async def _joined(tab: Tab) -> AlarmToastState:
    assert await tab.send(AlarmToastState, "join") is None
    state = await tab.state(AlarmToastState)
    assert isinstance(state, AlarmToastState)
    return state


async def _value(state: Any, name: str) -> Any:
    value = getattr(state, name)
    return await value if hasattr(value, "__await__") else value


async def test_a_tab_without_a_login_is_refused(world: World) -> None:
    tab = login(world.organisation_id, "gone@example.com", MAINTENANCE)
    tab.session_hash = "0" * 64
    refused = await tab.at("/").send(AlarmToastState, "join")
    assert isinstance(refused, StateUpdate)
    assert bell_watch.watched_organisations() == frozenset()
    assert isinstance(await tab.send(AlarmToastState, "dismiss"), StateUpdate)


async def test_a_role_without_maintenance_gets_no_bell(world: World) -> None:
    world.raise_alarms(["D-1"], None)
    tab = login(world.organisation_id, "cashier@example.com", {"finance:view"})
    assert await tab.send(AlarmToastState, "join") is None  # let through, nothing joined
    assert bell_watch.watched_organisations() == frozenset()
    bell = await tab.state(AlarmToastState)
    assert isinstance(bell, AlarmToastState) and bell.counts.total == 0
    # Its other handlers are maintenance's: the gate refuses them outright.
    assert isinstance(await tab.send(AlarmToastState, "dismiss"), StateUpdate)


async def test_each_tab_counts_and_toasts_what_its_role_hears_of(world: World) -> None:
    (old,) = world.raise_alarms(["D-1"], None, severity="critical")
    staff = login(world.organisation_id, "tech@example.com", MAINTENANCE)
    viewer = login(world.organisation_id, "viewer@example.com", MAINTENANCE | {"home:view"})
    staff_toast, viewer_toast = await _joined(staff), await _joined(viewer)
    assert bell_watch.watched_organisations() == {world.organisation_id}
    staff_role = staff_toast.role_id
    assert staff_role and staff_role != viewer_toast.role_id
    # What was open before the join counts, but is no news.
    assert (await _value(staff_toast, "counts")).total == 1
    assert (await _value(staff_toast, "toast")).alarms == []
    assert staff_toast.seen_id == old

    # New alarms: one for the staff role only, one for everyone, one without a toast.
    world.raise_alarms(["D-2"], world.rule(roles=str(staff_role)), severity="major")
    world.raise_alarms(["D-3"], world.rule(severity="minor"), severity="minor")
    world.raise_alarms(["D-4"], world.rule(browser=False, severity="minor"), severity="minor")
    view = load_bell(world.organisation_id)  # what the publisher pushes to each tab
    for toast_state in (staff_toast, viewer_toast):
        toast_state.show(view)

    staff_counts = await _value(staff_toast, "counts")
    assert (staff_counts.total, staff_counts.critical, staff_counts.major) == (4, 1, 1)
    assert (await _value(viewer_toast, "counts")).total == 3
    staff_news = await _value(staff_toast, "toast")
    assert [a.where for a in staff_news.alarms] == [
        "D-3 connector 1 · Depot",
        "D-2 connector 1 · Depot",
    ]
    viewer_news = await _value(viewer_toast, "toast")
    assert [a.where for a in viewer_news.alarms] == ["D-3 connector 1 · Depot"]

    # Dismissed in one tab: gone there, still shown in the other.
    assert await staff.send(AlarmToastState, "dismiss") is None
    assert (await _value(staff_toast, "toast")).alarms == []
    assert len((await _value(viewer_toast, "toast")).alarms) == 1
    # The viewer's toast hid itself in the browser: it stays hidden (every page mounts it
    # again) until a newer alarm; the alarms stay unseen. Another animation tells nothing.
    assert await viewer_toast_shown(viewer) is True
    shown = (await _value(viewer_toast, "toast")).latest_id
    assert await _hid_itself(viewer, "fade-in", shown) is True
    assert await _hid_itself(viewer, TOAST_HIDE_ANIMATION, shown) is False
    assert len((await _value(viewer_toast, "toast")).alarms) == 1
    # A late report of an older card hides nothing newer.
    world.charge_points_at("Depot", ["D-5"])
    world.raise_alarms(["D-5"], world.rule(severity="minor"), severity="minor")
    viewer_toast.show(load_bell(world.organisation_id))
    assert await viewer_toast_shown(viewer) is True
    assert await _hid_itself(viewer, TOAST_HIDE_ANIMATION, shown) is True

    # A second join (the next page) keeps what the tab has seen.
    seen = staff_toast.seen_id
    await _joined(staff)
    assert staff_toast.seen_id == seen


async def test_logging_out_leaves_the_bell(world: World) -> None:
    tab = login(world.organisation_id, "tech@example.com", MAINTENANCE)
    await _joined(tab)
    assert bell_watch.watched_organisations() == {world.organisation_id}
    assert await tab.send(AlarmToastState, "leave") is None
    assert bell_watch.watched_organisations() == frozenset()


async def test_a_tab_that_reconnects_to_another_web_worker_watches_its_bell_there(
    world: World,
) -> None:
    """`ccms web`: the worker a tab's websocket reconnects to loads its page again
    (hydrate_and_load) but never sees its shell mount; the tab's bell is watched there."""
    tab = login(world.organisation_id, "tech@example.com", MAINTENANCE)
    await _joined(tab)
    token = tab.root.router.session.client_token
    middleware = BellRejoinMiddleware()
    page_load = SimpleNamespace(name="reflex___state____state.hydrate_and_load")
    bell_watch.forget_all()  # the other worker's memory: it never saw this tab

    assert await middleware.preprocess(None, tab.root, SimpleNamespace(name="x.y.dismiss")) is None
    assert not bell_watch.is_watching(token)  # only a page load re-joins
    assert await middleware.preprocess(None, tab.root, page_load) is None
    assert bell_watch.watched_organisations() == {world.organisation_id}

    assert await tab.send(AlarmToastState, "leave") is None  # logged out: not again
    assert await middleware.preprocess(None, tab.root, page_load) is None
    assert not bell_watch.is_watching(token)

    stranger = login(world.organisation_id, "viewer@example.com", MAINTENANCE)
    assert await middleware.preprocess(None, stranger.root, page_load) is None  # never joined
    assert bell_watch.watched_organisations() == frozenset()


async def _hid_itself(tab: Tab, animation: str, latest: int) -> bool:
    """The browser reports the end of a card's animation; whether the toast still shows."""
    assert await tab.send(AlarmToastState, "hid_itself", animation=animation, latest=latest) is None
    return await viewer_toast_shown(tab)


async def viewer_toast_shown(tab: Tab) -> bool:
    state = await tab.state(AlarmToastState)
    assert isinstance(state, AlarmToastState)
    return state.toast_shown


def test_a_pushed_view_sends_only_what_changed() -> None:
    bell = state_in_tree(AlarmToastState)
    bell.show(BellView(audiences=[AudienceCount(major=1)], newest=[], updated_at="t1"))
    bell._clean()
    bell.show(BellView(audiences=[AudienceCount(major=1)], newest=[], updated_at="t2"))
    assert _sent(bell) == set()
    bell.show(BellView(audiences=[AudienceCount(major=2)], newest=[], updated_at="t3"))
    assert _sent(bell) == {"counts"}


def _sent(state: AlarmToastState) -> set[str]:
    """The changed vars the browser receives (backend vars, "_...", stay on the server)."""
    return {name for name in state.dirty_vars if not name.startswith("_")}
