"""Every Reflex event handler of the app declares what it needs, and the gate enforces it.

The enumeration walks the whole state tree of the real app (every state class, every event
handler, Reflex's own included), so a handler added later without a declaration fails
`test_every_handler_declares_what_it_needs`, naming it. Then each handler's event goes
through `GateMiddleware.preprocess` exactly as Reflex sends it, against a real migrated
database with real login sessions:
- no cookie, an expired session, a role holding every permission but the one needed:
  refused (a StateUpdate: the login page, or a toast);
- a role holding only the permission needed: let through (None), so the refusals are not
  a gate that refuses everything.
One database and one set of sessions serve the module; the ~600 handlers x 4 cases take
about a second.
"""

from __future__ import annotations

import re
import secrets
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
import reflex as rx
from reflex.event import Event
from reflex.istate.data import RouterData
from reflex.state import State, StateUpdate
from sqlmodel import select

import ccms_app.ccms_app  # noqa: F401  (registers every page and so every state)
from ccms_app.accounts import auth
from ccms_app.accounts.gate_marks import DRIVER, OPTIONAL, PUBLIC, SIGNED_IN, requirement
from ccms_app.accounts.models import LoginSession, OperatorAccount, Organisation, Role
from ccms_app.accounts.rules.permissions import ADMINISTRATOR, ALL_PERMISSIONS, Module
from ccms_app.accounts.state.gate import GateMiddleware
from ccms_app.accounts.web_session import DRIVER_REF_COOKIE, SESSION_REF_COOKIE
from ccms_app.charging.state.reservations import ChargePointReservationState
from ccms_app.control.firmware.state import FirmwareState
from ccms_app.control.state.commands import CommandState
from ccms_app.core import db
from ccms_app.core.types import utc_now
from ccms_app.driver_app import driver_accounts
from ccms_app.driver_app.models import DriverLoginSession
from ccms_app.driver_app.state.auth import DriverAuthState
from ccms_app.drivers.state.lists import IdTagListState
from ccms_app.maintenance.state.overview import DataIssueListState
from ccms_app.monitoring.state.home import HomeState
from ccms_app.network.state.forms import StationFormState
from ccms_app.network.state.lists import StationListState
from ccms_app.system.state.settings import SystemState
from ccms_app.ui.nav import NAV_ITEMS
from ccms_app.ui.permissions import allowed

PW = "lantern orbit tulip harbour"
GENERATED = "setvar"  # Reflex gives every state one; refused unless the state has a module


def state_classes() -> list[type[rx.State]]:
    """Every state class of the app, from the root down."""
    found: list[type[rx.State]] = []
    pending: list[type[rx.State]] = [State]
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending.extend(sorted(cls.get_substates(), key=lambda c: c.get_full_name()))
    return found


def undeclared(classes: list[type]) -> list[str]:
    """`Class.handler` of every handler without a declaration (the gate refuses those).

    Reflex's generated `setvar` on a state without a module is refused on purpose: nothing
    in CCMS calls it there, and letting it through would let a tab set any of its vars.
    """
    return [
        f"{cls.__module__}.{cls.__name__}.{name}"
        for cls in classes
        for name in sorted(getattr(cls, "event_handlers", {}))
        if requirement(cls, name) is None and name != GENERATED
    ]


STATES = state_classes()
APP_STATES = [cls for cls in STATES if cls.__module__.startswith("ccms_app.")]


def test_the_enumeration_sees_the_whole_app() -> None:
    names = {cls.__name__ for cls in APP_STATES}
    assert len(APP_STATES) >= 60
    assert {"AuthState", "HomeState", "ChargePointLiveState", "SystemState"} <= names
    assert {"StationListState", "DataIssueListState", "FirmwareState", "IdTagListState"} <= names
    assert sum(len(cls.event_handlers) for cls in STATES) >= 550


def test_driver_app_handlers_are_checked_as_drivers_only() -> None:
    """The driver app's states are walked like the rest: each handler needs a driver."""
    driver_handlers = [
        f"{cls.__name__}.{name}"
        for cls in APP_STATES
        for name in cls.event_handlers
        if requirement(cls, name) == DRIVER
    ]
    assert "DriverAuthState.require_driver" in driver_handlers
    assert requirement(DriverAuthState, "setvar") is None  # refused: no tab sets its own vars
    assert requirement(DriverAuthState, "show_sign_in") == PUBLIC


def test_every_handler_declares_what_it_needs() -> None:
    missing = undeclared(STATES)
    assert not missing, (
        "These event handlers declare no permission, so the gate refuses them. Put "
        "@guarded(Module.X) on the state class (and @requires(...) on handlers that edit, "
        "control or export), or @signed_in / @public(why):\n  " + "\n  ".join(missing)
    )


def test_a_handler_without_a_declaration_is_named() -> None:
    """The check above would fail for a new handler nobody declared (a stand-in state)."""
    stand_in = type(
        "NewFeatureState",
        (),
        {"event_handlers": {"do_it": SimpleNamespace(fn=lambda: None), GENERATED: None}},
    )
    assert undeclared([stand_in]) == [f"{__name__}.NewFeatureState.do_it"]


# Handler names that say they change data, command a charger or take data out...
CHANGING = re.compile(
    r"^(save|submit|create|delete|remove|send|block|unblock|suspend|reactivate|deactivate|"
    r"resolve|assign|unassign|sync|upload|cancel|reserve|generate|run_import|confirm|"
    r"set_enabled|add_member|export|fetch|request|reset_password|clear_password)"
)
# ... except these, which only change a form in the tab (a row of a dialog, an edit box).
FORM_ONLY = {"remove_period", "remove_connector", "cancel_edit"}


def test_handlers_named_like_changes_need_more_than_a_look() -> None:
    """A new `delete` (say) declared as a mere view fails here, naming it."""
    looks = [
        f"{cls.__name__}.{name}: {needed}"
        for cls in APP_STATES
        for name in sorted(cls.event_handlers)
        if CHANGING.match(name)
        and name not in FORM_ONLY
        and (needed := requirement(cls, name)) not in (None, DRIVER)  # a driver's own data
        and not needed.endswith((":edit", ":control", ":export"))
    ]
    assert not looks, "Declared as a view (or less), yet named like a change:\n" + "\n".join(looks)


def test_changes_commands_and_exports_need_more_than_a_look() -> None:
    """Spot checks of the declarations the pages depend on."""
    assert requirement(StationListState, "load") == "assets:view"
    assert requirement(StationListState, "export_csv") == "assets:export"
    assert requirement(StationFormState, "open_new") == "assets:view"
    assert requirement(StationFormState, "save") == "assets:edit"
    assert requirement(CommandState, "send") == "live_monitoring:control"
    assert requirement(ChargePointReservationState, "reserve") == "live_monitoring:control"
    assert requirement(DataIssueListState, "resolve_selected") == "maintenance:edit"
    assert requirement(FirmwareState, "request_diagnostics") == "firmware:control"
    assert requirement(FirmwareState, "upload_image") == "firmware:edit"
    assert requirement(SystemState, "set_auth_required") == "system:edit"
    assert requirement(HomeState, "show") == "home:view"


def test_pages_hide_what_the_gate_would_refuse() -> None:
    """Buttons are shown on the very permission the gate checks for their handler; menu
    entries on their module's view."""
    assert '"assets:edit"' in str(allowed(StationFormState.save))
    assert '"assets:view"' in str(allowed(StationFormState.open_edit("7")))
    assert '"live_monitoring:control"' in str(allowed(CommandState.send))
    assert '"maintenance:edit"' in str(allowed(DataIssueListState.resolve_one("1")))
    assert '"users:export"' in str(allowed(IdTagListState.export_csv))
    entries = {item.route: item.module for item in NAV_ITEMS}
    assert entries["/system"] == Module.SYSTEM and entries["/live"] == Module.LIVE_MONITORING
    assert set(entries.values()) == set(Module) - {Module.API_KEYS}


# --- the gate, handler by handler ------------------------------------------------------------


@dataclass(frozen=True)
class Logins:
    """Session hashes (the cookie the scrubber hands Reflex) for each case."""

    administrator: str
    expired: str
    all_but: dict[str, str]  # permission -> a session whose role holds every other one
    only: dict[str, str]  # permission -> a session whose role holds just that one
    driver: str  # a driver app sign-in (the driver cookie's hash)
    expired_driver: str


def _needed_permissions() -> set[str]:
    return {
        needed
        for cls in STATES
        for name in cls.event_handlers
        if (needed := requirement(cls, name)) in ALL_PERMISSIONS
    }


def _account(s, organisation_id: int, email: str, role_id: int, expires_in: timedelta) -> str:
    account = OperatorAccount(
        organisation_id=organisation_id,
        email=email,
        password_hash="not-used-here",  # sessions are opened directly: no password check
        role_id=role_id,
    )
    s.add(account)
    s.flush()
    session_hash = auth.token_hash(secrets.token_urlsafe(32))
    s.add(
        LoginSession(
            account_id=account.id, token_hash=session_hash, expires_at=utc_now() + expires_in
        )
    )
    return session_hash


def _role(s, name: str, permissions: set[str]) -> int:
    role = Role(name=name, permissions=",".join(sorted(permissions)))
    s.add(role)
    s.flush()
    return int(role.id or 0)


@pytest.fixture(scope="module")
def module_engine(
    migrated_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[object]:
    path = tmp_path_factory.mktemp("gate") / "ccms.db"
    shutil.copy(migrated_template, path)
    engine = db.make_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def logins(module_engine) -> Logins:
    db.set_engine(module_engine)
    hour = timedelta(hours=1)
    with db.session_scope() as s:
        org = Organisation(name="Gate Test Operator")
        s.add(org)
        s.flush()
        org_id = int(org.id or 0)
        admin_role = auth.built_in_role_id(s, ADMINISTRATOR)
        administrator = _account(s, org_id, "admin@example.com", admin_role, hour)
        expired = _account(s, org_id, "expired@example.com", admin_role, -hour)
        all_but, only = {}, {}
        for n, needed in enumerate(sorted(_needed_permissions())):
            rest = _role(s, f"All but {needed}", set(ALL_PERMISSIONS) - {needed})
            just = _role(s, f"Only {needed}", {needed})
            all_but[needed] = _account(s, org_id, f"all-but-{n}@example.com", rest, hour)
            only[needed] = _account(s, org_id, f"only-{n}@example.com", just, hour)
    driver = driver_accounts.sign_up(driver_accounts.SignUp("Gate Driver", "d@example.com", PW))
    expired_driver = driver_accounts.sign_up(
        driver_accounts.SignUp("Old Driver", "old@example.com", PW)
    )
    driver_session = auth.token_hash(driver_accounts.open_session(driver.account_id))
    old_session = auth.token_hash(driver_accounts.open_session(expired_driver.account_id))
    with db.session_scope() as s:
        stale = s.exec(
            select(DriverLoginSession).where(DriverLoginSession.token_hash == old_session)
        ).one()
        stale.expires_at = utc_now() - hour
        s.add(stale)
    return Logins(administrator, expired, all_but, only, driver_session, old_session)


@pytest.fixture
def gate_db(module_engine, logins: Logins) -> Iterator[Logins]:
    """The module's database for this test (other modules' tests switch engines)."""
    db.set_engine(module_engine)
    yield logins
    db.set_engine(None)


def root_state(session_hash: str | None, cookie_name: str = SESSION_REF_COOKIE) -> State:
    """A tab's root state as Reflex holds it, its router data carrying the cookie header."""
    cookie = f"theme=dark; {cookie_name}={session_hash}" if session_hash else "theme=dark"
    router_data = {
        "headers": {"cookie": cookie, "asgi-scope-client": "192.0.2.9"},
        "pathname": "/assets",
        "token": "tab-1",
        "sid": "sid-1",
    }
    root = State(_reflex_internal_init=True)
    root.router_data = router_data
    root.router = RouterData.from_router_data(router_data)
    return root


async def _send(root: State, cls: type, handler: str) -> StateUpdate | None:
    event = Event(name=f"{cls.get_full_name()}.{handler}", payload={})
    return await GateMiddleware().preprocess(app=None, state=root, event=event)


def _gated(cls: type) -> list[tuple[str, str | None]]:
    """The handlers of `cls` the gate checks a login for, with what each needs."""
    return [
        (name, needed)
        for name in sorted(cls.event_handlers)
        if (needed := requirement(cls, name)) not in (PUBLIC, OPTIONAL)
    ]


def _redirects_to_login(update: StateUpdate | None, page: str = "/login") -> bool:
    return update is not None and any(
        e.name == "_redirect" and str(e.payload.get("path", "")).startswith(page)
        for e in update.events
    )


CHECKED = [cls for cls in STATES if _gated(cls)]


@pytest.mark.parametrize("cls", CHECKED, ids=lambda cls: cls.__name__)
async def test_the_gate_refuses_whoever_may_not_and_admits_who_may(
    cls: type, gate_db: Logins
) -> None:
    logins = gate_db
    anonymous, expired = root_state(None), root_state(logins.expired)
    problems: list[str] = []
    for name, needed in _gated(cls):
        where = f"{cls.__name__}.{name} ({needed})"
        if needed == DRIVER:
            problems.extend(await _driver_refusals(cls, name, logins, where))
            continue
        if not _redirects_to_login(await _send(anonymous, cls, name)):
            problems.append(f"{where}: not refused without a login")
        if not _redirects_to_login(await _send(expired, cls, name)):
            problems.append(f"{where}: not refused for an expired session")
        if needed in ALL_PERMISSIONS:
            refused = await _send(root_state(logins.all_but[needed]), cls, name)
            if refused is None or _redirects_to_login(refused):
                problems.append(f"{where}: not refused for a role without {needed}")
            if await _send(root_state(logins.only[needed]), cls, name) is not None:
                problems.append(f"{where}: refused for a role with just {needed}")
        elif needed == SIGNED_IN:
            if await _send(root_state(logins.administrator), cls, name) is not None:
                problems.append(f"{where}: refused for a live login")
        elif await _send(root_state(logins.administrator), cls, name) is None:
            problems.append(f"{where}: undeclared, yet let through")  # must fail closed
    assert not problems, "\n".join(problems)


async def _driver_refusals(cls: type, name: str, logins: Logins, where: str) -> list[str]:
    """A driver app handler: refused without a driver sign-in, for an expired one and for an
    operator's login (an operator is no driver); let through for a live driver sign-in."""
    problems = []
    cases = {
        "without a sign-in": root_state(None),
        "for an expired driver sign-in": root_state(logins.expired_driver, DRIVER_REF_COOKIE),
        "for an operator's login": root_state(logins.administrator),
        "for an operator's hash in the driver cookie": root_state(
            logins.administrator, DRIVER_REF_COOKIE
        ),
    }
    for case, root in cases.items():
        if not _redirects_to_login(await _send(root, cls, name), "/app/login"):
            problems.append(f"{where}: not refused {case}")
    if await _send(root_state(logins.driver, DRIVER_REF_COOKIE), cls, name) is not None:
        problems.append(f"{where}: refused for a live driver sign-in")
    return problems


async def test_a_refusal_for_the_role_says_why(gate_db: Logins) -> None:
    update = await _send(root_state(gate_db.all_but["assets:edit"]), StationFormState, "save")
    assert update is not None
    shown = " ".join(str(e.payload) for e in update.events)
    assert "does not allow edit on Assets" in shown
    assert not _redirects_to_login(update)  # a live login stays on its page


async def test_a_refused_page_load_sends_the_tab_where_it_may_go(gate_db: Logins) -> None:
    update = await _send(root_state(gate_db.all_but["assets:view"]), StationListState, "load")
    assert update is not None
    assert any(e.name == "_redirect" and e.payload["path"] == "/" for e in update.events)
