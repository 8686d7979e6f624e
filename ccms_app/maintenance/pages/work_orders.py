"""Maintenance -> Work orders: "My work orders" first, then every work order (filters:
status, priority, assignee, station, overdue), and a new one by hand for any charge point."""

from __future__ import annotations

import reflex as rx

from ccms_app.accounts.state import AuthState
from ccms_app.branding.components.brand import page_title
from ccms_app.maintenance.components.subnav import maintenance_subnav
from ccms_app.maintenance.components.work_order_badges import priority_badge, status_badge
from ccms_app.maintenance.components.work_order_create import create_dialog, new_work_order_button
from ccms_app.maintenance.components.work_order_mine import my_work_orders_section
from ccms_app.maintenance.rules.sla import PRIORITIES, PRIORITY_LABELS
from ccms_app.maintenance.rules.work_order_status import LABELS as STATUS_LABELS
from ccms_app.maintenance.state.work_orders import MyWorkOrdersState
from ccms_app.maintenance.state.work_orders import WorkOrderCreateState as Create
from ccms_app.maintenance.state.work_orders import WorkOrderListState as Orders
from ccms_app.ui.cards import section
from ccms_app.ui.data_list import Column, Filter, data_list
from ccms_app.ui.i18n import t, t_var
from ccms_app.ui.layout import app_shell
from ccms_app.ui.page_header import follow_language, page_header
from ccms_app.ui.permissions import when_allowed

ROUTE = "/maintenance/work-orders"
TITLE = page_title("Work orders")
ON_LOAD = [AuthState.require_login, MyWorkOrdersState.load, Orders.load]


def _columns() -> list[Column]:
    return [
        Column(
            "id",
            t("Work order"),
            render=lambda r: rx.text(
                "#", r["id"], " ", r["title"], as_="span", size="2", weight="medium"
            ),
            href=lambda r: ROUTE + "/" + r["id"].to(str),
        ),
        Column(
            "status",
            t("Status"),
            render=lambda r: status_badge(r["status"], t_var(r["status_text"])),
        ),
        Column(
            "priority",
            t("Priority"),
            render=lambda r: priority_badge(r["priority"], t_var(r["priority_text"])),
        ),
        Column("charge_point", t("Charge point")),
        Column("station", t("Station")),
        Column("assignee", t("Assignee")),
        Column(
            "due_at",
            t("Due"),
            render=lambda r: rx.hstack(
                rx.text(r["due_at"], size="2"),
                rx.cond(r["overdue"] != "", rx.badge(t("overdue"), color_scheme="red")),
                spacing="1",
            ),
        ),
        Column(
            "source",
            t("Source"),
            on_phone=False,
            render=lambda r: rx.text(t_var(r["source"]), size="2"),
        ),
    ]


def _filters() -> list[Filter]:
    return [
        Filter("status", t("Status"), [(k, t(v)) for k, v in STATUS_LABELS.items()]),
        Filter("priority", t("Priority"), [(p, t(PRIORITY_LABELS[p])) for p in PRIORITIES]),
        Filter("assignee_account_id", t("Assignee"), Orders.filter_options["assignee_account_id"]),
        Filter("station_id", t("Station"), Orders.filter_options["station_id"]),
        Filter("overdue", t("Overdue"), [("true", t("Overdue")), ("false", t("On time"))]),
    ]


def page() -> rx.Component:
    return app_shell(
        ROUTE,
        page_header(
            t("Work orders"),
            t("Repairs and preventive maintenance"),
            when_allowed(Create.save, new_work_order_button()),
        ),
        maintenance_subnav(ROUTE),
        follow_language(MyWorkOrdersState.follow_language, Orders.follow_language),
        my_work_orders_section(list_below=True),
        section(
            t("All work orders"),
            data_list(
                Orders,
                columns=_columns(),
                filters=_filters(),
                testid="work-orders",
                empty_text=t("No work orders."),
                search_placeholder=t("Search title, charge point, station or person…"),
            ),
        ),
        create_dialog(),
    )
