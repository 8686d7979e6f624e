"""Dialog pieces every module shares: a dialog that fits a 360 px phone, its body, the
Cancel / submit button row, labelled fields with their error, a select over [value, label]
pairs, and the one-line notices a dialog shows after a refusal or a result.

`testid` arguments are the full data-testid (tests address the elements by them).
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from ccms_app.ui.form_fields import field_error
from ccms_app.ui.i18n import Text, t, t_var
from ccms_app.ui.inputs import text_input

DIALOG_WIDTH = "calc(100vw - 24px)"  # a 360 px phone keeps a margin


def tid(*parts: Any) -> dict[str, Any]:
    """`custom_attrs` for a data-testid joined from parts with "-" (parts may be Vars)."""
    value: Any = parts[0]
    for part in parts[1:]:
        value = value + "-" + part
    return {"data-testid": value}


def choice_select(
    value: Any,
    choices: Any,
    on_change: Any,
    placeholder: Text | None,
    testid: str,
    **root: Any,
) -> rx.Component:
    """A select over [value, label] pairs: a Var held in the state (bounded by the use case)
    or a fixed list of (value, label) tuples."""
    if isinstance(choices, list | tuple):
        items = rx.select.content(*[rx.select.item(text, value=key) for key, text in choices])
    else:
        items = rx.select.content(
            rx.foreach(choices, lambda choice: rx.select.item(t_var(choice[1]), value=choice[0]))
        )
    trigger = {"placeholder": placeholder} if placeholder is not None else {}
    return rx.select.root(
        rx.select.trigger(width="100%", custom_attrs=tid(testid), **trigger),
        items,
        value=value,
        on_change=on_change,
        **root,
    )


def labelled(label: Text, control: rx.Component, error: Any = None) -> rx.Component:
    """A caption over a control that is no form input (a select, a picker), then its error."""
    return rx.vstack(
        rx.text(label, size="2", weight="medium"),
        control,
        error if error is not None else rx.fragment(),
        spacing="1",
        width="100%",
        min_width="0",
    )


def form_field(
    label: Any, control: rx.Component, error: Any = None, hint: Any = ""
) -> rx.Component:
    """A <label> around caption and input (a click on the caption focuses it), a hint under
    it when there is one, then its error."""
    shows_hint = not (isinstance(hint, str) and hint == "")
    return rx.vstack(
        rx.el.label(
            rx.text(label, size="2", weight="medium"),
            control,
            display="flex",
            flex_direction="column",
            gap="4px",
            width="100%",
        ),
        rx.text(hint, size="1", color=rx.color("gray", 10)) if shows_hint else rx.fragment(),
        error if error is not None else rx.fragment(),
        spacing="1",
        width="100%",
        min_width="0",
    )


def value_input(
    state: Any, name: str, label: Text, testid: str, hint: Text = "", **props: Any
) -> rx.Component:
    """A labelled input over a form state's `values[name]` (set through `set_value`), red
    while `errors` holds the field; data-testids `<testid>-<name>` and `<testid>-<name>-error`."""
    return form_field(
        label,
        text_input(
            value=state.values[name],
            on_change=lambda value: state.set_value(name, value),
            width="100%",
            color_scheme=rx.cond(state.errors.contains(name), "red", "gray"),
            custom_attrs=tid(f"{testid}-{name}"),
            **props,
        ),
        field_error(state, name, testid),
        hint,
    )


def keyed_error(errors: Any, name: str, testid: str) -> rx.Component:
    """The error `errors[name]` of a dict of field errors, under its field (data-testid
    `testid`); `ui.form_fields.field_error` is this for a state's own `errors`."""
    return rx.cond(
        errors.contains(name),
        rx.text(errors[name], size="1", color=rx.color("red", 11), custom_attrs=tid(testid)),
    )


def error_text(text: Any, testid: str) -> rx.Component:
    """A refusal in one line of red text, shown while there is one."""
    return rx.cond(
        text != "",
        rx.text(text, size="2", color=rx.color("red", 11), custom_attrs=tid(testid)),
    )


def notice(text: Any, testid: str, done: bool = False) -> rx.Component:
    """A callout while `text` is set: red for a refusal, green (`done`) for a result."""
    return rx.cond(
        text != "",
        rx.callout(
            text,
            icon="check" if done else "triangle-alert",
            color_scheme="green" if done else "red",
            size="1",
            width="100%",
            custom_attrs=tid(testid),
        ),
    )


def dialog_buttons(
    cancel: Any,
    submit_label: Text,
    busy: Any,
    testid: str,
    cancel_label: Text | None = None,
    **submit: Any,
) -> rx.Component:
    """Cancel (its event, or None: it just closes the dialog), then the button that does the
    work (data-testid `testid`); they wrap on a narrow phone."""
    cancel_button = rx.button(
        t("Cancel") if cancel_label is None else cancel_label,
        type="button",
        variant="soft",
        color_scheme="gray",
        **({"on_click": cancel} if cancel is not None else {}),
    )
    return rx.flex(
        cancel_button if cancel is not None else rx.dialog.close(cancel_button),
        rx.button(submit_label, loading=busy, custom_attrs=tid(testid), **submit),
        justify="end",
        gap="8px",
        wrap="wrap",
        width="100%",
    )


def dialog_body(*children: rx.Component, spacing: str = "3") -> rx.Component:
    """The column under a dialog's title and description."""
    return rx.vstack(*children, spacing=spacing, width="100%", margin_top="12px")


def dialog(
    is_open: Any,
    on_open_change: Any,
    title: Any,
    *body: rx.Component,
    description: Any = None,
    testid: str | None = None,
    max_width: str = "480px",
) -> rx.Component:
    """A dialog as wide as `max_width` allows and never wider than the screen; it scrolls
    when taller than the screen."""
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(title, size="4"),
            rx.dialog.description(description, size="2")
            if description is not None
            else rx.fragment(),
            *body,
            max_width=max_width,
            width=DIALOG_WIDTH,
            max_height="calc(100dvh - 24px)",
            overflow_y="auto",
            padding=["16px", "24px"],
            custom_attrs=tid(testid) if testid is not None else {},
        ),
        open=is_open,
        on_open_change=on_open_change,
    )
