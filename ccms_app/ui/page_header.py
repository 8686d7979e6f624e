"""The title row of every page."""

from __future__ import annotations

import reflex as rx


def page_header(title: str, subtitle: str = "", *right: rx.Component) -> rx.Component:
    return rx.flex(
        rx.vstack(
            rx.heading(title, size="6"),
            rx.text(subtitle, size="2", color=rx.color("gray", 11)) if subtitle else rx.fragment(),
            spacing="1",
        ),
        rx.spacer(),
        *right,
        width="100%",
        align="center",
        wrap="wrap",
        spacing="2",
    )


def live_indicator(updated_at: rx.Var) -> rx.Component:
    """Shows the page is live and when the data last changed (UTC)."""
    return rx.hstack(
        rx.box(
            width="8px",
            height="8px",
            border_radius="50%",
            background=rx.color("green", 9),
        ),
        rx.text("Live · updated ", updated_at, size="1", color=rx.color("gray", 11)),
        align="center",
        spacing="2",
        custom_attrs={"data-testid": "live-indicator"},
    )
