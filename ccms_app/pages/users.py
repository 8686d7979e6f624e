"""Users module (not built yet)."""

from __future__ import annotations

import reflex as rx

from ccms_app.pages.not_built import not_built_page

ROUTE = "/users"
TITLE = "Users · CCMS"


def page() -> rx.Component:
    return not_built_page(
        ROUTE,
        "Users",
        "manage drivers, RFID cards and operator accounts.",
    )
