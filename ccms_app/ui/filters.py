"""The filter bar controls of report and dashboard pages (Analytics, Maintenance reports): a
small label above a date input or a select with "All", the error under it. Side by side
from tablet width up, two or one to a row on a phone. Labels are text or Vars (`t("...")`)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from ccms_app.ui.i18n import Text, t, t_with
from ccms_app.ui.inputs import text_input

ALL = "all"  # a select item cannot have an empty value: this one means "no filter"
HALF_ON_PHONE = ["calc(50% - 6px)", "calc(50% - 6px)", "160px"]
FULL_ON_PHONE = ["100%", "100%", "190px"]


def filter_label(text: Text) -> rx.Component:
    return rx.text(text, size="1", color=rx.color("gray", 11))


def filter_note(*children: Any) -> rx.Component:
    return rx.text(*children, size="1", color=rx.color("gray", 10))


def filter_error(errors: Any, key: str, testid: str = "") -> rx.Component:
    """`errors[key]` in red when the state's errors dict holds it."""
    attrs = {"data-testid": testid} if testid else {}
    return rx.cond(
        errors.contains(key),
        rx.text(errors.get(key, ""), size="1", color=rx.color("red", 11), custom_attrs=attrs),
    )


def labelled_filter(label: Text, control: rx.Component, width: Any = "auto") -> rx.Component:
    return rx.vstack(filter_label(label), control, spacing="1", width=width)


def date_filter(
    label: Text,
    value: Any,
    on_change: Any,
    testid: str,
    error: rx.Component | None = None,
    width: Any = HALF_ON_PHONE,
) -> rx.Component:
    """A date input (the browser's picker); `error` under it."""
    control = text_input(
        type="date",
        value=value,
        on_change=on_change,
        width="100%",
        aria_label=t_with("{label} date", label=label),
        custom_attrs={"data-testid": testid},
    )
    return rx.vstack(
        filter_label(label), control, *([error] if error is not None else []), spacing="1",
        width=width,
    )  # fmt: skip


def select_filter(
    label: Text,
    value: Any,
    options: Any,
    on_change: Any,
    testid: str,
    error: rx.Component | None = None,
    width: Any = FULL_ON_PHONE,
) -> rx.Component:
    """A select of [[value, label], ...] with "All" (ALL) first; the test id is on the
    trigger, the part a person (or a browser test) clicks."""
    control = rx.select.root(
        rx.select.trigger(placeholder=label, width="100%", custom_attrs={"data-testid": testid}),
        rx.select.content(
            rx.select.item(t("All"), value=ALL),
            rx.foreach(options, lambda o: rx.select.item(o[1], value=o[0])),
        ),
        value=value,
        on_change=on_change,
    )
    return rx.vstack(
        filter_label(label), control, *([error] if error is not None else []), spacing="1",
        width=width,
    )  # fmt: skip
