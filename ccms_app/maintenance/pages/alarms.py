"""Maintenance -> Alarms (/maintenance/alarms): every alarm of the operator's network, the
active ones first shown, newest first.

Filters: status, severity, cause, station, area, assignee ("me", nobody, a person), and a
date range on when the alarm was raised (days in the operator's zone). A row's number
opens the alarm; ticking rows offers "Acknowledge selected" to roles that may edit.
A phone shows one card per alarm; the table scrolls inside its card on a narrow screen.

Test ids: `alarms-*` (the list, see ui/data_list), `alarms-since`, `alarms-until`,
`alarm-select-<id>`, `alarms-acknowledge-selected`, `alarms-selected-count`.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from ccms_app.accounts.state import AuthState
from ccms_app.branding.components.brand import page_title
from ccms_app.maintenance.alarms.listing import STATUS_LABELS
from ccms_app.maintenance.components.alarm_badges import (
    SEVERITY_LABELS,
    severity_badge,
    status_badge,
)
from ccms_app.maintenance.components.day_filter import day_filter
from ccms_app.maintenance.components.subnav import maintenance_subnav
from ccms_app.maintenance.rules.alarm_causes import CAUSE_LABELS
from ccms_app.maintenance.rules.alarm_rules import SEVERITY_ORDER
from ccms_app.maintenance.state.alarms import AlarmListState
from ccms_app.ui.data_list import Column, Filter, RowVar, data_list
from ccms_app.ui.i18n import t, t_var, t_with
from ccms_app.ui.layout import app_shell
from ccms_app.ui.page_header import follow_language, page_header
from ccms_app.ui.permissions import when_allowed

ROUTE = "/maintenance/alarms"
TITLE = page_title("Alarms · Maintenance")
ON_LOAD: list[Any] = [AuthState.require_login, AlarmListState.open_page, AlarmListState.load]

S: Any = AlarmListState


def _tid(value: Any) -> dict[str, Any]:
    return {"data-testid": value}


def _number(row: RowVar) -> rx.Component:
    return rx.hstack(
        when_allowed(
            S.acknowledge_selected,
            rx.checkbox(
                checked=S.selected.contains(row["id"]),
                on_change=lambda checked: S.toggle_selected(row["id"], checked),
                aria_label=t("Select alarm"),
                custom_attrs=_tid("alarm-select-" + row["id"].to(str)),
            ),
        ),
        rx.link(
            "#",
            row["id"],
            href="/maintenance/alarms/" + row["id"].to(str),
            weight="medium",
            custom_attrs=_tid("alarms-link-" + row["id"].to(str)),
        ),
        spacing="2",
        align="center",
    )


def _what(row: RowVar) -> rx.Component:
    return rx.vstack(
        rx.text(t_var(row["cause_text"]), size="2", weight="medium"),
        rx.cond(
            row["what"] != "",
            rx.text(row["what"], size="1", color=rx.color("gray", 11), white_space="normal"),
        ),
        spacing="0",
        max_width="320px",
    )


def _charge_point(row: RowVar) -> rx.Component:
    return rx.vstack(
        rx.link(row["charge_point"], href="/charge-points/" + row["charge_point"].to(str)),
        rx.text(row["connector"], size="1", color=rx.color("gray", 11)),
        spacing="0",
    )


def _columns() -> list[Column]:
    return [
        Column("id", t("Alarm"), render=_number),
        Column("severity", t("Severity"), render=lambda r: severity_badge(r["severity"])),
        Column("status", t("Status"), render=lambda r: status_badge(r["status"])),
        Column("cause", t("Cause"), sortable=False, render=_what),
        Column("charge_point", t("Charge point"), render=_charge_point),
        Column("station", t("Station")),
        Column("code", t("Error code"), sortable=False, on_phone=False),
        Column("occurrences", t("Times")),
        Column("first_raised_at", t("Raised")),
        Column("assignee", t("Assignee")),
        Column("downtime_s", t("Downtime"), render=lambda r: rx.text(r["downtime"], size="2")),
    ]


def _filters() -> list[Filter]:
    return [
        Filter("status", t("Status"), [(k, t(v)) for k, v in STATUS_LABELS.items()]),
        Filter("severity", t("Severity"), [(s, t(SEVERITY_LABELS[s])) for s in SEVERITY_ORDER]),
        Filter("cause", t("Cause"), [(k, t(v)) for k, v in CAUSE_LABELS.items()]),
        Filter("station_id", t("Station"), S.filter_options["station_id"]),
        Filter("area_id", t("Area"), S.filter_options["area_id"]),
        Filter("assignee_account_id", t("Assignee"), S.filter_options["assignee_account_id"]),
    ]


def _bulk_bar() -> rx.Component:
    return rx.cond(
        S.selected_count > 0,
        when_allowed(
            S.acknowledge_selected,
            rx.flex(
                rx.text(
                    t_with("{count} selected", count=S.selected_count),
                    size="2",
                    custom_attrs=_tid("alarms-selected-count"),
                ),
                rx.button(
                    rx.icon("check-check", size=14),
                    t("Acknowledge selected"),
                    on_click=S.acknowledge_selected,
                    custom_attrs=_tid("alarms-acknowledge-selected"),
                ),
                rx.button(t("Clear"), variant="ghost", on_click=S.clear_selected),
                gap="8px",
                align="center",
                wrap="wrap",
                width="100%",
            ),
        ),
    )


def alarm_list() -> rx.Component:
    return rx.vstack(
        _bulk_bar(),
        data_list(
            AlarmListState,
            columns=_columns(),
            filters=_filters(),
            testid="alarms",
            empty_text=t("No alarms: every charger is doing fine."),
            search_placeholder=t("Search charge point, station, code, cause…"),
            toolbar=[
                day_filter(S, "since", t("From"), "alarms"),
                day_filter(S, "until", t("To"), "alarms"),
            ],
        ),
        spacing="3",
        width="100%",
        min_width="0",
    )


def page() -> rx.Component:
    return app_shell(
        "/maintenance",
        page_header(
            t("Alarms"),
            t("Faults, offline chargers, failed starts and more: acknowledge, assign, close."),
        ),
        maintenance_subnav(ROUTE),
        follow_language(S.follow_language),
        alarm_list(),
    )
