"""The page of a module that is not built yet: it says so, and shows no made-up data."""

from __future__ import annotations

import reflex as rx

from ccms_app.ui.layout import app_shell
from ccms_app.ui.page_header import page_header


def not_built_page(route: str, title: str, purpose: str) -> rx.Component:
    return app_shell(
        route,
        page_header(title),
        rx.callout(
            rx.text(
                rx.text.strong(f"{title} is not built yet. "),
                "This module has no data or functions in this version of CCMS.",
            ),
            icon="construction",
            color_scheme="amber",
            size="2",
            custom_attrs={"data-testid": "not-built"},
        ),
        rx.text("When built, it will let you: ", purpose, size="2", color=rx.color("gray", 11)),
    )
