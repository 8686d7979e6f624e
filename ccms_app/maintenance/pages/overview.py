"""Maintenance: what needs an operator's look. Built so far: charger data issues (what chargers
sent that could not be applied as sent, docs/data-policy.md) and flagged sessions. Alarms,
faults and work orders come later; the page says so."""

from __future__ import annotations

import reflex as rx

from ccms_app.accounts.state import AuthState
from ccms_app.charging.components.data_issue_list import data_issue_list
from ccms_app.charging.models import SessionStatus
from ccms_app.maintenance.components.subnav import maintenance_subnav
from ccms_app.maintenance.state.overview import DataIssueListState as Issues
from ccms_app.maintenance.state.overview import FlaggedSessionListState as Flagged
from ccms_app.ui.cards import section
from ccms_app.ui.data_list import Column, Filter, data_list
from ccms_app.ui.layout import app_shell
from ccms_app.ui.page_header import page_header

ROUTE = "/maintenance"
TITLE = "Maintenance · CCMS"
ON_LOAD = [AuthState.require_login, Issues.load, Flagged.load]


def _intro(text: str) -> rx.Component:
    return rx.text(text, size="2", color=rx.color("gray", 11))


def data_issues_section() -> rx.Component:
    return section(
        "Charger data issues",
        _intro(
            "What charge points sent that CCMS could not apply as sent: nothing is dropped, "
            "each issue keeps the request. Unresolved issues show as data warnings in Live "
            "Monitoring; resolve them once handled."
        ),
        data_issue_list(
            Issues,
            testid="issues",
            kind_options=Issues.filter_options["kind"],
            empty_text="No data issues: everything the chargers sent could be applied.",
        ),
        right=rx.text(Issues.range_text, size="2", color=rx.color("gray", 11)),
    )


def _flagged_columns() -> list[Column]:
    return [
        Column(
            "id", "Transaction", render=lambda r: rx.text("#", r["id"], size="2", weight="medium")
        ),
        Column(
            "identity",
            "Charge point",
            href=lambda r: "/charge-points/" + r["identity"].to(str),
        ),
        Column("connector_id", "Connector"),
        Column("id_tag", "Id tag"),
        Column("start_time", "Start (UTC)"),
        Column("energy_wh", "Energy", render=lambda r: rx.text(r["energy"], size="2")),
        Column("status", "Status", render=lambda r: rx.badge(r["status"], variant="soft")),
        Column(
            "flag_reason",
            "Flag reason",
            render=lambda r: rx.text(r["flag_reason"], size="2", white_space="normal"),
        ),
    ]


def flagged_sessions_section() -> rx.Component:
    statuses = [(s.value, s.value.capitalize()) for s in SessionStatus]
    return section(
        "Flagged sessions",
        _intro(
            "Sessions the data policy flagged: energy register breaks, corrected charger "
            "times, id tags not accepted at the start, no stop before the next transaction. "
            "Check them before billing."
        ),
        data_list(
            Flagged,
            columns=_flagged_columns(),
            filters=[Filter("status", "Status", statuses)],
            testid="flagged",
            empty_text="No flagged sessions.",
            search_placeholder="Search charge point, id tag or reason…",
        ),
    )


def not_built_yet() -> rx.Component:
    return rx.callout(
        rx.text(
            rx.text.strong("Alarms, faults and work orders are not built yet. "),
            "When built, Maintenance will also plan and track work orders for technicians, "
            "from a phone too.",
        ),
        icon="construction",
        color_scheme="amber",
        size="1",
        width="100%",
        custom_attrs={"data-testid": "not-built"},
    )


def page() -> rx.Component:
    return app_shell(
        ROUTE,
        page_header("Maintenance"),
        maintenance_subnav(ROUTE),
        data_issues_section(),
        flagged_sessions_section(),
        not_built_yet(),
    )
