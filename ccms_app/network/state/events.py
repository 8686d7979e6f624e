"""`event` / `background_event`: Reflex's `rx.event` decorator, typed so mypy sees what the
page code calls.

At runtime `rx.event` returns the function (the state metaclass makes it an EventHandler) and
its stub declares, through an overloaded `__new__`, an `EventCallback` carrying the handler's
argument types. mypy ignores a `__new__` whose return type is not the class itself, so it
types every handler as `EventNamespace`, and `State.handler(arg)` in a component becomes
"not callable". These aliases declare the same signature as plain functions, which mypy
honours; at runtime they are `rx.event` and `rx.event(background=True)` themselves.

(The same alias as ccms_app.drivers.state.events: both belong in ccms_app/ui/ as one.)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVarTuple

import reflex as rx

_Args = TypeVarTuple("_Args")

if TYPE_CHECKING:
    from reflex.event import EventCallback

    def event(handler: Callable[[Any, *_Args], Any], /) -> EventCallback[*_Args]:
        """rx.event, as its stub means it."""
        ...

    def background_event(handler: Callable[[Any, *_Args], Any], /) -> EventCallback[*_Args]:
        """rx.event(background=True), as its stub means it."""
        ...

else:
    event = rx.event
    background_event = rx.event(background=True)
