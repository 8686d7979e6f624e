"""Maintenance -> Work orders -> one work order: the technician's page. One column on a
360 px phone (one-handed: claim, start, note, photo, resolve), two on a desk; the charge
point, station and alarm linked; remote commands with their lifecycle; the timeline."""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.vars import ObjectVar

from ccms_app.accounts.state import AuthState
from ccms_app.branding.components.brand import page_title
from ccms_app.maintenance.components.subnav import maintenance_subnav
from ccms_app.maintenance.components.work_order_badges import priority_badge, status_badge
from ccms_app.maintenance.components.work_order_remote import remote_commands
from ccms_app.maintenance.components.work_order_work import work_tools
from ccms_app.maintenance.state.work_orders_commands import WorkOrderCommandState
from ccms_app.maintenance.state.work_orders_detail import WorkOrderDetailState as D
from ccms_app.ui.i18n import Text, t, t_var, t_with
from ccms_app.ui.layout import app_shell
from ccms_app.ui.page_header import follow_language

ROUTE = "/maintenance/work-orders/[work_order_id]"
LIST_ROUTE = "/maintenance/work-orders"
TITLE = page_title("Work order")
ON_LOAD = [AuthState.require_login, D.load, WorkOrderCommandState.load]


def _fact(label: Text, value: rx.Component | rx.Var | str, testid: str) -> rx.Component:
    return rx.cond(
        value != "" if isinstance(value, rx.Var) else True,
        rx.hstack(
            rx.text(label, size="2", color=rx.color("gray", 11), min_width="96px"),
            rx.box(value, min_width="0", overflow_wrap="anywhere", flex="1"),
            width="100%",
            align="start",
            custom_attrs={"data-testid": testid},
        ),
    )


def _card(title: Text, *children: rx.Component) -> rx.Component:
    return rx.card(
        rx.vstack(rx.heading(title, size="3"), *children, spacing="3", width="100%"),
        width="100%",
        min_width="0",
    )


def _head() -> rx.Component:
    wo: Any = D.wo
    return rx.vstack(
        rx.link(
            rx.hstack(rx.icon("arrow-left", size=16), rx.text(t("Work orders")), spacing="1"),
            href=LIST_ROUTE,
            size="2",
        ),
        rx.heading("#", wo["id"], " ", wo["title"], size="5", overflow_wrap="anywhere"),
        rx.hstack(
            status_badge(
                wo["status"],
                t_var(wo["status_text"]),
                custom_attrs={"data-testid": "work-order-status"},
            ),
            priority_badge(wo["priority"], t_var(wo["priority_text"])),
            rx.cond(wo["overdue"] != "", rx.badge(t("overdue"), color_scheme="red", size="2")),
            spacing="2",
            wrap="wrap",
        ),
        spacing="2",
        width="100%",
    )


def _facts() -> rx.Component:
    wo: Any = D.wo
    return _card(
        t("Where and when"),
        _fact(
            t("Charge point"),
            rx.hstack(
                rx.link(wo["charge_point"], href="/charge-points/" + wo["charge_point"].to(str)),
                rx.badge(t_var(wo["online"]), variant="soft"),
                spacing="2",
                wrap="wrap",
            ),
            "work-order-cp",
        ),
        _fact(t("Connector"), wo["connector"], "work-order-connector"),
        _fact(
            t("Station"),
            rx.link(wo["station"], href="/stations/" + wo["station_id"].to(str)),
            "work-order-station",
        ),
        rx.cond(
            wo["alarm_id"] != "",
            _fact(
                t("Alarm"),
                rx.link(wo["alarm_text"], href="/maintenance/alarms/" + wo["alarm_id"].to(str)),
                "work-order-alarm",
            ),
        ),
        _fact(
            t("Assignee"),
            rx.text(rx.cond(wo["assignee"] != "", wo["assignee"], t("nobody"))),
            "work-order-assignee",
        ),
        _fact(t("Due"), wo["due"], "work-order-due"),
        _fact(t("Created"), wo["created"], "work-order-created"),
        _fact(t("Started"), wo["started"], "work-order-started"),
        _fact(t("Resolved"), wo["resolved"], "work-order-resolved"),
        _fact(t("Verified"), wo["verified"], "work-order-verified"),
        _fact(t("Closed"), wo["closed"], "work-order-closed"),
        _fact(t("Time spent"), wo["time_spent"], "work-order-time"),
        rx.text(t_with("Times in {zone}", zone=wo["zone"]), size="1", color=rx.color("gray", 10)),
        rx.cond(
            wo["description"] != "",
            rx.text(wo["description"], size="2", white_space="pre-wrap", overflow_wrap="anywhere"),
        ),
        rx.cond(
            wo["resolution"] != "",
            rx.callout(wo["resolution"], icon="circle-check", color_scheme="green", size="1"),
        ),
    )


def _entry(row: ObjectVar[dict[str, str]]) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.badge(t_var(row["kind"]), variant="soft"),
            rx.text(row["at"], size="1", color=rx.color("gray", 10)),
            rx.text(row["who"], size="1", color=rx.color("gray", 10), overflow_wrap="anywhere"),
            spacing="2",
            wrap="wrap",
        ),
        rx.cond(row["move"] != "", rx.text(row["move"], size="2", weight="medium")),
        rx.cond(
            row["text"] != "",
            rx.text(row["text"], size="2", white_space="pre-wrap", overflow_wrap="anywhere"),
        ),
        spacing="1",
        width="100%",
        padding_bottom="8px",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        custom_attrs={"data-testid": "work-order-event"},
    )


def _timeline() -> rx.Component:
    return _card(t("Timeline"), rx.foreach(D.events, _entry))


def _found() -> rx.Component:
    return rx.vstack(
        _head(),
        rx.grid(
            rx.vstack(
                _card(t("Work"), work_tools()),
                _card(t("Remote commands"), remote_commands()),
                spacing="4",
                width="100%",
                min_width="0",
            ),
            rx.vstack(_facts(), _timeline(), spacing="4", width="100%", min_width="0"),
            columns=rx.breakpoints(initial="minmax(0, 1fr)", lg="minmax(0, 1fr) minmax(0, 1fr)"),
            spacing="4",
            width="100%",
        ),
        spacing="4",
        width="100%",
        min_width="0",
    )


def page() -> rx.Component:
    return app_shell(
        LIST_ROUTE,
        maintenance_subnav(LIST_ROUTE),
        follow_language(D.follow_language),
        rx.cond(
            D.missing != "",
            rx.callout(D.missing, icon="search-x", color_scheme="amber", width="100%"),
            rx.cond(D.loaded, _found(), rx.spinner()),
        ),
    )
