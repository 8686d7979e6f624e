"""Text inputs and text areas bound to a state (`value` + `on_change`).

Reflex wraps a bound input in a debounced one that tells the state only after 300 ms without
typing. A click that follows sooner (Save right after the last keystroke) would then reach the
server before the last keystrokes do, and save the old value. These inputs also tell the state
the moment focus leaves them, which is what a click on a button does first, so the click's
event always comes after the value it needs. Use them instead of `rx.input` / `rx.text_area`
(`tests/ui/test_inputs_flush_on_blur.py` walks every page for one that does not).

So the value arrives on the mousedown of that click, before its mouseup. A state must not let
it remove a message then (the field's error, the form's message): the message sits above the
button, which would move up under the pointer, and the click would be lost. A message about a
typed field stays until the next save (which sets them all anew); a select, switch or button
may clear its own, its change arrives well before the next click.
"""

from __future__ import annotations

from typing import Any

import reflex as rx


def _flushed(props: dict[str, Any]) -> dict[str, Any]:
    """Bound inputs flush on blur; an unbound one is not debounced and takes no such prop."""
    if props.get("value") is not None and props.get("on_change") is not None:
        return {"force_notify_on_blur": True, **props}
    return props


def text_input(*children: rx.Component, **props: Any) -> rx.Component:
    """`rx.input`, telling the state its value when focus leaves it."""
    return rx.input(*children, **_flushed(props))


def text_area(*children: rx.Component, **props: Any) -> rx.Component:
    """`rx.text_area`, telling the state its value when focus leaves it."""
    return rx.text_area(*children, **_flushed(props))
