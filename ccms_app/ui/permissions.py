"""Show only what the tab's role may use: the same declaration the gate enforces.

`allowed(SomeState.save)` is true in the browser when the role holds what calling that
handler requires (`accounts.gate_marks.requirement`: "assets:edit" for a `@requires(Action.EDIT)`
handler of an Assets state), read from `AuthState.permissions`, which the gate refreshes
before every event. So a button is hidden exactly when the server would refuse its event;
hiding protects nothing by itself, the gate does.

    when_allowed(StationFormState.save, rx.button("New station", on_click=...))

Pass the handler that does the work (save, send, export_csv), not the one that opens a
form: opening is a view, saving is the edit.
"""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.event import EventHandler, EventSpec

from ccms_app.accounts.gate_marks import OPTIONAL, PUBLIC, SIGNED_IN, requirement
from ccms_app.accounts.rules.permissions import Action, Module, permission
from ccms_app.accounts.state import AuthState


def can(module: Module, action: Action = Action.VIEW) -> rx.Var[bool]:
    """Whether the role holds one permission (a Var, for rx.cond)."""
    return AuthState.permissions.contains(permission(module, action))


def allowed(handler: Any) -> rx.Var[bool]:
    """Whether the role may call `handler` (an event handler or a call of one)."""
    spec_handler = handler.handler if isinstance(handler, EventSpec) else handler
    if not isinstance(spec_handler, EventHandler) or spec_handler.state is None:
        raise TypeError(f"not an event handler of a state: {handler!r}")
    needed = requirement(spec_handler.state, spec_handler.fn.__name__)
    if needed in (PUBLIC, OPTIONAL, SIGNED_IN):
        return rx.Var.create(AuthState.is_authenticated).bool()
    if needed is None:  # refused for everyone: never offer it
        return rx.Var.create(False).bool()
    return AuthState.permissions.contains(needed)


def when_allowed(handler: Any, *children: rx.Component) -> rx.Component:
    """`children`, shown only when the role may call `handler`."""
    return rx.cond(allowed(handler), rx.fragment(*children))
