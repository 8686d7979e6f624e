"""Status and priority badges of work orders (lists, cards, the technician's page)."""

from __future__ import annotations

from typing import Any

import reflex as rx

STATUS_COLOURS = {
    "open": "blue",
    "assigned": "indigo",
    "in_progress": "amber",
    "on_hold": "gray",
    "resolved": "teal",
    "closed": "green",
}
PRIORITY_COLOURS = {"critical": "red", "high": "orange", "medium": "yellow", "low": "gray"}


def status_badge(status: Any, label: Any, **props: Any) -> rx.Component:
    return rx.badge(
        label,
        color_scheme=rx.match(status, *STATUS_COLOURS.items(), "gray"),
        variant="soft",
        size="2",
        **props,
    )


def priority_badge(priority: Any, label: Any, **props: Any) -> rx.Component:
    return rx.badge(
        label,
        color_scheme=rx.match(priority, *PRIORITY_COLOURS.items(), "gray"),
        variant="outline",
        size="2",
        **props,
    )
