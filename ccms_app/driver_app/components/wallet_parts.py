"""Small pieces the wallet page's sections share: a titled card, a message line."""

from __future__ import annotations

from typing import Any

import reflex as rx

from ccms_app.ui.i18n import Text


def section(title: Text, *children: rx.Component, testid: str) -> rx.Component:
    """A card with its own heading (h2): one part of the wallet page."""
    return rx.card(
        rx.vstack(
            rx.heading(title, size="3", as_="h2"),
            *children,
            spacing="3",
            width="100%",
            min_width="0",
        ),
        width="100%",
        custom_attrs={"data-testid": testid},
    )


def message(text: Any, tone: str, testid: str, icon: str = "info") -> rx.Component:
    """A callout shown while `text` says something (red ones are alerts)."""
    return rx.cond(
        text != "",
        rx.callout(
            text,
            icon=icon,
            color_scheme=tone,
            size="1",
            width="100%",
            role="alert" if tone == "red" else "status",
            custom_attrs={"data-testid": testid},
        ),
    )


def line(left: rx.Component, right: rx.Component, testid: Any = "") -> rx.Component:
    """A list row: what on the left, an amount on the right; wraps on a narrow phone."""
    attrs = {"data-testid": testid} if testid else {}
    return rx.hstack(
        rx.box(left, flex="1", min_width="0"),
        rx.box(right, text_align="right", flex_shrink="0"),
        width="100%",
        align="start",
        spacing="2",
        padding_y="6px",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        custom_attrs=attrs,
    )
