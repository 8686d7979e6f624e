"""Form pieces every module's dialogs share: a field's error under it, the form's own
message, and an uncontrolled input submitted with its form.

A form state has `errors: dict[str, str]` (field -> why) and `message: str` (why the whole
form was refused), both set anew by each save, not cleared by typing (`ui.inputs` says why);
`testid` prefixes every data-testid.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from ccms_app.ui.i18n import Text, has_text
from ccms_app.ui.inputs import text_input


def field_error(state: Any, name: str, testid: str) -> rx.Component:
    """The error of one field, under it."""
    return rx.cond(
        state.errors.contains(name),
        rx.text(
            state.errors[name],
            size="1",
            color=rx.color("red", 11),
            custom_attrs={"data-testid": f"{testid}-{name}-error"},
        ),
    )


def field_label(text: Text, html_for: str, size: str = "2", **props: Any) -> rx.Component:
    """A label tied to the control with id `html_for`, so a screen reader names the control
    and a tap on the label focuses it. (`rx.text(as_="label", html_for=...)` does not do
    that: Reflex turns the unknown `html_for` of a Text into a CSS property.)"""
    return rx.el.label(
        rx.text(text, size=size, weight="medium", **props), html_for=html_for, width="100%"
    )


def form_input(
    state: Any,
    name: str,
    label: Text,
    testid: str,
    *,
    type_: str = "text",
    hint: Text = "",
    auto_complete: str = "off",
) -> rx.Component:
    """An uncontrolled input submitted with its form (`name`), labelled, with its error.
    No `id`: Reflex would submit the value a second time under it."""
    return rx.vstack(
        rx.el.label(
            rx.text(label, size="2", weight="medium"),
            text_input(
                name=name,
                type=type_,
                auto_complete=auto_complete,
                width="100%",
                color_scheme=rx.cond(state.errors.contains(name), "red", "gray"),
                custom_attrs={"data-testid": f"{testid}-{name}"},
            ),
            display="flex",
            flex_direction="column",
            gap="4px",
            width="100%",
        ),
        rx.text(hint, size="1", color=rx.color("gray", 10)) if has_text(hint) else rx.fragment(),
        field_error(state, name, testid),
        spacing="1",
        width="100%",
    )


def form_message(state: Any, testid: str) -> rx.Component:
    """Why the whole form was refused (not one field's fault)."""
    return rx.cond(
        state.message != "",
        rx.callout(
            state.message,
            icon="triangle-alert",
            color_scheme="red",
            size="1",
            width="100%",
            custom_attrs={"data-testid": f"{testid}-message"},
        ),
    )
