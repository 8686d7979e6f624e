"""Assets module (not built yet)."""

from __future__ import annotations

import reflex as rx

from ccms_app.pages.not_built import not_built_page

ROUTE = "/assets"
TITLE = "Assets · CCMS"


def page() -> rx.Component:
    return not_built_page(
        ROUTE,
        "Assets",
        "manage stations, charge points, connectors and their registration.",
    )
