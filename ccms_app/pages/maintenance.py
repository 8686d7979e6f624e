"""Maintenance module (not built yet)."""

from __future__ import annotations

import reflex as rx

from ccms_app.pages.not_built import not_built_page

ROUTE = "/maintenance"
TITLE = "Maintenance · CCMS"


def page() -> rx.Component:
    return not_built_page(
        ROUTE,
        "Maintenance",
        "plan and track work orders for technicians, also from a phone.",
    )
