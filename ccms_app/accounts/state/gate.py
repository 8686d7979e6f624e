"""One gate for every Reflex event: session, then permission, then (in the use cases) scope.

Reflex event handlers can be called by any websocket client with any payload, so hiding a
button protects nothing. `GateMiddleware` runs before every event, background ones included:
1. what the handler requires: a permission declared with `@guarded(Module.X)` on its state
   class (view, by default) and `@requires(Action.EDIT)` on the handler; `@signed_in` (any
   live login) or `@public(why)`. A handler that declares nothing is refused: the gate fails
   closed, and `tests/accounts/test_gate_enumeration.py` names it;
2. the login session, read from the database for this event (`principals`): a logout,
   expiry, deactivation, role change or ended licence counts from the next event of every
   tab. No session: the tab goes to the login page;
3. the permission: refused with a message; a page the role may not see sends the tab home.
The principal is written into `AuthState` (`_organisation_id` is what scoped use cases take).
Permitted edits, commands and exports are written to the audit log.
Driver app handlers (`@driver_state`) are checked by the driver gate the app registers
(`install_driver_gate`): a driver's own sign-in, never an operator login; none registered =
refused.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import reflex as rx
from reflex.event import Event
from reflex.middleware import Middleware
from reflex.state import BaseState, State, StateUpdate

from ccms_app.accounts import audit
from ccms_app.accounts.gate_marks import DRIVER, OPTIONAL, PUBLIC, SIGNED_IN, requirement
from ccms_app.accounts.principals import Principal, principal_for_session
from ccms_app.accounts.rules.permissions import MODULE_LABELS, Action, Module, permission
from ccms_app.accounts.rules.redirects import ACCOUNT_ROUTE, HOME_ROUTE
from ccms_app.accounts.state.auth import AuthState, login_url
from ccms_app.accounts.web_session import session_hash_from_cookie_header
from ccms_app.core.i18n import DEFAULT, N_, set_reader_language, tr

log = logging.getLogger(__name__)

_AUDITED = (Action.EDIT, Action.CONTROL, Action.EXPORT)
# "Your role (...) does not allow {action} on {module}." in the reader's language.
_ACTION_WORDS: dict[str, str] = {
    Action.VIEW: N_("view"),
    Action.EDIT: N_("edit"),
    Action.CONTROL: N_("control"),
    Action.EXPORT: N_("export"),
}
_SECRET_KEYS = ("password", "secret", "token", "key")

# The driver app's check: resolves the tab's driver sign-in into its own state and returns
# None to let the event through, or the events that answer a refusal (its sign-in page).
DriverGate = Callable[[BaseState], Awaitable[list[Any] | None]]
_driver_gate: list[DriverGate] = []


def install_driver_gate(check: DriverGate) -> None:
    """Register the driver app's check (the composition root does, once)."""
    _driver_gate[:] = [check]


class GateMiddleware(Middleware):
    """Refuses every event its caller may not send (see the module docstring)."""

    async def preprocess(self, app: Any, state: BaseState, event: Event) -> StateUpdate | None:
        set_reader_language(DEFAULT)  # nothing carries over from the last event handled
        state_path, _, handler_name = str(event.name).rpartition(".")
        try:
            state_cls = State.get_class_substate(state_path)
        except ValueError:
            return StateUpdate(
                events=Event.from_event_type([rx.toast.error(tr("Unknown action."))])
            )
        needed = requirement(state_cls, handler_name)
        if needed == PUBLIC:
            return None
        if needed == DRIVER:
            return await self._driver(state, event)
        auth_state = await state.get_state(AuthState)
        principal = await asyncio.to_thread(principal_for_session, _session_hash(state))
        if principal is None:
            auth_state._clear_login()
            set_reader_language(auth_state.language)
            if needed == OPTIONAL:
                return None
            url = state.router.url  # the page as the browser shows it (not its route pattern)
            target = login_url(url.path, url.query)
            return await _update(state, [rx.redirect(target)])
        auth_state._take_login(principal)
        # server-built text and values in the tab's language, naming the product as its brand
        set_reader_language(auth_state.language, principal.organisation_id)
        if needed in (SIGNED_IN, OPTIONAL):
            return None
        if principal.must_change_password:
            message = tr("Choose your own password before you go on.")
            return await _update(state, [rx.toast.info(message), rx.redirect(ACCOUNT_ROUTE)])
        if needed is None:
            log.error("event handler without a declared permission refused: %s", event.name)
            return await _update(state, [rx.toast.error(tr("That action is not available."))])
        module_name, _, action_name = needed.partition(":")
        if needed not in principal.permissions:
            return await self._not_allowed(state, event, principal, module_name, action_name)
        if action_name in _AUDITED and handler_name != "setvar":
            subject = await _subject_of(state, state_cls)
            await asyncio.to_thread(_audit, principal, state, event, "ok", subject)
        return None

    async def _driver(self, state: BaseState, event: Event) -> StateUpdate | None:
        if not _driver_gate:
            log.error("driver app handler refused, no driver gate installed: %s", event.name)
            return await _update(state, [rx.toast.error(tr("That action is not available."))])
        refusal = await _driver_gate[0](state)
        return None if refusal is None else await _update(state, refusal)

    async def _not_allowed(
        self, state: BaseState, event: Event, principal: Principal, module: str, action: str
    ) -> StateUpdate:
        label = tr(MODULE_LABELS.get(Module(module), module))
        if action in _AUDITED:
            await asyncio.to_thread(_audit, principal, state, event, "refused")
        if principal.read_only_reason and action != Action.VIEW:
            message = principal.read_only_text()  # worded now, in the reader's language
        else:
            message = tr(
                "Your role ({role}) does not allow {action} on {module}.",
                role=principal.role_name,
                action=tr(_ACTION_WORDS.get(action, action)),
                module=label,
            )
        events: list[Any] = [rx.toast.error(message)]
        if action == Action.VIEW:
            home = permission(Module.HOME, Action.VIEW) in principal.permissions
            events.append(
                rx.redirect(HOME_ROUTE if home and module != Module.HOME else ACCOUNT_ROUTE)
            )
        return await _update(state, events)


def _session_hash(state: BaseState) -> str:
    headers = state.router_data.get("headers", {}) if state.router_data else {}
    return session_hash_from_cookie_header(str(headers.get("cookie", "")))


async def _update(state: BaseState, events: list[Any]) -> StateUpdate:
    """The refusal: what changed in AuthState, and the events for the browser."""
    root = state._get_root_state()
    try:
        delta = await root._get_resolved_delta()
    finally:
        root._clean()
    return StateUpdate(delta=delta, events=Event.from_event_type(events))


# Fields a state keeps its target in when the event names none (a confirm dialog, the charge
# point a command form was opened for, a bulk selection), read for the audit entry.
_SUBJECT_IDS = ("confirm_id", "target_id", "charge_point_id", "current_id")
_SUBJECT_WORDS = ("confirm_label", "target_name", "identity", "kind", "action", "name")


async def _subject_of(state: BaseState, state_cls: type[BaseState]) -> dict[str, str]:
    """What the handler's state says it acts on, before the handler runs."""
    substate = await state.get_state(state_cls)
    found: dict[str, str] = {}
    for name in (*_SUBJECT_IDS, *_SUBJECT_WORDS):
        value = getattr(substate, name, None)
        if isinstance(value, int | str) and not isinstance(value, bool) and value not in ("", 0):
            found[name] = str(value)[:80]
    selected = getattr(substate, "selected", None)
    if isinstance(selected, list) and selected:
        found["selected"] = f"{len(selected)} charge point(s)"
    return found


def _audit(
    principal: Principal,
    state: BaseState,
    event: Event,
    outcome: str,
    subject: dict[str, str] | None = None,
) -> None:
    headers = state.router_data.get("headers", {}) if state.router_data else {}
    address = str(headers.get("asgi-scope-client", ""))
    state_name = str(event.name).rpartition(".")[0].rsplit(".", 1)[-1]
    handler = str(event.name).rpartition(".")[2]
    audit.record(
        audit.Actor(principal.account_id, principal.organisation_id, principal.email, address),
        f"{_readable(state_name)}.{handler}",
        object_type=_readable(state_name),
        object_id=_object_id(event.payload) or _subject_id(subject or {}),
        detail=_detail(event.payload, subject or {}),
        outcome=outcome,
    )


def _subject_id(subject: dict[str, str]) -> str:
    return next((subject[name] for name in _SUBJECT_IDS if name in subject), "")


def _detail(payload: dict[str, Any], subject: dict[str, str]) -> str:
    words = ", ".join(f"{k}={v}" for k, v in subject.items() if k not in _SUBJECT_IDS)
    summary = _payload_summary(payload)
    return f"{summary} | {words}" if words else summary


def _readable(state_name: str) -> str:
    """`ccms_app___network___state___forms____station_form_state` -> `station_form`."""
    return state_name.rsplit("____", 1)[-1].removesuffix("_state")


def _object_id(payload: dict[str, Any]) -> str:
    for key, value in payload.items():
        if key.endswith("id") and isinstance(value, int | str):
            return str(value)
    return ""


def _payload_summary(payload: dict[str, Any]) -> str:
    """The event's arguments with anything secret-looking blanked."""
    return str(_redact(payload))[:1000]


def _secret(name: Any) -> bool:
    return any(part in str(name).lower() for part in _SECRET_KEYS)


def _redact(value: Any) -> Any:
    """Blank secret-looking keys, including a Reflex form's [name, value] pairs."""
    if isinstance(value, dict) and "__reflex_form_data__" in value:
        pairs = value["__reflex_form_data__"]
        if isinstance(pairs, list):
            return {
                "__reflex_form_data__": [
                    [pair[0], "<redacted>"]
                    if isinstance(pair, list | tuple) and len(pair) == 2 and _secret(pair[0])
                    else _redact(pair)
                    for pair in pairs
                ]
            }
    if isinstance(value, dict):
        return {k: ("<redacted>" if _secret(k) else _redact(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact(v) for v in value]
    return value


def install(app: rx.App) -> None:
    """Put the gate first among the app's middlewares (once: the lifespan may restart)."""
    if not any(isinstance(m, GateMiddleware) for m in getattr(app, "_middlewares", [])):
        app.add_middleware(GateMiddleware(), index=0)
