"""How a Reflex state declares what its event handlers require (read by the gate).

Plain decorators, no Reflex: `@guarded(Module.ASSETS)` on a state class (every handler needs
the module's view permission), `@requires(Action.EDIT)` on a handler (above `@event`),
`@signed_in`, `@optional_login`, `@public(why)`. Nothing declared = refused.
The driver app's states are marked `@driver_state` instead: every handler needs a signed-in
driver (never an operator login) unless it says `@public(why)`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final, TypeVar

from ccms_app.accounts.rules.permissions import Action, Module, permission

PUBLIC: Final = "public"
SIGNED_IN: Final = "signed_in"
OPTIONAL: Final = "optional"  # resolves the login if there is one, refuses nobody
DRIVER: Final = "driver"  # a signed-in driver of the driver app (not an operator login)
_MARK = "__ccms_requires__"

_state_modules: dict[type, Module] = {}
_driver_states: set[type] = set()

# Reflex's own handlers that run before anyone can have logged in (hydration, page loads,
# client storage, error reports). update_vars_internal sets client-storage vars only, and
# CCMS keeps none; on_load_internal only queues the page's on_load handlers, each gated.
_REFLEX_PUBLIC = {
    ("State", "hydrate"),
    ("State", "set_is_hydrated"),
    ("State", "hydrate_and_load"),
    ("OnLoadInternalState", "on_load_internal"),
    ("OnLoadInternalState", "set_is_hydrated"),
    ("UpdateVarsInternalState", "update_vars_internal"),
    ("FrontendEventExceptionState", "handle_frontend_exception"),
}

S = TypeVar("S", bound=type)
F = TypeVar("F", bound=Callable[..., Any])


def guarded(module: Module) -> Callable[[S], S]:
    """Class decorator: every handler of this state needs `module`'s view permission unless
    it says more with `@requires`."""

    def mark(cls: S) -> S:
        _state_modules[cls] = module
        return cls

    return mark


def driver_state(cls: S) -> S:
    """Class decorator: every handler of this driver app state needs a signed-in driver."""
    _driver_states.add(cls)
    return cls


def requires(action: Action, module: Module | None = None) -> Callable[[F], F]:
    """Handler decorator (above `@event`): the action needed, on the state's module unless
    another is named."""

    def mark(handler: F) -> F:
        setattr(handler, _MARK, (module, action))
        return handler

    return mark


def signed_in(handler: F) -> F:
    """Any live login may call it (the own account, logging out)."""
    setattr(handler, _MARK, SIGNED_IN)
    return handler


def optional_login(handler: F) -> F:
    """Open to anyone; the login, if any, is resolved first (the login page)."""
    setattr(handler, _MARK, OPTIONAL)
    return handler


def public(why: str) -> Callable[[F], F]:
    """Open to anyone: say why."""

    def mark(handler: F) -> F:
        setattr(handler, _MARK, PUBLIC)
        handler.__ccms_public_reason__ = why  # type: ignore[attr-defined]
        return handler

    return mark


def requirement(state_cls: type, handler_name: str) -> str | None:
    """What calling `handler_name` on `state_cls` requires: a permission ("assets:edit"),
    SIGNED_IN, OPTIONAL or PUBLIC; None when nothing is declared (refused)."""
    if (state_cls.__name__, handler_name) in _REFLEX_PUBLIC:
        return PUBLIC
    handler = getattr(state_cls, "event_handlers", {}).get(handler_name)
    if handler is None:
        return None
    mark = getattr(handler.fn, _MARK, None)
    if isinstance(mark, str):
        return mark
    if any(cls in _driver_states for cls in state_cls.__mro__):
        # Reflex's generated setvar would let a tab set any of its vars: refused here too
        return None if mark is not None or handler_name == "setvar" else DRIVER
    module, action = mark if mark is not None else (None, Action.VIEW)
    module = module or _module_of(state_cls)
    return None if module is None else permission(module, action)


def _module_of(state_cls: type) -> Module | None:
    for cls in state_cls.__mro__:
        if cls in _state_modules:
            return _state_modules[cls]
    return None
