"""Maintenance > Reports (/maintenance/reports): statistics and the fault repair report.

Filters on top (operation area, station, From / To days in the operator's zone); then the
work order counts as cards, faults by cause (pie), MTTR / MTBF per vendor and model, the
uptime table (US NEVI per connector with the 97% threshold marked, UK reliability, worst
first) and the fault repair report list with its CSV export. Tables scroll sideways inside
their card on a 360 px phone.

Test ids: `reports-filter-{area,station,from,to}`, `reports-count-{total,completed,pending,
overdue}`, `reports-pie`, `reports-models`, `reports-uptime`, `reports-uptime-summary`,
`fault-report-*` (the list).
"""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.vars import ObjectVar

from ccms_app.accounts.state import AuthState
from ccms_app.branding.components.brand import page_title
from ccms_app.maintenance.components.subnav import maintenance_subnav
from ccms_app.maintenance.rules.work_order_status import LABELS as STATUS_LABELS
from ccms_app.maintenance.state.reports import FaultReportListState, ReportsState
from ccms_app.ui.cards import empty_note, section, stat_card
from ccms_app.ui.data_list import Column, Filter, RowVar, data_list
from ccms_app.ui.filters import date_filter, filter_error, select_filter
from ccms_app.ui.i18n import Text, t, t_var, t_with
from ccms_app.ui.layout import app_shell
from ccms_app.ui.page_header import follow_language, page_header
from ccms_app.ui.table import cell, data_table

ROUTE = "/maintenance/reports"
TITLE = page_title("Reports · Maintenance")
ON_LOAD = [AuthState.require_login, FaultReportListState.load, ReportsState.load]

R: Any = ReportsState  # dict fields' Var methods are not in Reflex's stubs


def _note(*children: Any) -> rx.Component:
    return rx.text(*children, size="1", color=rx.color("gray", 10))


def _select(label: Text, value: Any, options: Any, on_change: Any, testid: str) -> rx.Component:
    return select_filter(label, value, options, on_change, testid, width=["100%", "100%", "200px"])


def _date(label: Text, value: Any, on_change: Any, key: str) -> rx.Component:
    error = filter_error(R.errors, f"date_{key}")
    width = ["100%", "calc(50% - 6px)", "160px"]
    return date_filter(label, value, on_change, f"reports-filter-{key}", error, width)


def filters() -> rx.Component:
    return rx.card(
        rx.flex(
            _select(t("Area"), R.area_id, R.areas, R.set_area, "reports-filter-area"),
            _select(
                t("Station"), R.station_id, R.stations, R.set_station, "reports-filter-station"
            ),
            _date(t("From"), R.date_from, R.set_date_from, "from"),
            _date(t("To"), R.date_to, R.set_date_to, "to"),
            rx.button(t("Clear"), variant="soft", color_scheme="gray", on_click=R.clear),
            wrap="wrap",
            gap="12px",
            align="end",
            width="100%",
        ),
        _note(
            t_with(
                "Statistics: {period} (empty dates: the last 365 days). The fault repair report "
                "lists the work orders created in the dates chosen (all without).",
                period=R.period_text,
            )
        ),
        width="100%",
    )


def counts() -> rx.Component:
    return rx.grid(
        *[
            stat_card(label, R.counts.get(key, "0"), icon, colour, f"reports-count-{key}")
            for key, label, icon, colour in (
                ("total", t("Work orders"), "clipboard-list", "gray"),
                ("completed", t("Completed"), "circle-check", "green"),
                ("pending", t("Pending"), "hourglass", "amber"),
                ("overdue", t("Overdue"), "alarm-clock", "red"),
            )
        ],
        columns=rx.breakpoints(initial="2", md="4"),
        gap="12px",
        width="100%",
    )


def faults_pie() -> rx.Component:
    return section(
        t("Faults by cause"),
        rx.cond(
            R.causes.length() > 0,
            rx.card(
                rx.plotly.basic(
                    data=R.pie,
                    config={"displayModeBar": False, "responsive": True},
                    width="100%",
                    height="300px",
                ),
                width="100%",
                custom_attrs={"data-testid": "reports-pie"},
            ),
            empty_note(t("No faults in this period.")),
        ),
    )


def _model_row(row: ObjectVar[dict[str, str]]) -> rx.Component:
    return rx.table.row(
        cell(row["vendor"]),
        cell(row["model"]),
        cell(row["charge_points"]),
        cell(row["failures"]),
        cell(row["mttr"]),
        cell(row["mtbf"]),
        custom_attrs={"data-testid": "reports-model-" + row["key"].to(str)},
    )


def models() -> rx.Component:
    headers = [t("Vendor"), t("Model"), t("Charge points"), t("Failures"), t("MTTR"), t("MTBF")]
    return section(
        t("MTTR and MTBF per vendor and model"),
        rx.card(
            data_table(headers, R.models, _model_row, testid="reports-models"),
            width="100%",
        ),
        _note(
            t(
                "Failures: connector faulted, offline and repeated failed starts whose fault "
                "began in the period. MTTR: mean fault start to recovery of the recovered ones. "
                "MTBF: operating time (in service, not down) divided by the failures."
            )
        ),
    )


def _uptime_row(row: ObjectVar[dict[str, str]]) -> rx.Component:
    below = row["meets"] == "no"
    return rx.table.row(
        cell(rx.link(row["charge_point"], href="/charge-points/" + row["charge_point"].to(str))),
        cell(row["connector"]),
        cell(row["station"]),
        cell(rx.badge(row["nevi"], color_scheme=rx.cond(below, "red", "green"), variant="soft")),
        cell(row["counted"]),
        cell(row["excluded"]),
        cell(row["uk"]),
        cell(row["uk_strict"]),
        cell(rx.cond(row["rapid"] == "", "", rx.badge(t("rapid"), variant="outline"))),
        custom_attrs={"data-testid": "reports-uptime-" + row["key"].to(str)},
    )


def _fact(label: Text, key: str) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", color=rx.color("gray", 11)),
        rx.text(R.uptime_summary.get(key, ""), size="3", weight="bold"),
        spacing="0",
    )


def uptime() -> rx.Component:
    headers: list[str | rx.Var[str]] = [
        t("Charge point"), t("Connector"), t("Station"), t("NEVI uptime"), t("Counted outage"),
        t("Excluded"), t("UK reliability"), t("UK strictly working"), "",
    ]  # fmt: skip
    return section(
        t("Uptime per connector"),
        rx.card(
            rx.grid(
                _fact(t("NEVI average"), "nevi_average"),
                _fact(t("At or below 97%"), "below_nevi"),
                _fact(t("UK rapid network (target 99%)"), "uk_rapid"),
                _fact(t("UK rapid, strictly working"), "uk_rapid_strict"),
                columns=rx.breakpoints(initial="2", md="4"),
                gap="12px",
                width="100%",
            ),
            width="100%",
            custom_attrs={"data-testid": "reports-uptime-summary"},
        ),
        rx.card(
            data_table(headers, R.uptime, _uptime_row, testid="reports-uptime"),
            width="100%",
        ),
        _note(
            t_with(
                "As of {as_of}; the {shown} worst of {ports} connectors. NEVI (23 CFR "
                "680.116(b)): the last 525,600 minutes; a port must be above 97% (red at or "
                "below); offline, Faulted and Unavailable are outage; excluded: alarms marked "
                "with an exclusion reason and hours the station is closed. UK (Public Charge "
                "Point Regulations 2023, reg. 7): this calendar year, opening hours only; "
                "unknown (offline) and blocked count as reliable by the regulation, the strict "
                "figure counts only working time. All connectors and their exact figures: REST "
                "API /maintenance/uptime.",
                as_of=R.uptime_summary.get("as_of", ""),
                shown=R.uptime_summary.get("shown", ""),
                ports=R.uptime_summary.get("ports", ""),
            )
        ),
    )


def _status(row: RowVar) -> rx.Component:
    return rx.badge(t_var(row["status_label"]), variant="soft", white_space="nowrap")


def fault_report() -> rx.Component:
    statuses = [(key, t(text)) for key, text in STATUS_LABELS.items()]
    return section(
        t("Fault repair report"),
        data_list(
            FaultReportListState,
            columns=[
                Column(
                    "created_at",
                    t("Created"),
                    href=lambda r: "/maintenance/work-orders/" + r["id"].to(str),
                ),
                Column("charge_point", t("Charge point")),
                Column("station", t("Station")),
                Column("title", t("Problem")),
                Column(
                    "cause", t("Cause"), render=lambda r: rx.text(t_var(r["cause_label"]), size="2")
                ),
                Column("status", t("Status"), render=_status),
                Column("assignee", t("Maintenance person")),
                Column("started_at", t("Started"), on_phone=False),
                Column("resolved_at", t("Resolved")),
                Column("closed_at", t("Closed"), on_phone=False),
                Column("repair", t("Repair time"), sortable=False),
                Column(
                    "time_spent_min",
                    t("Time spent"),
                    render=lambda r: rx.text(r["time_spent"], size="2"),
                ),
            ],
            filters=[Filter("status", t("Status"), statuses)],
            testid="fault-report",
            empty_text=t("No work orders match."),
            search_placeholder=t("Search charge point, station, problem or person…"),
        ),
        _note(t("Times in each station's zone; the CSV export has them in UTC.")),
    )


def page() -> rx.Component:
    return app_shell(
        ROUTE,
        page_header(t("Maintenance reports")),
        maintenance_subnav(ROUTE),
        follow_language(ReportsState.follow_language, FaultReportListState.follow_language),
        filters(),
        rx.cond(
            R.loaded,
            rx.vstack(
                counts(),
                faults_pie(),
                models(),
                uptime(),
                fault_report(),
                spacing="5",
                width="100%",
            ),
            rx.center(rx.spinner(), width="100%", padding="24px"),
        ),
    )
