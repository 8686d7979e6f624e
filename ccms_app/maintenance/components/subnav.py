"""The Maintenance pages' links: alarms and work orders first (what a technician needs), then
the event history, reports, plans, staff and the alarm rules."""

from __future__ import annotations

import reflex as rx

from ccms_app.ui.subnav import SubPage, subnav

SUBPAGES: list[SubPage] = [
    ("Overview", "/maintenance", "layout-dashboard"),
    ("Alarms", "/maintenance/alarms", "siren"),
    ("Work orders", "/maintenance/work-orders", "clipboard-list"),
    ("Events", "/maintenance/events", "history"),
    ("Reports", "/maintenance/reports", "chart-pie"),
    ("Plans", "/maintenance/plans", "calendar-clock"),
    ("Staff", "/maintenance/staff", "hard-hat"),
    ("Alarm rules", "/maintenance/alarm-rules", "list-checks"),
]


def maintenance_subnav(active: str) -> rx.Component:
    """Pills to the Maintenance sub-pages; data-testid "maintenance-tab-<last route part>"."""
    return subnav(SUBPAGES, active, "maintenance-tab")
