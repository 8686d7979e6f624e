"""Dialog pieces the System sections share: a dialog that fits a phone, a labelled select
over the [value, label] pairs a state holds, and the Cancel / submit button row."""

from __future__ import annotations

from typing import Any

import reflex as rx

DIALOG_WIDTH = "calc(100vw - 24px)"  # a 360 px phone keeps a margin


def _tid(value: Any) -> dict[str, Any]:
    return {"data-testid": value}


def choice_select(
    value: Any, choices: Any, on_change: Any, placeholder: str, testid: str
) -> rx.Component:
    """A select over [value, label] pairs held in the state (bounded by the use case)."""
    return rx.select.root(
        rx.select.trigger(placeholder=placeholder, width="100%", custom_attrs=_tid(testid)),
        rx.select.content(
            rx.foreach(choices, lambda choice: rx.select.item(choice[1], value=choice[0]))
        ),
        value=value,
        on_change=on_change,
    )


def labelled(label: str, control: rx.Component) -> rx.Component:
    return rx.vstack(rx.text(label, size="2", weight="medium"), control, spacing="1", width="100%")


def dialog_buttons(
    cancel: Any, submit_label: str, busy: Any, testid: str, **submit: Any
) -> rx.Component:
    """Cancel, then the button that does the work (`-submit` test id)."""
    return rx.flex(
        rx.button("Cancel", type="button", variant="soft", color_scheme="gray", on_click=cancel),
        rx.button(submit_label, loading=busy, custom_attrs=_tid(f"{testid}-submit"), **submit),
        justify="end",
        gap="8px",
        width="100%",
    )


def dialog(is_open: Any, on_open_change: Any, title: Any, *body: rx.Component) -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(title, size="4"),
            *body,
            max_width="480px",
            width=DIALOG_WIDTH,
            padding=["16px", "24px"],
        ),
        open=is_open,
        on_open_change=on_open_change,
    )
