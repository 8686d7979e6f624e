"""Form pieces the Load Balancing dialogs share: a select over choices with its error, an
on/off switch over a "true"/"false" value, and the delete-with-confirmation row."""

from __future__ import annotations

from typing import Any

import reflex as rx

from ccms_app.ui.dialogs import choice_select, keyed_error, labelled, tid
from ccms_app.ui.i18n import Text, t
from ccms_app.ui.permissions import when_allowed


def select_field(
    state: Any, name: str, label: Text, choices: Any, testid: str, placeholder: Text | None = None
) -> rx.Component:
    """A labelled select over `state.values[name]`; data-testid `<testid>-<name>`. A fixed
    list of (value, label) has its labels marked N_ where it is defined: shown with `t`."""
    if isinstance(choices, list | tuple):
        choices = [(value, t(text)) for value, text in choices]
    return labelled(
        label,
        choice_select(
            state.values[name],
            choices,
            lambda value: state.set_value(name, value),
            placeholder,
            f"{testid}-{name}",
        ),
        keyed_error(state.errors, name, f"{testid}-{name}-error"),
    )


def switch_field(state: Any, name: str, label: Text, testid: str) -> rx.Component:
    return rx.hstack(
        rx.switch(
            checked=state.values[name] == "true",
            on_change=lambda on: state.set_value(name, rx.cond(on, "true", "false")),
            custom_attrs=tid(f"{testid}-{name}"),
        ),
        rx.text(label, size="2"),
        spacing="2",
        align="center",
    )


def delete_row(state: Any, question: Text, testid: str) -> rx.Component:
    """Delete, then `question` ("Really delete this plan?") with Yes / No (for roles that
    may)."""
    return when_allowed(
        state.delete,
        rx.cond(
            state.confirm_delete,
            rx.flex(
                rx.text(question, size="2"),
                rx.button(
                    t("Yes, delete"),
                    color_scheme="red",
                    size="1",
                    on_click=state.delete,
                    loading=state.busy,
                    custom_attrs=tid(f"{testid}-delete-confirm"),
                ),
                rx.button(
                    t("No"),
                    variant="soft",
                    color_scheme="gray",
                    size="1",
                    on_click=state.set_confirm_delete(False),
                ),
                gap="8px",
                wrap="wrap",
                align="center",
            ),
            rx.button(
                t("Delete"),
                color_scheme="red",
                variant="soft",
                size="1",
                type="button",
                on_click=state.set_confirm_delete(True),
                custom_attrs=tid(f"{testid}-delete"),
            ),
        ),
    )


def fields_grid(*fields: rx.Component) -> rx.Component:
    """Form fields side by side on a desk, one under the other on a phone."""
    return rx.grid(
        *fields,
        columns=rx.breakpoints(initial="1", sm="2"),
        gap="12px",
        width="100%",
    )
