"""System module (not built yet)."""

from __future__ import annotations

import reflex as rx

from ccms_app.pages.not_built import not_built_page

ROUTE = "/system"
TITLE = "System · CCMS"


def page() -> rx.Component:
    return not_built_page(
        ROUTE,
        "System",
        "see the OCPP message log, settings and the health of the system.",
    )
