"""Finance module (not built yet)."""

from __future__ import annotations

import reflex as rx

from ccms_app.ui.not_built import not_built_page

ROUTE = "/finance"
TITLE = "Finance · CCMS"


def page() -> rx.Component:
    return not_built_page(
        ROUTE,
        "Finance",
        "set tariffs, bill charging sessions and follow payments.",
    )
