"""The Statistics page's parts: the filter card, and the four sections (stations and charge
points, charging, work orders, faults by cause).

Test ids: `stats-filter-{kind,from,to,area,station,charge-point}`, `stats-count-<key>`,
`stats-total-<orders|energy|amount>` (+ `-change`), `stats-chart-<orders|energy|amount>`,
`stats-buckets` (rows `stats-bucket-<key>`, `stats-bucket-total`), `stats-rank-stations`,
`stats-rank-charge-points`, `stats-sessions-*` / `stats-stations-*` /
`stats-charge-points-*` (the lists, ui.data_list), `stats-wo-<key>`, `stats-faults-pie`,
`stats-fault-<cause>`.
"""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.vars import ObjectVar

from ccms_app.analytics.state.statistics import (
    ChargePointStatisticsState,
    SessionDetailsState,
    StationStatisticsState,
    StatisticsState,
)
from ccms_app.core.i18n import N_
from ccms_app.finance.rules.revenue import PeriodKind
from ccms_app.ui.cards import empty_note, section, stat_card
from ccms_app.ui.data_list import Column, RowVar, data_list
from ccms_app.ui.filters import date_filter, filter_error, filter_label, select_filter
from ccms_app.ui.i18n import Text, t, t_var, t_with
from ccms_app.ui.table import cell, data_table

S: Any = StatisticsState  # dict fields' Var methods are not in Reflex's stubs

KINDS = (
    (PeriodKind.DAYS, N_("Day")),
    (PeriodKind.MONTHS, N_("Month")),
    (PeriodKind.YEARS, N_("Year")),
)
# "by day" in the range note: the chosen kind in words
KIND_WORDS = (
    (PeriodKind.DAYS, N_("days")),
    (PeriodKind.MONTHS, N_("months")),
    (PeriodKind.YEARS, N_("years")),
)


def _note(*children: Any) -> rx.Component:
    return rx.text(*children, size="1", color=rx.color("gray", 10))


def _error(key: str) -> rx.Component:
    return filter_error(S.errors, key)


# --- the filter ------------------------------------------------------------------------------


def _kind() -> rx.Component:
    return rx.vstack(
        filter_label(t("Group by")),
        rx.segmented_control.root(
            *[rx.segmented_control.item(t(label), value=kind.value) for kind, label in KINDS],
            value=S.kind,
            on_change=lambda value: S.set_kind(value),
            custom_attrs={"data-testid": "stats-filter-kind"},
        ),
        _error("kind"),
        spacing="1",
    )


def _date(label: Text, value: Any, on_change: Any, key: str) -> rx.Component:
    return date_filter(label, value, on_change, f"stats-filter-{key}", _error(f"date_{key}"))


def _select(label: Text, value: Any, options: Any, on_change: Any, key: str) -> rx.Component:
    return select_filter(label, value, options, on_change, f"stats-filter-{key}")


def filters() -> rx.Component:
    return rx.card(
        rx.flex(
            _kind(),
            _date(t("From"), S.date_from, S.set_date_from, "from"),
            _date(t("To"), S.date_to, S.set_date_to, "to"),
            _select(t("Area"), S.area_id, S.areas, S.set_area, "area"),
            _select(t("Station"), S.station_id, S.stations, S.set_station, "station"),
            _select(
                t("Charge point"),
                S.charge_point_id,
                S.charge_points,
                S.set_charge_point,
                "charge-point",
            ),
            rx.button(
                t("This month"),
                variant="soft",
                color_scheme="gray",
                on_click=S.clear,
                custom_attrs={"data-testid": "stats-filter-clear"},
            ),
            wrap="wrap",
            gap="12px",
            align="end",
            width="100%",
        ),
        _note(
            t_with(
                "Days in {zone} (your billing profile's time zone). The range and area or "
                "station apply to every section; a charge point to the charging figures and "
                "sessions.",
                zone=S.zone,
            )
        ),
        width="100%",
    )


# --- 1. stations and charge points -----------------------------------------------------------


def network_counts() -> rx.Component:
    return rx.grid(
        *[
            stat_card(t(label), S.counts.get(key, "0"), icon, colour, f"stats-count-{key}")
            for key, label, icon, colour in (
                ("stations", N_("Stations"), "map-pin", "gray"),
                ("charge_points", N_("Charge points"), "plug-zap", "gray"),
                ("online", N_("Online"), "wifi", "green"),
                ("offline", N_("Offline"), "wifi-off", "gray"),
                ("faulted", N_("Faulted"), "triangle-alert", "red"),
                ("unregistered", N_("Unregistered"), "circle-help", "amber"),
            )
        ],
        columns=rx.breakpoints(initial="2", md="3", lg="6"),
        gap="12px",
        width="100%",
    )


def _online(row: RowVar) -> rx.Component:
    return rx.badge(
        t_var(row["is_online"]),
        color_scheme=rx.cond(row["online_key"] == "online", "green", "gray"),
        variant="soft",
        white_space="nowrap",
    )


def network_section() -> rx.Component:
    return section(
        t("Stations and charge points"),
        network_counts(),
        _note(
            t(
                "Online / offline: registered charge points by their connection now. Faulted: "
                "the charge point or one of its connectors reports Faulted. Unregistered: "
                "connected without being registered."
            )
        ),
        data_list(
            StationStatisticsState,
            columns=[
                Column("name", t("Station"), href=lambda r: "/stations/" + r["id"].to(str)),
                Column("address", t("Address")),
                Column("area", t("Area")),
                Column("charge_points", t("Charge points")),
                Column("online", t("Online")),
                Column("offline", t("Offline")),
                Column("faults", t("Faults")),
                Column("unregistered", t("Unregistered")),
            ],
            testid="stats-stations",
            empty_text=t("No stations here."),
            search_placeholder=t("Search station or address…"),
        ),
        data_list(
            ChargePointStatisticsState,
            columns=[
                Column(
                    "identity",
                    t("Charge point"),
                    href=lambda r: "/charge-points/" + r["identity"].to(str),
                ),
                Column("station", t("Station")),
                Column("vendor", t("Manufacturer")),
                Column("model", t("Model")),
                Column("enabled", t("Usage")),
                Column("is_online", t("Online"), render=_online),
                Column("max_power_w", t("Rated power")),
                Column("voltage", t("Voltage"), sortable=False),
                Column("charging_method", t("Method")),
            ],
            testid="stats-charge-points",
            empty_text=t("No charge points here."),
            search_placeholder=t("Search identity, station, make or model…"),
        ),
    )


# --- 2. charging -----------------------------------------------------------------------------


def _trend_colour(row: ObjectVar[dict[str, str]]) -> Any:
    return rx.match(row["trend"], ("up", "green"), ("down", "red"), "gray")


def _total_card(row: ObjectVar[dict[str, str]]) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(t_var(row["label"]), size="2", color=rx.color("gray", 11)),
            rx.text(
                row["value"],
                size=rx.breakpoints(initial="5", md="6"),
                weight="bold",
                white_space="nowrap",
                custom_attrs={"data-testid": "stats-total-" + row["key"].to(str)},
            ),
            rx.hstack(
                rx.badge(
                    row["change"],
                    color_scheme=_trend_colour(row),
                    variant="soft",
                    custom_attrs={"data-testid": "stats-total-" + row["key"].to(str) + "-change"},
                ),
                _note(t_with("vs {previous}", previous=row["previous"])),
                spacing="2",
                align="center",
                wrap="wrap",
            ),
            spacing="1",
        ),
        width="100%",
    )


def _chart(figure: Any, key: str, title: Any) -> rx.Component:
    return rx.card(
        rx.text(title, weight="medium", size="2"),
        rx.plotly.basic(
            data=figure,
            config={"displayModeBar": False, "responsive": True},
            width="100%",
            height="240px",
        ),
        width="100%",
        min_width="0",
        custom_attrs={"data-testid": f"stats-chart-{key}"},
    )


def _currency_picker() -> rx.Component:
    return rx.cond(
        S.currencies.length() > 1,
        rx.segmented_control.root(
            rx.foreach(S.currencies, lambda code: rx.segmented_control.item(code, value=code)),
            value=S.currency,
            on_change=lambda value: S.set_currency(value),
            size="1",
            custom_attrs={"data-testid": "stats-currency"},
        ),
    )


def _bucket_row(row: ObjectVar[dict[str, str]]) -> rx.Component:
    weight = rx.cond(row["key"] == "total", "bold", "regular")
    return rx.table.row(
        cell(rx.text(t_var(row["label"]), size="2", weight=weight)),
        cell(rx.text(row["orders"], size="2", weight=weight)),
        cell(rx.text(row["energy"], size="2", weight=weight)),
        cell(rx.text(row["amount"], size="2", weight=weight)),
        custom_attrs={"data-testid": "stats-bucket-" + row["key"].to(str)},
    )


def _ranked_row(row: ObjectVar[dict[str, str]]) -> rx.Component:
    return rx.table.row(
        cell(row["name"]),
        cell(row["orders"]),
        cell(row["energy"]),
        cell(row["amount"]),
        custom_attrs={"data-testid": "stats-ranked-" + row["key"].to(str)},
    )


def _ranking(title: Text, header: Text, rows: Any, testid: str) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(title, weight="medium", size="2"),
            rx.cond(
                rows.length() > 0,
                data_table(
                    [header, t("Orders"), t("Energy"), t("Amount")], rows, _ranked_row, testid
                ),
                empty_note(t("No charging in the range.")),
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
        min_width="0",
    )


def _sessions() -> rx.Component:
    return data_list(
        SessionDetailsState,
        columns=[
            Column("start_time", t("Start")),
            Column("station", t("Station"), sortable=False),
            Column("charge_point", t("Charge point"), sortable=False),
            Column("connector_id", t("Connector"), sortable=False, on_phone=False),
            Column("stop_time", t("End"), sortable=False),
            Column("duration", t("Duration"), sortable=False),
            Column("energy_wh", t("Energy (kWh)")),
            Column("fee", t("Fee incl. VAT"), sortable=False),
            Column("payment_method", t("Payment"), sortable=False),
            Column("counted", t("Counted in range"), sortable=False),
        ],
        testid="stats-sessions",
        empty_text=t("No sessions in the range."),
        search_placeholder=t("Search station or charge point…"),
    )


def charging_section() -> rx.Component:
    return section(
        t("Charging orders, energy and amount"),
        rx.flex(
            _note(
                t_with(
                    "{range}, by {kind}; change against {previous}",
                    range=S.range_text,
                    kind=rx.match(S.kind, *[(k.value, t(w)) for k, w in KIND_WORDS], S.kind),
                    previous=S.previous_text,
                )
            ),
            rx.spacer(),
            _currency_picker(),
            width="100%",
            wrap="wrap",
            gap="8px",
            align="center",
        ),
        rx.grid(
            rx.foreach(S.totals, _total_card),
            columns=rx.breakpoints(initial="1", sm="3"),
            gap="12px",
            width="100%",
        ),
        rx.grid(
            _chart(S.orders_figure, "orders", t("Charging orders")),
            _chart(S.energy_figure, "energy", t("Charged energy (kWh)")),
            _chart(
                S.amount_figure,
                "amount",
                t_with("Charging amount incl. VAT ({currency})", currency=S.currency),
            ),
            columns=rx.breakpoints(initial="1", md="3"),
            gap="12px",
            width="100%",
        ),
        rx.card(
            data_table(
                [t("Period"), t("Orders"), t("Energy"), t("Amount incl. VAT")],
                S.buckets,
                _bucket_row,
                testid="stats-buckets",
                max_height="420px",  # 31 days scroll inside, the sections below stay near
                overflow_y="auto",
            ),
            width="100%",
        ),
        _note(
            t(
                "An order and its amount (the final cost incl. VAT, as Finance counts revenue) "
                "count when the session ended; its energy in the hours it was delivered. So a "
                "session from 23:30 to 00:30 counts in both days' energy, and in the second "
                "day's orders and amount. Sessions held for review or not priced count as "
                "orders without an amount. Change: against the same days one month earlier; "
                '"no data" when those had none.'
            )
        ),
        rx.grid(
            _ranking(
                t("Most energy by station"), t("Station"), S.by_station, "stats-rank-stations"
            ),
            _ranking(
                t("Most energy by charge point"),
                t("Charge point"),
                S.by_charge_point,
                "stats-rank-charge-points",
            ),
            columns=rx.breakpoints(initial="1", lg="2"),
            gap="12px",
            width="100%",
        ),
        _note(S.ranked_note),
        rx.heading(t("Sessions"), size="3"),
        _sessions(),
        _note(
            t_with(
                'Every session that counts in the range; times in {zone}. "Counted in range" '
                "is what of it is in the figures above (its energy in the range, its order and "
                'amount if it ended there): the CSV\'s "in range" columns add up to the '
                "totals. Running sessions count up to when the figures were read.",
                zone=S.zone,
            )
        ),
    )


# --- 3. work orders, 4. faults ---------------------------------------------------------------


def work_orders_section() -> rx.Component:
    return section(
        t("Work orders"),
        rx.grid(
            *[
                stat_card(t(label), S.work_orders.get(key, "0"), icon, colour, f"stats-wo-{key}")
                for key, label, icon, colour in (
                    ("total", N_("Work orders"), "clipboard-list", "gray"),
                    ("completed", N_("Completed"), "circle-check", "green"),
                    ("pending", N_("Pending"), "hourglass", "amber"),
                    ("overdue", N_("Outstanding (overdue)"), "alarm-clock", "red"),
                )
            ],
            columns=rx.breakpoints(initial="2", md="4"),
            gap="12px",
            width="100%",
        ),
        _note(
            t(
                "Work orders created in the range: completed (resolved or closed), pending "
                "(open, assigned, in progress, on hold), overdue (pending past their due time)."
            ),
            " ",
            rx.link(t("Maintenance reports"), href="/maintenance/reports"),
        ),
    )


def _cause_row(row: ObjectVar[dict[str, str]]) -> rx.Component:
    return rx.table.row(
        cell(t_var(row["label"])),
        cell(row["count"]),
        cell(row["share"]),
        custom_attrs={"data-testid": "stats-fault-" + row["cause"].to(str)},
    )


def faults_section() -> rx.Component:
    return section(
        t("Faults by cause"),
        rx.cond(
            S.causes.length() > 0,
            rx.grid(
                rx.card(
                    rx.plotly.basic(
                        data=S.pie,
                        config={"displayModeBar": False, "responsive": True},
                        width="100%",
                        height="300px",
                    ),
                    width="100%",
                    min_width="0",
                    custom_attrs={"data-testid": "stats-faults-pie"},
                ),
                rx.card(
                    data_table(
                        [t("Cause"), t("Faults"), t("Share")], S.causes, _cause_row, "stats-causes"
                    ),
                    _note(t_with("{count} faults began in the range.", count=S.faults_total)),
                    width="100%",
                    min_width="0",
                ),
                columns=rx.breakpoints(initial="1", md="2"),
                gap="12px",
                width="100%",
            ),
            empty_note(t("No faults began in the range.")),
        ),
    )
