"""The Reports page's parts: the filter card, the three reports (charging sessions with its
detail list, charged energy, station availability) with their CSV buttons and definitions,
and the monthly e-mail card.

Test ids: `reports-filter-{report,period,from,to,location,vehicle,group,clear}`,
`reports-range`, `reports-total-<orders|energy|charging|excl|incl>`, `reports-chart`,
`reports-summary` (rows `reports-bucket-<key>`, `reports-bucket-total`),
`reports-export-<summary|energy|availability>`, `reports-detail-*` (the list, ui.data_list),
`reports-detail-total`, `reports-stations` / `reports-charge-points` (rows
`reports-station-<id>` / `reports-charge-point-<id>`), `reports-availability` (rows
`reports-availability-<id>`, `reports-availability-total`), `reports-monthly-*`.
"""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.vars import ObjectVar

from ccms_app.analytics.reports.availability import DEFINITION as AVAILABILITY_DEFINITION
from ccms_app.analytics.reports.definitions import (
    ENERGY,
    SESSIONS_DETAIL,
    SESSIONS_SUMMARY,
    VEHICLE_AND_GROUP,
)
from ccms_app.analytics.state.reports import (
    MonthlyReportState,
    ReportsState,
    SessionDetailListState,
)
from ccms_app.core.i18n import N_
from ccms_app.ui.cards import empty_note, section, stat_card
from ccms_app.ui.data_list import Column, data_list
from ccms_app.ui.filters import date_filter, filter_error, filter_label, select_filter
from ccms_app.ui.i18n import Text, t, t_var, t_with
from ccms_app.ui.inputs import text_area
from ccms_app.ui.permissions import allowed, when_allowed
from ccms_app.ui.table import cell, data_table

R: Any = ReportsState  # dict fields' Var methods are not in Reflex's stubs
M: Any = MonthlyReportState

REPORTS = (
    ("sessions", N_("Sessions")),
    ("energy", N_("Energy")),
    ("availability", N_("Availability")),
)
PERIODS = (("days", N_("Per day")), ("months", N_("Per month")), ("years", N_("Per year")))


def _note(*children: Any) -> rx.Component:
    return rx.text(*children, size="1", color=rx.color("gray", 10))


def _error(state: Any, key: str) -> rx.Component:
    return filter_error(state.errors, key, f"reports-error-{key}")


def _segments(
    label: Text, choices: tuple[tuple[str, str], ...], value: Any, on_change: Any, key: str
) -> rx.Component:
    return rx.vstack(
        filter_label(label),
        rx.segmented_control.root(
            *[rx.segmented_control.item(t(text), value=v) for v, text in choices],
            value=value,
            on_change=on_change,
            size="1",
            custom_attrs={"data-testid": f"reports-filter-{key}"},
        ),
        _error(R, key),
        spacing="1",
        max_width="100%",
    )


def _select(
    label: Text, value: Any, options: Any, on_change: Any, key: str, error: str
) -> rx.Component:
    width = ["100%", "calc(50% - 6px)", "200px"]
    testid = f"reports-filter-{key}"
    return select_filter(label, value, options, on_change, testid, _error(R, error), width)


def _date(label: Text, value: Any, on_change: Any, key: str) -> rx.Component:
    width = ["100%", "calc(50% - 6px)", "160px"]
    return date_filter(label, value, on_change, f"reports-filter-{key}", _error(R, key), width)


def filters() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.flex(
                _segments(t("Report"), REPORTS, R.report, lambda v: R.set_report(v), "report"),
                rx.cond(
                    R.report == "sessions",
                    _segments(t("Summary"), PERIODS, R.period, lambda v: R.set_period(v), "period"),
                ),
                wrap="wrap",
                gap="12px",
                width="100%",
            ),
            rx.flex(
                _date(t("From"), R.date_from, R.set_date_from, "from"),
                _date(t("To"), R.date_to, R.set_date_to, "to"),
                _select(
                    t("Station or area"),
                    R.location,
                    R.locations,
                    R.set_location,
                    "location",
                    "location",
                ),
                rx.cond(
                    R.report != "availability",
                    rx.fragment(
                        _select(
                            t("Vehicle"),
                            R.vehicle_id,
                            R.vehicles,
                            R.set_vehicle,
                            "vehicle",
                            "vehicle_id",
                        ),
                        _select(
                            t("User group"), R.group_id, R.groups, R.set_group, "group", "group_id"
                        ),
                    ),
                ),
                rx.button(
                    t("Clear"),
                    variant="soft",
                    color_scheme="gray",
                    on_click=R.clear,
                    custom_attrs={"data-testid": "reports-filter-clear"},
                ),
                wrap="wrap",
                gap="12px",
                align="end",
                width="100%",
            ),
            _note(
                rx.text.strong(R.range_text, custom_attrs={"data-testid": "reports-range"}),
                ". ",
                t("Days in the operator's time zone; empty dates: this month so far."),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _export(handler: Any, key: str, text: Text | None = None) -> rx.Component:
    return when_allowed(
        handler,
        rx.button(
            rx.icon("download", size=14),
            text if text is not None else t("CSV"),
            variant="soft",
            size="1",
            on_click=handler,
            custom_attrs={"data-testid": f"reports-export-{key}"},
        ),
    )


# --- charging sessions --------------------------------------------------------------------------


def _totals() -> rx.Component:
    return rx.grid(
        *[
            stat_card(t(label), R.total.get(key, "—"), icon, colour, f"reports-total-{name}")
            for name, key, label, icon, colour in (
                ("orders", "orders_shown", N_("Orders"), "receipt", "blue"),
                ("energy", "energy_shown", N_("Energy"), "zap", "green"),
                ("charging", "charging_shown", N_("Charging time"), "timer", "gray"),
                ("incl", "incl_shown", N_("Amount incl. VAT"), "banknote", "amber"),
            )
        ],
        columns=rx.breakpoints(initial="2", lg="4"),
        gap="12px",
        width="100%",
    )


def _bucket_row(row: ObjectVar[dict[str, str]]) -> rx.Component:
    weight = rx.cond(row["key"] == "total", "bold", "regular")
    return rx.table.row(
        cell(rx.text(t_var(row["label"]), size="2", weight=weight)),
        cell(row["orders_shown"]),
        cell(row["energy_shown"]),
        cell(row["charging_shown"]),
        cell(row["excl_shown"]),
        cell(rx.text(row["incl_shown"], size="2", weight=weight)),
        custom_attrs={"data-testid": "reports-bucket-" + row["key"].to(str)},
    )


SUMMARY_HEADERS = [
    N_("Period"),
    N_("Orders"),
    N_("Energy"),
    N_("Charging time"),
    N_("Excl. VAT"),
    N_("Incl. VAT"),
]


def _summary_table() -> rx.Component:
    rows = R.summary.to(list[dict[str, str]])
    total = R.total.to(dict[str, str])
    return rx.box(
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    *[
                        rx.table.column_header_cell(t(h), white_space="nowrap")
                        for h in SUMMARY_HEADERS
                    ]
                )
            ),
            rx.table.body(rx.foreach(rows, _bucket_row), _bucket_row(total)),
            variant="surface",
            size="2",
            width="100%",
        ),
        overflow_x="auto",
        max_height="420px",
        overflow_y="auto",
        width="100%",
        custom_attrs={"data-testid": "reports-summary"},
    )


def _chart() -> rx.Component:
    return rx.card(
        rx.plotly.basic(
            data=R.figure,
            config={"displayModeBar": False, "responsive": True},
            width="100%",
            height="300px",
        ),
        width="100%",
        custom_attrs={"data-testid": "reports-chart"},
    )


DETAIL_COLUMNS = [
    Column("start_time", t("Started")),
    Column("stop_time", t("Stopped"), sortable=False),
    Column("station", t("Station"), sortable=False),
    Column("charge_point", t("Charge point"), sortable=False),
    Column("connector_id", t("Connector"), sortable=False, on_phone=False),
    Column("id_tag", t("Id tag")),
    Column("vehicle", t("Vehicle"), sortable=False),
    Column("group", t("Group"), sortable=False),
    Column("duration_shown", t("Duration"), sortable=False),
    Column("energy_wh", t("Energy")),
    Column("total_incl_minor", t("Amount")),
    Column("cost", t("Cost"), sortable=False),
    Column("payment_method", t("Payment"), sortable=False),
]


def _detail() -> rx.Component:
    d: Any = R.detail_total
    return rx.vstack(
        rx.flex(
            rx.heading(t("Sessions started in these days"), size="3"),
            rx.text(
                t_with(
                    "{sessions} sessions · {energy} · {amount} incl. VAT (final costs)",
                    sessions=d.get("sessions", "0"),
                    energy=d.get("energy_shown", ""),
                    amount=d.get("incl_shown", ""),
                ),
                size="2",
                color=rx.color("gray", 11),
                custom_attrs={"data-testid": "reports-detail-total"},
            ),
            wrap="wrap",
            gap="8px",
            align="baseline",
            width="100%",
        ),
        data_list(
            SessionDetailListState,
            columns=DETAIL_COLUMNS,
            testid="reports-detail",
            empty_text=t("No session started in these days."),
            search_placeholder=t("Station, charge point, card, driver…"),
        ),
        _note(t(SESSIONS_DETAIL)),
        spacing="3",
        width="100%",
        min_width="0",
    )


def sessions_report() -> rx.Component:
    return section(
        t("Charging sessions"),
        _totals(),
        rx.flex(
            _note(t_with("Excl. VAT: {amount}", amount=R.total.get("excl_shown", "—"))),
            rx.spacer(),
            _export(R.export_summary, "summary", t("Summary CSV")),
            width="100%",
            align="center",
            gap="8px",
        ),
        _chart(),
        _summary_table(),
        _note(t(SESSIONS_SUMMARY), " ", t(VEHICLE_AND_GROUP)),
        _detail(),
    )


# --- charged energy -----------------------------------------------------------------------------


def _energy_row(prefix: str, with_station: bool) -> Any:
    def render(row: ObjectVar[dict[str, str]]) -> rx.Component:
        cells = [cell(rx.text(row["name"], size="2", weight="medium"))]
        if with_station:
            cells.append(cell(row["station"]))
        cells += [cell(row["orders_shown"]), cell(row["energy_shown"]), cell(row["share_shown"])]
        return rx.table.row(
            *cells, custom_attrs={"data-testid": f"reports-{prefix}-" + row["id"].to(str)}
        )

    return render


def energy_report() -> rx.Component:
    total: Any = R.energy_total
    return section(
        t("Charged energy"),
        rx.flex(
            _note(
                t("In all:"),
                " ",
                rx.text.strong(
                    total.get("energy_shown", "—"),
                    custom_attrs={"data-testid": "reports-energy-total"},
                ),
                " · ",
                t_with("{orders} orders", orders=total.get("orders_shown", "0")),
            ),
            rx.spacer(),
            _export(R.export_energy, "energy"),
            width="100%",
            align="center",
            gap="8px",
        ),
        rx.heading(t("Per station"), size="3"),
        rx.cond(
            R.stations.length() > 0,
            data_table(
                [t("Station"), t("Orders"), t("Energy"), t("Share")],
                R.stations,
                _energy_row("station", with_station=False),
                testid="reports-stations",
            ),
            empty_note(t("No station here.")),
        ),
        rx.heading(t("Per charge point"), size="3"),
        rx.cond(
            R.charge_points.length() > 0,
            data_table(
                [t("Charge point"), t("Station"), t("Orders"), t("Energy"), t("Share")],
                R.charge_points,
                _energy_row("charge-point", with_station=True),
                testid="reports-charge-points",
            ),
            empty_note(t("No charge point here.")),
        ),
        _note(R.charge_points_note),
        _note(t(ENERGY), " ", t(VEHICLE_AND_GROUP)),
    )


# --- station availability -------------------------------------------------------------------------


def _availability_row(row: ObjectVar[dict[str, str]]) -> rx.Component:
    return rx.table.row(
        cell(rx.text(row["station"], size="2", weight="medium")),
        cell(row["connectors"]),
        cell(rx.text(row["availability_shown"], size="2", weight="bold")),
        cell(row["outage_shown"]),
        custom_attrs={"data-testid": "reports-availability-" + row["id"].to(str)},
    )


def availability_report() -> rx.Component:
    network: Any = R.availability_network
    return section(
        t("Station availability"),
        rx.flex(
            _note(
                t("In all:"),
                " ",
                rx.text.strong(
                    network.get("availability_shown", "—"),
                    custom_attrs={"data-testid": "reports-availability-total"},
                ),
                " · ",
                t_with("{connectors} connectors", connectors=network.get("connectors", "0")),
            ),
            rx.spacer(),
            _export(R.export_availability, "availability"),
            width="100%",
            align="center",
            gap="8px",
        ),
        rx.cond(
            R.availability.length() > 0,
            data_table(
                [t("Station"), t("Connectors"), t("Availability"), t("Outage counted")],
                R.availability,
                _availability_row,
                testid="reports-availability",
            ),
            empty_note(t("No connector here.")),
        ),
        _note(t(AVAILABILITY_DEFINITION)),
    )


# --- the monthly e-mail -------------------------------------------------------------------------


def monthly_report_card() -> rx.Component:
    can_edit = allowed(M.save)
    return rx.card(
        rx.vstack(
            rx.heading(t("Monthly report by e-mail"), size="3"),
            _note(
                t(
                    "On the first days of each month, last month's sessions report (orders, "
                    "energy, amounts, the stations that charged most, availability) goes to "
                    "these addresses with the sessions as CSV."
                )
            ),
            rx.el.label(
                rx.text(t("Recipients (comma-separated)"), size="2", weight="medium"),
                text_area(
                    value=M.recipients,
                    on_change=M.set_recipients,
                    debounce_timeout=300,
                    placeholder=t("ops@example.com, finance@example.com"),
                    read_only=~can_edit,
                    rows="2",
                    width="100%",
                    custom_attrs={"data-testid": "reports-monthly-recipients"},
                ),
                display="flex",
                flex_direction="column",
                gap="4px",
                width="100%",
            ),
            _error(M, "recipients"),
            rx.flex(
                rx.el.label(
                    rx.switch(
                        checked=M.enabled,
                        on_change=M.set_sending,
                        disabled=~can_edit,
                        custom_attrs={"data-testid": "reports-monthly-enabled"},
                    ),
                    rx.text(t("Send it every month"), size="2"),
                    display="flex",
                    gap="8px",
                    align_items="center",
                ),
                rx.spacer(),
                when_allowed(
                    M.save,
                    rx.button(
                        t("Save"),
                        on_click=M.save,
                        custom_attrs={"data-testid": "reports-monthly-save"},
                    ),
                ),
                width="100%",
                align="center",
                wrap="wrap",
                gap="8px",
            ),
            rx.cond(
                M.last_sent_month != "",
                _note(t_with("Last sent: {month}.", month=M.last_sent_month)),
                _note(t("Not sent yet.")),
            ),
            rx.cond(
                M.last_error != "",
                rx.callout(
                    t_with(
                        "The last attempt failed: {error} It is tried again daily.",
                        error=M.last_error,
                    ),
                    icon="triangle-alert",
                    color_scheme="red",
                    size="1",
                    custom_attrs={"data-testid": "reports-monthly-error"},
                ),
            ),
            rx.cond(
                M.mail_off,
                rx.callout(
                    t(
                        "E-mail is off on this server (CCMS_SMTP_HOST is not set): nothing is sent "
                        "until it is configured."
                    ),
                    icon="info",
                    size="1",
                ),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        custom_attrs={"data-testid": "reports-monthly"},
    )
