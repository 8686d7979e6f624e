"""Every bound input of every page tells its state the value when focus leaves it
(`ccms_app/ui/inputs.py`), so a click on Save right after typing never saves the value from
before the last keystrokes. The partners page once lost "12.5" that way (CI, stop 31)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from ccms_app.accounts.gate_marks import public
from ccms_app.ccms_app import app
from ccms_app.ui.inputs import text_area, text_input


class _Form(rx.State):
    value: str = ""

    # Declared like any handler, so the gate enumeration (which sees every state class
    # defined in the process, this one too when both run in one worker) finds it marked.
    @public("a test form's input, never registered on a page")
    @rx.event
    def set_value(self, value: str) -> None:
        self.value = value


def _unflushed(node: Any) -> list[str]:
    """The bound (debounced) inputs under a rendered node that do not flush on blur."""
    found: list[str] = []
    if isinstance(node, list | tuple):
        for child in node:
            found += _unflushed(child)
        return found
    if not isinstance(node, dict):
        return found
    props = [str(prop) for prop in node.get("props") or []]
    name = str(node.get("name", "")).strip('"')
    if name == "DebounceInput" and "forceNotifyOnBlur:true" not in props:
        found.append(next((p for p in props if "data-testid" in p), "an input without testid"))
    for key, value in node.items():
        if key != "props":
            found += _unflushed(value)
    return found


def test_every_bound_input_on_every_page_flushes_on_blur() -> None:
    report: dict[str, list[str]] = {}
    pages = 0
    for route, page in sorted(app._unevaluated_pages.items()):
        component = page.component() if callable(page.component) else page.component
        pages += 1
        if found := _unflushed(component.render()):
            report[f"/{route}"] = found
    assert pages > 50
    assert report == {}


def test_the_check_tells_a_plain_bound_input_from_ours() -> None:
    plain = rx.input(value=_Form.value, on_change=_Form.set_value)
    ours = text_input(value=_Form.value, on_change=_Form.set_value)
    area = text_area(value=_Form.value, on_change=_Form.set_value)
    unbound = text_input(name="search")  # submitted with its form: not debounced at all
    assert _unflushed(plain.render()) == ["an input without testid"]
    assert _unflushed(rx.vstack(ours, area, unbound).render()) == []
    assert "forceNotifyOnBlur" not in str(unbound.render())
