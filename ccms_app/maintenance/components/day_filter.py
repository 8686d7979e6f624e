"""A From / To day above a Maintenance list (alarms, events): a day in the operator's zone
(from its local midnight to the next); clearing it drops the bound. The list state's
`set_date(key, value)` narrows the list."""

from __future__ import annotations

from typing import Any

import reflex as rx

from ccms_app.ui.i18n import Text
from ccms_app.ui.inputs import text_input


def day_filter(state: Any, key: str, label: Text, test_prefix: str) -> rx.Component:
    """The day input for `state.filters[key]`; test id `<test_prefix>-<key>`."""
    return rx.hstack(
        rx.text(label, size="1", color=rx.color("gray", 11)),
        text_input(
            type="date",
            value=state.filters.get(key, "").to(str),
            on_change=lambda value: state.set_date(key, value),
            size="2",
            custom_attrs={"data-testid": f"{test_prefix}-{key}"},
        ),
        align="center",
        spacing="1",
    )
