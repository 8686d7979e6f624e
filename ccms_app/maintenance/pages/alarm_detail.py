"""Maintenance -> Alarms -> one alarm (/maintenance/alarms/<id>): what the charger said (OCPP
error code, info, vendor id and code, the readable cause), how often, since when, the
downtime, the timeline of everything done to it, its work orders; and the actions:
acknowledge, assign, comment, close with a reason, reopen, NEVI excluded downtime, create a
work order. Buttons that change something show only to roles holding maintenance:edit.

Test ids: `alarm-summary`, `alarm-status`, `alarm-severity`, `alarm-acknowledge`,
`alarm-assignee`, `alarm-exclusion`, `alarm-comment`, `alarm-comment-add`, `alarm-close`,
`alarm-close-reason`, `alarm-close-confirm`, `alarm-reopen`, `alarm-timeline`,
`alarm-activity-<kind>`, `alarm-work-orders`, `alarm-work-order-new`, `alarm-missing`.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from ccms_app.accounts.state import AuthState
from ccms_app.branding.components.brand import page_title
from ccms_app.maintenance.components.alarm_actions import (
    action_bar,
    close_dialog,
    comment_box,
    work_order_dialog,
)
from ccms_app.maintenance.components.alarm_badges import fact, severity_badge, status_badge
from ccms_app.maintenance.components.subnav import maintenance_subnav
from ccms_app.maintenance.state.alarms_detail import AlarmDetailState
from ccms_app.ui.cards import section
from ccms_app.ui.i18n import t, t_var, t_with
from ccms_app.ui.layout import app_shell
from ccms_app.ui.page_header import follow_language

ROUTE = "/maintenance/alarms/[alarm_id]"
TITLE = page_title("Alarm · Maintenance")
ON_LOAD: list[Any] = [AuthState.require_login, AlarmDetailState.open_page]
LIST_ROUTE = "/maintenance/alarms"

S: Any = AlarmDetailState


def _tid(value: Any) -> dict[str, Any]:
    return {"data-testid": value}


def _header() -> rx.Component:
    a = S.alarm
    return rx.vstack(
        rx.link(t("← Alarms"), href=LIST_ROUTE, size="2"),
        rx.flex(
            rx.heading(t_with("Alarm #{id}", id=a.get("id", "")), size="6"),
            severity_badge(a.get("severity", ""), custom_attrs=_tid("alarm-severity")),
            status_badge(a.get("status", ""), custom_attrs=_tid("alarm-status")),
            gap="8px",
            align="center",
            wrap="wrap",
        ),
        rx.text(
            t_var(a.get("cause_text", "")),
            " · ",
            rx.link(
                a.get("charge_point", ""),
                href="/charge-points/" + a.get("charge_point", "").to(str),
                custom_attrs=_tid("alarm-charge-point"),
            ),
            " · ",
            a.get("connector", ""),
            size="2",
            color=rx.color("gray", 11),
        ),
        spacing="2",
        width="100%",
    )


def _summary() -> rx.Component:
    a = S.alarm
    return rx.card(
        rx.grid(
            fact(t("Readable cause"), a.get("readable_cause", "")),
            fact(t("OCPP error code"), a.get("error_code", "")),
            fact(t("Info"), a.get("info", "")),
            fact(t("Vendor id"), a.get("vendor_id", "")),
            fact(t("Vendor error code"), a.get("vendor_error_code", "")),
            fact(t("Detail"), a.get("detail", "")),
            fact(t("Station"), a.get("station", "")),
            fact(t("Area"), a.get("area", "")),
            fact(t("Occurrences"), a.get("occurrences", ""), "alarm-occurrences"),
            fact(t("Fault started"), a.get("fault_started_at", "")),
            fact(t("Raised"), a.get("first_raised_at", "")),
            fact(t("Last raised"), a.get("last_raised_at", "")),
            fact(t("Acknowledged by"), a.get("acknowledged_by", "")),
            fact(t("Assignee"), a.get("assignee", ""), "alarm-assignee-text"),
            fact(t("Recovered"), a.get("recovered_at", "")),
            fact(t("Closed"), a.get("closed_at", "")),
            fact(t("Closed by"), a.get("closed_by", "")),
            fact(t("Close reason"), a.get("close_reason", ""), "alarm-close-reason-text"),
            fact(t("Downtime"), a.get("downtime", "")),
            fact(t("Excluded from uptime"), t_var(a.get("excluded", ""))),
            columns=rx.breakpoints(initial="1", xs="2", md="3", lg="4"),
            gap="12px",
            width="100%",
        ),
        width="100%",
        custom_attrs=_tid("alarm-summary"),
    )


def _activity(entry: Any) -> rx.Component:
    return rx.hstack(
        rx.box(
            width="8px",
            height="8px",
            border_radius="50%",
            background=rx.color("teal", 9),
            margin_top="6px",
            flex_shrink="0",
        ),
        rx.vstack(
            rx.flex(
                rx.text(t_var(entry["kind_text"]), size="2", weight="medium"),
                rx.text(entry["actor"], " · ", entry["at"], size="1", color=rx.color("gray", 11)),
                gap="8px",
                wrap="wrap",
                align="baseline",
            ),
            rx.cond(
                entry["text"] != "",
                rx.text(entry["text"], size="2", white_space="pre-wrap", overflow_wrap="anywhere"),
            ),
            spacing="0",
            min_width="0",
        ),
        spacing="2",
        align="start",
        width="100%",
        custom_attrs=_tid("alarm-activity-" + entry["kind"].to(str)),
    )


def _timeline() -> rx.Component:
    return section(
        t("Timeline"),
        rx.vstack(
            rx.foreach(S.activity, _activity),
            spacing="3",
            width="100%",
            custom_attrs=_tid("alarm-timeline"),
        ),
        comment_box(),
    )


def _work_order(row: Any) -> rx.Component:
    return rx.flex(
        rx.link(
            "#", row["id"], " ", row["title"], href="/maintenance/work-orders/" + row["id"].to(str)
        ),
        rx.badge(t_var(row["status_text"]), variant="soft"),
        rx.badge(t_var(row["priority_text"]), variant="outline"),
        rx.text(row["created_at"], size="1", color=rx.color("gray", 11)),
        gap="8px",
        align="center",
        wrap="wrap",
        width="100%",
    )


def _work_orders() -> rx.Component:
    return section(
        t("Work orders"),
        rx.cond(
            S.work_orders.length() > 0,
            rx.vstack(rx.foreach(S.work_orders, _work_order), spacing="2", width="100%"),
            rx.text(t("No work order for this alarm yet."), size="2", color=rx.color("gray", 11)),
        ),
        right=rx.box(custom_attrs=_tid("alarm-work-orders")),
    )


def _missing() -> rx.Component:
    return rx.callout(
        t("No such alarm in your organisation."),
        icon="circle-alert",
        color_scheme="red",
        width="100%",
        custom_attrs=_tid("alarm-missing"),
    )


def page() -> rx.Component:
    return app_shell(
        "/maintenance",
        rx.cond(S.missing, rx.heading(t("Alarm"), size="6"), _header()),
        maintenance_subnav(LIST_ROUTE),
        follow_language(S.follow_language),
        rx.cond(
            S.missing,
            _missing(),
            rx.vstack(
                action_bar(),
                _summary(),
                _timeline(),
                _work_orders(),
                close_dialog(),
                work_order_dialog(),
                spacing="4",
                width="100%",
                min_width="0",
            ),
        ),
    )
