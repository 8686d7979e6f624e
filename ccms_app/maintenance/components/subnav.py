"""The Maintenance pages' links: alarms and work orders first (what a technician needs), then
the event history, reports, plans, staff and the alarm rules."""

from __future__ import annotations

import reflex as rx

from ccms_app.core.i18n import N_
from ccms_app.ui.subnav import SubPage, subnav

SUBPAGES: list[SubPage] = [
    (N_("Overview"), "/maintenance", "layout-dashboard"),
    (N_("Alarms"), "/maintenance/alarms", "siren"),
    (N_("Work orders"), "/maintenance/work-orders", "clipboard-list"),
    (N_("Events"), "/maintenance/events", "history"),
    (N_("Reports"), "/maintenance/reports", "chart-pie"),
    (N_("Plans"), "/maintenance/plans", "calendar-clock"),
    (N_("Staff"), "/maintenance/staff", "hard-hat"),
    (N_("Alarm rules"), "/maintenance/alarm-rules", "list-checks"),
]


def maintenance_subnav(active: str) -> rx.Component:
    """Pills to the Maintenance sub-pages, each label in the tab's language; data-testid
    "maintenance-tab-<last route part>"."""
    return subnav(SUBPAGES, active, "maintenance-tab")
