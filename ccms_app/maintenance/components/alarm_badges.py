"""Small pieces the Alarms pages share: severity and status badges, a labelled fact."""

from __future__ import annotations

from typing import Any

import reflex as rx

from ccms_app.core.i18n import N_
from ccms_app.maintenance.state.alarms_rows import SEVERITY_COLOURS, STATUS_COLOURS
from ccms_app.ui.i18n import Text, t_var

# A severity as a filter or a choice names it (the catalog's message ids).
SEVERITY_LABELS: dict[str, str] = {
    "critical": N_("Critical"),
    "major": N_("Major"),
    "minor": N_("Minor"),
    "warning": N_("Warning"),
}
# A badge shows the stored value (lowercase) in the tab's language: these are its messages.
BADGE_WORDS = (
    N_("critical"),
    N_("major"),
    N_("minor"),
    N_("warning"),
    N_("open"),
    N_("acknowledged"),
    N_("closed"),
)


def severity_badge(severity: Any, **props: Any) -> rx.Component:
    return rx.badge(
        t_var(severity),
        color_scheme=rx.match(severity, *SEVERITY_COLOURS.items(), "gray"),
        variant="solid",
        **props,
    )


def status_badge(status: Any, **props: Any) -> rx.Component:
    return rx.badge(
        t_var(status),
        color_scheme=rx.match(status, *STATUS_COLOURS.items(), "gray"),
        variant="soft",
        **props,
    )


def fact(label: Text, value: Any, testid: str = "") -> rx.Component:
    """A caption over a value that wraps on a narrow phone ("—" when empty)."""
    attrs = {"data-testid": testid} if testid else {}
    return rx.vstack(
        rx.text(label, size="1", color=rx.color("gray", 11)),
        rx.text(
            rx.cond(value == "", "—", value),
            size="2",
            overflow_wrap="anywhere",
            custom_attrs=attrs,
        ),
        spacing="0",
        min_width="0",
    )
