"""System > API keys: the page's states on a real migrated database, each event sent through
the real gate first (as Reflex sends it: a tab whose cookie holds a live login session).

The key a tab creates must reach the browser once and never a state: it travels in the
script `create` returns, not in a field, so Reflex's pickled state (StateManagerDisk, what
`.states/` holds) never contains it.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from reflex.event import Event, EventSpec
from reflex.istate.data import RouterData
from reflex.istate.manager.disk import StateManagerDisk
from reflex.istate.manager.token import BaseStateToken
from reflex.state import BaseState, State, StateUpdate
from sqlmodel import Session, select

from ccms_app.accounts import auth
from ccms_app.accounts.api_keys import principal_for_api_key
from ccms_app.accounts.models import ApiKey, LoginSession, OperatorAccount, Organisation, Role
from ccms_app.accounts.rules.permissions import ADMINISTRATOR, ALL_PERMISSIONS, OPERATOR
from ccms_app.accounts.state.gate import GateMiddleware
from ccms_app.accounts.web_session import SESSION_REF_COOKIE
from ccms_app.core.db import session_scope
from ccms_app.core.types import utc_now
from ccms_app.system.state.api_keys import (
    REVEALED_KEY_ELEMENT,
    ApiKeyActionsState,
    ApiKeyFormState,
    ApiKeyListState,
    shown_key_row,
)
from ccms_app.ui.list_state import display_value

KEY = re.compile(r"ccms_[A-Za-z0-9_-]{43}")
KEY_KEEPER = {"api_keys:view", "api_keys:edit", "assets:view"}  # may not grant Administrator
KEY_READER = set(ALL_PERMISSIONS) - {"api_keys:edit"}


@dataclass(frozen=True)
class Tab:
    """A browser tab of one login: its root state, as Reflex holds it."""

    root: State
    organisation_id: int

    async def send(self, cls: type[BaseState], handler: str, **payload: Any) -> Any:
        """The event through the gate, then (if let through) the handler; the gate's
        refusal, a StateUpdate, otherwise."""
        event = Event(name=f"{cls.get_full_name()}.{handler}", payload=payload)
        refused = await GateMiddleware().preprocess(app=None, state=self.root, event=event)
        if refused is not None:
            return refused
        state = await self.root.get_state(cls)
        result = getattr(state, handler)(**payload)
        return await result if hasattr(result, "__await__") else result

    async def state(self, cls: type[BaseState]) -> Any:
        return await self.root.get_state(cls)


def _login(organisation_id: int, email: str, role_id: int) -> str:
    """A live login session (the cookie's hash, what the gate reads)."""
    with session_scope() as s:
        account = OperatorAccount(
            organisation_id=organisation_id, email=email, password_hash="-", role_id=role_id
        )
        s.add(account)
        s.flush()
        session_hash = auth.token_hash(secrets.token_urlsafe(32))
        s.add(
            LoginSession(
                account_id=account.id,
                token_hash=session_hash,
                expires_at=utc_now().replace(year=utc_now().year + 1),
            )
        )
    return session_hash


def _role(organisation_id: int, name: str, permissions: set[str]) -> int:
    with session_scope() as s:
        role = Role(
            name=name, organisation_id=organisation_id, permissions=",".join(sorted(permissions))
        )
        s.add(role)
        s.flush()
        return int(role.id or 0)


def _built_in(name: str) -> int:
    with session_scope() as s:
        return auth.built_in_role_id(s, name)


def _tab(session_hash: str, organisation_id: int) -> Tab:
    router_data = {
        "headers": {
            "cookie": f"{SESSION_REF_COOKIE}={session_hash}",
            "asgi-scope-client": "192.0.2.7",
        },
        "pathname": "/system/api-keys",
        "token": f"tab-{session_hash[:8]}",
        "sid": "sid-1",
    }
    root = State(_reflex_internal_init=True)
    root.router_data = router_data
    root.router = RouterData.from_router_data(router_data)
    return Tab(root, organisation_id)


@pytest.fixture
def admin(organisation: Organisation) -> Tab:
    org = int(organisation.id or 0)
    return _tab(_login(org, "admin@example.com", _built_in(ADMINISTRATOR)), org)


def _script_key(events: list[Any]) -> str:
    """The key in the script `create` returned (the only place it travels)."""
    scripts = [
        str(value)
        for spec in events
        if isinstance(spec, EventSpec)
        for _, value in spec.args
        if KEY.search(str(value))
    ]
    assert len(scripts) == 1, events
    assert REVEALED_KEY_ELEMENT in scripts[0]
    return KEY.findall(scripts[0])[0]


async def _create(tab: Tab, name: str, role_id: int | None = None) -> Any:
    await tab.send(ApiKeyFormState, "open_new")
    if role_id is not None:
        await tab.send(ApiKeyFormState, "set_role", value=str(role_id))
    return await tab.send(ApiKeyFormState, "create", form={"name": name})


async def _pickled(tab: Tab, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """What Reflex writes to disk for this tab (every state of it, pickled)."""
    monkeypatch.setenv("REFLEX_STATES_WORKDIR", str(tmp_path / "states"))
    manager = StateManagerDisk(_write_debounce_seconds=0)
    try:
        await manager.set_state(BaseStateToken(ident="tab-1", cls=State), tab.root)
    finally:
        await manager.close()
    return [path.read_bytes() for path in (tmp_path / "states").glob("*.pkl")]


async def test_the_dialog_offers_the_caller_s_scope_and_grantable_roles(admin: Tab) -> None:
    await admin.send(ApiKeyFormState, "open_new")

    form = await admin.state(ApiKeyFormState)
    assert form.is_open
    assert form.organisation_id == str(admin.organisation_id)
    assert [label for _, label in form.organisation_choices] == ["Test Operator"]
    roles = {label: pk for pk, label in form.role_choices}
    assert {ADMINISTRATOR, OPERATOR, "Viewer"} <= set(roles)
    assert form.role_id == roles["Viewer"]  # least privilege until chosen


async def test_create_shows_the_key_once_and_keeps_it_out_of_every_state(
    admin: Tab, session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    events = await _create(admin, "  ERP   export ", _built_in(OPERATOR))

    key = _script_key(events)
    principal = principal_for_api_key(key)
    assert principal is not None and principal.role_name == OPERATOR
    assert principal.organisation_id == admin.organisation_id
    form = await admin.state(ApiKeyFormState)
    assert not form.is_open and form.errors == {} and form.message == ""
    assert (form.revealed_name, form.revealed_prefix) == ("ERP export", key[:12])
    assert (form.revealed_role, form.revealed_organisation) == (OPERATOR, "Test Operator")
    written = await _pickled(admin, tmp_path, monkeypatch)
    assert any(b"ERP export" in data for data in written)  # the dialog's state is in there
    assert not any(key.encode() in data for data in written)
    stored = session.exec(select(ApiKey)).one()
    assert key not in {stored.name, stored.prefix, stored.key_hash, stored.created_by}

    await admin.send(ApiKeyFormState, "set_revealed_open", is_open=False)

    assert (form.revealed_name, form.revealed_prefix, form.revealed_role) == ("", "", "")
    # Nothing brings it back: opening the dialog again starts a new key.
    assert not any(KEY.search(str(e)) for e in [await admin.send(ApiKeyFormState, "open_new")])


async def test_the_list_shows_the_key_s_start_and_who_made_it(admin: Tab) -> None:
    key = _script_key(await _create(admin, "Billing"))

    await admin.send(ApiKeyListState, "load")

    listed = await admin.state(ApiKeyListState)
    (row,) = listed.rows
    assert row["name"] == "Billing" and row["prefix"] == f"{key[:12]}…"
    assert (row["role"], row["organisation"]) == ("Viewer", "Test Operator")
    assert row["created_by"] == "admin@example.com"
    assert (row["last_used_at"], row["last_used_address"], row["revoked_at"]) == ("never", "", "")
    assert key not in str(listed.rows)
    assert set(listed.filter_options) == {"organisation_id", "role"}


def test_a_used_key_shows_when_and_from_where() -> None:
    used = utc_now()
    row = shown_key_row(
        {"prefix": "ccms_abcdefg", "last_used_at": used, "last_used_address": "198.51.100.4"}
    )
    assert row["prefix"] == "ccms_abcdefg…" and row["last_used_at"] == display_value(used)
    assert row["last_used_at"].endswith(" UTC")
    assert row["last_used_address"] == "198.51.100.4"


async def test_bad_input_is_shown_field_by_field_and_makes_no_key(
    admin: Tab, session: Session
) -> None:
    assert await _create(admin, "   ") is None

    form = await admin.state(ApiKeyFormState)
    assert form.is_open and "name" in form.errors and form.revealed_name == ""
    assert session.exec(select(ApiKey)).all() == []


async def test_revoke_after_the_confirm_stops_the_key(admin: Tab, session: Session) -> None:
    key = _script_key(await _create(admin, "Old CRM"))
    key_id = session.exec(select(ApiKey.id)).one()
    await admin.send(ApiKeyListState, "load")

    await admin.send(ApiKeyActionsState, "ask_revoke", key_id=str(key_id), label="Old CRM")
    actions = await admin.state(ApiKeyActionsState)
    assert (actions.target_id, actions.target_label) == (key_id, "Old CRM")
    answer = await admin.send(ApiKeyActionsState, "revoke")

    assert principal_for_api_key(key) is None
    assert actions.target_id == 0 and actions.message == ""
    assert "revoked" in str(answer[0])
    listed = await admin.state(ApiKeyListState)
    await admin.send(ApiKeyListState, "refresh")
    assert listed.rows[0]["revoked_at"] != ""


async def test_a_role_without_api_keys_edit_creates_and_revokes_nothing(
    admin: Tab, organisation: Organisation, session: Session
) -> None:
    key = _script_key(await _create(admin, "Kept"))
    key_id = session.exec(select(ApiKey.id)).one()
    org = int(organisation.id or 0)
    reader = _tab(_login(org, "reader@example.com", _role(org, "Reader", KEY_READER)), org)

    refused = await _create(reader, "Sneaky")
    await reader.send(ApiKeyActionsState, "ask_revoke", key_id=str(key_id), label="Kept")
    refused_revoke = await reader.send(ApiKeyActionsState, "revoke")

    for update in (refused, refused_revoke):
        assert isinstance(update, StateUpdate)
        assert "does not allow edit on API keys" in str(update.events)
    # Past the gate (a forged event would not get there), the use case refuses on its own.
    state = await reader.state(ApiKeyFormState)
    assert await state.create({"name": "Sneaky"}) is None
    assert state.message == "Your role does not allow this change."
    assert len(session.exec(select(ApiKey)).all()) == 1
    assert principal_for_api_key(key) is not None


async def test_nobody_makes_a_key_stronger_than_themselves(
    organisation: Organisation, session: Session
) -> None:
    org = int(organisation.id or 0)
    keeper = _tab(_login(org, "keeper@example.com", _role(org, "Key keeper", KEY_KEEPER)), org)

    await keeper.send(ApiKeyFormState, "open_new")
    form = await keeper.state(ApiKeyFormState)
    assert ADMINISTRATOR not in {label for _, label in form.role_choices}
    answer = await keeper.send(ApiKeyFormState, "set_role", value=str(_built_in(ADMINISTRATOR)))
    assert answer is None
    assert await keeper.send(ApiKeyFormState, "create", form={"name": "Escalate"}) is None

    assert "You cannot grant the role Administrator" in form.message
    assert session.exec(select(ApiKey)).all() == []


async def test_the_copy_button_says_what_happened(admin: Tab) -> None:
    copied = await admin.send(ApiKeyFormState, "copied", ok=True)
    refused = await admin.send(ApiKeyFormState, "copied", ok=False)

    assert "copied to the clipboard" in str(copied)
    assert "press Ctrl+C" in str(refused)
