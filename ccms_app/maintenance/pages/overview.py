"""Maintenance overview: a technician's own work orders first, then the open alarms (live, from
the alarm bell's shared state), charger data issues (what chargers sent that could not be
applied as sent, docs/data-policy.md) and flagged sessions."""

from __future__ import annotations

import reflex as rx
from reflex.vars import ObjectVar

from ccms_app.accounts.state import AuthState
from ccms_app.branding.components.brand import page_title
from ccms_app.charging.components.data_issue_list import data_issue_list
from ccms_app.charging.models import SessionStatus
from ccms_app.core.i18n import N_
from ccms_app.maintenance.components.subnav import maintenance_subnav
from ccms_app.maintenance.components.work_order_mine import my_work_orders_section
from ccms_app.maintenance.notifications.rules.bell_view import BellCounts
from ccms_app.maintenance.notifications.state import AlarmToastState
from ccms_app.maintenance.state.overview import DataIssueListState as Issues
from ccms_app.maintenance.state.overview import FlaggedSessionListState as Flagged
from ccms_app.maintenance.state.work_orders import MyWorkOrdersState
from ccms_app.ui.cards import section
from ccms_app.ui.data_list import Column, Filter, data_list
from ccms_app.ui.i18n import Text, t
from ccms_app.ui.layout import app_shell
from ccms_app.ui.page_header import follow_language, page_header

ROUTE = "/maintenance"
TITLE = page_title("Maintenance")
ON_LOAD = [AuthState.require_login, MyWorkOrdersState.load, Issues.load, Flagged.load]
SESSION_STATUS_LABELS = {
    SessionStatus.ACTIVE: N_("Active"),
    SessionStatus.REFUSED: N_("Refused"),
    SessionStatus.COMPLETED: N_("Completed"),
}


def _intro(text: Text) -> rx.Component:
    return rx.text(text, size="2", color=rx.color("gray", 11))


def data_issues_section() -> rx.Component:
    return section(
        t("Charger data issues"),
        _intro(
            t(
                "What charge points sent that CCMS could not apply as sent: nothing is dropped, "
                "each issue keeps the request. Unresolved issues show as data warnings in Live "
                "Monitoring; resolve them once handled."
            )
        ),
        data_issue_list(
            Issues,
            testid="issues",
            kind_options=Issues.filter_options["kind"],
            empty_text=t("No data issues: everything the chargers sent could be applied."),
            search_placeholder=t("Search charge point or detail…"),
        ),
        right=rx.text(Issues.range_text, size="2", color=rx.color("gray", 11)),
    )


def _flagged_columns() -> list[Column]:
    return [
        Column(
            "id",
            t("Transaction"),
            render=lambda r: rx.text("#", r["id"], size="2", weight="medium"),
        ),
        Column(
            "identity",
            t("Charge point"),
            href=lambda r: "/charge-points/" + r["identity"].to(str),
        ),
        Column("connector_id", t("Connector")),
        Column("id_tag", t("Id tag")),
        Column("start_time", t("Start")),
        Column("energy_wh", t("Energy"), render=lambda r: rx.text(r["energy"], size="2")),
        Column("status", t("Status"), render=lambda r: rx.badge(r["status"], variant="soft")),
        Column(
            "flag_reason",
            t("Flag reason"),
            render=lambda r: rx.text(r["flag_reason"], size="2", white_space="normal"),
        ),
    ]


def flagged_sessions_section() -> rx.Component:
    statuses = [(s.value, t(SESSION_STATUS_LABELS[s])) for s in SessionStatus]
    return section(
        t("Flagged sessions"),
        _intro(
            t(
                "Sessions the data policy flagged: energy register breaks, corrected charger "
                "times, id tags not accepted at the start, no stop before the next transaction. "
                "Check them before billing."
            )
        ),
        data_list(
            Flagged,
            columns=_flagged_columns(),
            filters=[Filter("status", t("Status"), statuses)],
            testid="flagged",
            empty_text=t("No flagged sessions."),
            search_placeholder=t("Search charge point, id tag or reason…"),
        ),
    )


def _count(label: Text, value: rx.Var, colour: str, testid: str) -> rx.Component:
    return rx.box(
        rx.text(label, size="1", color=rx.color("gray", 11)),
        rx.text(value, size="6", weight="bold", color=rx.color(colour, 11)),
        padding="8px 12px",
        border_radius="8px",
        background=rx.color(colour, 2),
        min_width="90px",
        custom_attrs={"data-testid": testid},
    )


def open_alarms_section() -> rx.Component:
    """Open alarms by severity, pushed live by the alarm bell's shared state (the alarms this
    login's role is told about)."""
    counts = AlarmToastState.counts.to(ObjectVar, BellCounts)
    return section(
        t("Open alarms"),
        rx.flex(
            _count(t("Critical"), counts.critical, "red", "open-critical"),
            _count(t("Major"), counts.major, "orange", "open-major"),
            _count(t("Minor"), counts.minor, "amber", "open-minor"),
            _count(t("Warning"), counts.warning, "gray", "open-warning"),
            gap="8px",
            wrap="wrap",
        ),
        rx.link(t("See all open alarms"), href="/maintenance/alarms", size="2"),
        right=rx.text(t("live"), size="1", color=rx.color("gray", 10)),
    )


def page() -> rx.Component:
    return app_shell(
        ROUTE,
        page_header(t("Maintenance")),
        maintenance_subnav(ROUTE),
        follow_language(MyWorkOrdersState.follow_language),
        my_work_orders_section(),
        open_alarms_section(),
        data_issues_section(),
        flagged_sessions_section(),
    )
