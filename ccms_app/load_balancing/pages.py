"""Load Balancing module (not built yet)."""

from __future__ import annotations

import reflex as rx

from ccms_app.ui.not_built import not_built_page

ROUTE = "/load-balancing"
TITLE = "Load Balancing · CCMS"


def page() -> rx.Component:
    return not_built_page(
        ROUTE,
        "Load Balancing",
        "share a site's grid connection between its charge points (OCPP charging profiles).",
    )
