"""Home's blocks: the network's size and licence, today and this month, the live counts and
warnings (monitoring's HomeState, pushed), live power per station with its 24 h curve, and
charging and revenue by day, month or year. Each figure links to the page that explains it
when the role may open that page.

Test ids: `net-<key>` (network tiles), `today-<key>` / `month-<key>` (sessions, energy,
duration, revenue), `count-<state>`, `live-power`, `active-sessions`, `connectors-<status>`,
`all-warnings`, `site-power-<station id>`, `home-power-curve`, `home-period`,
`home-chart-<key>`, `home-period-<bucket key or total>`.

Every word is the catalog's (`t`, `t_with`: the tab's language); what the states word on the
server (figures, labels, charts) they write in the tab's language.
"""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.vars import ObjectVar

from ccms_app.accounts.rules.permissions import Module
from ccms_app.analytics.components.subnav import STATISTICS_ROUTE
from ccms_app.analytics.state.home import CHART_HEIGHT, CHARTS
from ccms_app.analytics.state.home import HomeFiguresState as Figures
from ccms_app.core.i18n import N_
from ccms_app.finance.rules.revenue import PeriodKind
from ccms_app.maintenance.notifications.bell import ALARMS_ROUTE
from ccms_app.monitoring.state.home import HomeState, live_power, warning_message
from ccms_app.monitoring.state.licence_card import LICENCE_STATUS_NAMES, LicenceCardState
from ccms_app.monitoring.view import StatusCount, WarningRow
from ccms_app.ui.cards import empty_note, section
from ccms_app.ui.i18n import Text, t, t_with
from ccms_app.ui.permissions import can
from ccms_app.ui.status import status_badge, warning_badge
from ccms_app.ui.table import cell, data_table

LIVE_ROUTE = "/live"
FINANCE_ROUTE = "/finance"
STATIONS_LIST = "/assets?tab=stations"
UNREGISTERED_LIST = "/assets?tab=unregistered"
SUB_OPERATORS_ROUTE = "/system/sub-operators"
PERIOD_CHOICES = (
    (PeriodKind.DAYS, N_("By day")),
    (PeriodKind.MONTHS, N_("By month")),
    (PeriodKind.YEARS, N_("By year")),
)
GRAY_NOTE = {"size": "1", "color": rx.color("gray", 10)}


def _note(*children: rx.Component | rx.Var | str, testid: str = "") -> rx.Component:
    return rx.text(*children, **GRAY_NOTE, custom_attrs={"data-testid": testid} if testid else {})


def _label(label: Text, href: str, module: Module | None) -> rx.Component:
    """A figure's name: a link to its details when the role may open them."""
    plain = rx.text(label, size="2", color=rx.color("gray", 11))
    if not href or module is None:
        return plain
    return rx.cond(can(module), rx.link(label, href=href, size="2", weight="medium"), plain)


def tile(
    label: Text,
    value: rx.Var | str | int,
    icon: str,
    colour: str,
    testid: str,
    href: str = "",
    module: Module | None = None,
    note: rx.Var | str | None = None,
) -> rx.Component:
    """One number an operator watches, named by a link to where it is explained."""
    return rx.card(
        rx.hstack(
            rx.center(
                rx.icon(icon, size=20),
                color=rx.color(colour, 11),
                background=rx.color(colour, 3),
                border_radius="8px",
                padding="8px",
                display=["none", "flex"],
            ),
            rx.vstack(
                _label(label, href, module),
                rx.text(
                    value,
                    size=rx.breakpoints(initial="4", md="6"),
                    white_space="nowrap",
                    weight="bold",
                    custom_attrs={"data-testid": testid},
                ),
                _note(note) if note is not None else rx.fragment(),
                spacing="0",
                min_width="0",
            ),
            spacing="3",
            align="center",
        ),
        size="2",
        width="100%",
        min_width="0",
    )


def _grid(*children: rx.Component, wide: str = "4") -> rx.Component:
    return rx.grid(
        *children,
        columns=rx.breakpoints(initial="2", md=wide),
        spacing="3",
        width="100%",
    )


# --- the licence card (a sub-operator's) ------------------------------------------------------


def licence_card() -> rx.Component:
    """A sub-operator's licence: usage against its limits, and its dates."""
    card = LicenceCardState
    return rx.cond(
        card.shown,
        section(
            t("Licence"),
            rx.card(
                rx.vstack(
                    rx.hstack(
                        rx.text(card.organisation, weight="bold"),
                        rx.badge(
                            rx.match(
                                card.status,
                                *[(key, t(name)) for key, name in LICENCE_STATUS_NAMES.items()],
                                card.status,
                            ),
                            color_scheme=rx.cond(card.status == "active", "green", "orange"),
                        ),
                        wrap="wrap",
                        align="center",
                    ),
                    rx.text(card.charge_points, custom_attrs={"data-testid": "licence-usage"}),
                    rx.text(card.connectors),
                    rx.text(card.validity, size="2", color=rx.color("gray", 11)),
                    rx.cond(
                        card.at_limit,
                        rx.callout(
                            t(
                                "The licence's limit is reached: new charge points cannot be "
                                "registered. Ask your operator to extend it."
                            ),
                            icon="triangle-alert",
                            color_scheme="amber",
                            size="1",
                        ),
                    ),
                    spacing="2",
                    width="100%",
                ),
                width="100%",
                custom_attrs={"data-testid": "licence-card"},
            ),
            testid="home-licence",
        ),
    )


# --- the charging network -------------------------------------------------------------------


def network_tiles() -> rx.Component:
    n = Figures.network
    return section(
        t("Charging network"),
        rx.grid(
            tile(
                t("Licence"),
                n["licence"],
                "badge-check",
                "green",
                "net-licence",
                note=n["licence_note"],
            ),
            tile(
                t("Sub-operators"),
                n["sub_operators"],
                "building-2",
                "iris",
                "net-sub_operators",
                SUB_OPERATORS_ROUTE,
                Module.SYSTEM,
            ),
            tile(
                t("Stations"),
                n["stations"],
                "map-pin",
                "blue",
                "net-stations",
                STATIONS_LIST,
                Module.ASSETS,
            ),
            tile(
                t("Charge points"),
                n["charge_points"],
                "plug-zap",
                "teal",
                "net-charge_points",
                LIVE_ROUTE,
                Module.LIVE_MONITORING,
            ),
            tile(
                t("Connectors"),
                n["connectors"],
                "plug",
                "cyan",
                "net-connectors",
                LIVE_ROUTE,
                Module.LIVE_MONITORING,
            ),
            columns=rx.breakpoints(initial="2", md="3", lg="5"),
            spacing="3",
            width="100%",
        ),
        _note(
            t(
                "Charge points registered or disabled, with their connectors (unregistered ones "
                "are counted below); sub-operators under yours, at every level."
            )
        ),
        testid="home-network",
    )


def _period_card(title: Text, when: rx.Var | str, prefix: str, figures: Any) -> rx.Component:
    def line(key: str, label: Text, href: str, module: Module) -> rx.Component:
        return rx.vstack(
            _label(label, href, module),
            rx.text(
                figures[key],
                size=rx.breakpoints(initial="3", md="5"),
                weight="bold",
                custom_attrs={"data-testid": f"{prefix}-{key}"},
            ),
            spacing="0",
            min_width="0",
        )

    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(title, size="3"),
                rx.text(when, size="2", color=rx.color("gray", 11)),
                align="baseline",
                wrap="wrap",
            ),
            rx.grid(
                line("sessions", t("Sessions"), STATISTICS_ROUTE, Module.ANALYTICS),
                line("energy", t("Energy"), STATISTICS_ROUTE, Module.ANALYTICS),
                line("duration", t("Charging time"), STATISTICS_ROUTE, Module.ANALYTICS),
                line("revenue", t("Revenue incl. VAT"), FINANCE_ROUTE, Module.FINANCE),
                columns="2",
                spacing="3",
                width="100%",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        min_width="0",
        custom_attrs={"data-testid": f"{prefix}-card"},
    )


def today_and_month() -> rx.Component:
    return section(
        t("Today and this month"),
        rx.grid(
            _period_card(t("Today"), Figures.today_label, "today", Figures.today),
            _period_card(t("This month"), Figures.month_label, "month", Figures.month),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="3",
            width="100%",
        ),
        _note(
            t_with(
                "Days and months in {zone} (the operator's time zone), read at {time}. Energy "
                "and charging time count when they happen (a session over midnight in both "
                "days, a running one so far); a session and its amount count on the day it "
                "ended. Revenue: final costs incl. VAT, not those held for review or unpriced.",
                zone=Figures.zone,
                time=Figures.read_at,
            ),
        ),
        testid="home-today-month",
    )


# --- the live counts and warnings (HomeState, pushed) ----------------------------------------


def charge_point_counts() -> rx.Component:
    counts = HomeState.counts
    return section(
        t("Charge points now"),
        _grid(
            tile(
                t("Online"),
                counts.online,
                "wifi",
                "green",
                "count-online",
                LIVE_ROUTE,
                Module.LIVE_MONITORING,
            ),
            tile(
                t("Offline"),
                counts.offline,
                "wifi-off",
                "gray",
                "count-offline",
                LIVE_ROUTE,
                Module.LIVE_MONITORING,
            ),
            tile(
                t("Faulted"),
                counts.faulted,
                "triangle-alert",
                "red",
                "count-faulted",
                ALARMS_ROUTE,
                Module.MAINTENANCE,
            ),
            tile(
                t("Unregistered"),
                counts.unregistered,
                "circle-help",
                "orange",
                "count-unregistered",
                UNREGISTERED_LIST,
                Module.ASSETS,
            ),
        ),
        testid="home-counts",
    )


def _connector_count(item_var: rx.Var) -> rx.Component:
    item = item_var.to(ObjectVar, StatusCount)
    return rx.hstack(
        status_badge(item.status),
        rx.text(item.count, weight="bold", size="3"),
        align="center",
        spacing="2",
        padding="6px 10px",
        border=f"1px solid {rx.color('gray', 5)}",
        border_radius="8px",
        custom_attrs={"data-testid": f"connectors-{item.status}"},
    )


def connectors_by_status() -> rx.Component:
    return section(
        t("Connectors by status"),
        rx.cond(
            HomeState.connector_counts.length() > 0,
            rx.flex(
                rx.foreach(HomeState.connector_counts, _connector_count), wrap="wrap", spacing="2"
            ),
            empty_note(t("No connector has reported a status yet.")),
        ),
        testid="home-connectors",
    )


def _warning_line(row_var: rx.Var) -> rx.Component:
    w = row_var.to(ObjectVar, WarningRow)
    return rx.hstack(
        warning_badge(w.kind),
        rx.text(rx.text.strong(w.identity), " ", warning_message(w), size="2"),
        align="center",
        spacing="2",
        wrap="wrap",
    )


def warnings_summary() -> rx.Component:
    return section(
        t("Warnings"),
        rx.cond(
            HomeState.warnings_total > 0,
            rx.vstack(
                rx.foreach(HomeState.warnings, _warning_line),
                rx.link(
                    rx.cond(
                        HomeState.warnings_total == 1,
                        t("Live Monitoring (1 warning) →"),
                        t_with(
                            "Live Monitoring ({count} warnings) →",
                            count=HomeState.warnings_total,
                        ),
                    ),
                    href=LIVE_ROUTE,
                    size="2",
                    custom_attrs={"data-testid": "all-warnings"},
                ),
                spacing="2",
            ),
            empty_note(
                t("No warnings: every registered charge point is online and without faults.")
            ),
        ),
        testid="home-warnings",
    )


# --- power ---------------------------------------------------------------------------------


def _site_row(row: ObjectVar[dict[str, str]]) -> rx.Component:
    return rx.table.row(
        cell(rx.link(row["name"], href=row["href"], size="2")),
        cell(rx.text(row["power"], size="2", weight="bold")),
        cell(row["charging"]),
        custom_attrs={"data-testid": "site-power-" + row["key"].to(str)},
    )


def _power_curve() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(t("Network power, last 24 hours"), size="3"),
            rx.cond(
                Figures.curve_points > 0,
                rx.box(
                    rx.plotly.basic(
                        data=Figures.curve,
                        config={"displayModeBar": False, "responsive": True},
                        width="100%",
                        height=f"{CHART_HEIGHT}px",
                    ),
                    width="100%",
                    custom_attrs={"data-testid": "home-power-curve"},
                ),
            ),
            rx.cond(
                Figures.curve_covers_day,
                _note(t_with("A point every 5 minutes; times in {zone}.", zone=Figures.zone)),
                _note(
                    rx.cond(
                        Figures.curve_points > 0,
                        t_with(
                            "Fewer than 24 hours of samples: samples start when CCMS runs; a "
                            "point every 5 minutes (times in {zone}).",
                            zone=Figures.zone,
                        ),
                        t_with(
                            "No samples yet: samples start when CCMS runs; a point every 5 "
                            "minutes (times in {zone}).",
                            zone=Figures.zone,
                        ),
                    ),
                    testid="home-power-curve-note",
                ),
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
        min_width="0",
    )


def power() -> rx.Component:
    counts = HomeState.counts
    return section(
        t("Power"),
        _grid(
            tile(
                t("Live power"),
                live_power(),
                "zap",
                "blue",
                "live-power",
                LIVE_ROUTE,
                Module.LIVE_MONITORING,
            ),
            tile(
                t("Charging now"),
                counts.active_sessions,
                "battery-charging",
                "teal",
                "active-sessions",
                LIVE_ROUTE,
                Module.LIVE_MONITORING,
            ),
            wide="2",
        ),
        rx.grid(
            _power_curve(),
            rx.card(
                rx.vstack(
                    rx.heading(t("Per station now"), size="3"),
                    rx.cond(
                        Figures.sites.length() > 0,
                        data_table(
                            [t("Station"), t("Power"), t("Charging")],
                            Figures.sites,
                            _site_row,
                            testid="home-site-power",
                        ),
                        empty_note(t("No station is charging.")),
                    ),
                    _note(Figures.more_sites),
                    _note(
                        t_with(
                            "As of {time} (the live power above follows the network).",
                            time=Figures.read_at,
                        )
                    ),
                    spacing="2",
                    width="100%",
                ),
                width="100%",
                min_width="0",
            ),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="3",
            width="100%",
        ),
        testid="home-power",
    )


# --- charging and revenue by period -----------------------------------------------------------


def period_switch() -> rx.Component:
    return rx.segmented_control.root(
        *[rx.segmented_control.item(t(label), value=kind.value) for kind, label in PERIOD_CHOICES],
        value=Figures.period,
        on_change=lambda value: Figures.set_period(value),
        size="1",
        custom_attrs={"data-testid": "home-period"},
    )


def _chart(key: str, title: Text) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(title, size="2", weight="medium"),
            rx.box(
                rx.plotly.basic(
                    data=getattr(Figures, f"{key}_chart"),
                    config={"displayModeBar": False, "responsive": True},
                    width="100%",
                    height=f"{CHART_HEIGHT}px",
                ),
                width="100%",
                custom_attrs={"data-testid": f"home-chart-{key}"},
            ),
            spacing="1",
            width="100%",
        ),
        size="1",
        width="100%",
        min_width="0",
    )


def _period_row(row: ObjectVar[dict[str, str]]) -> rx.Component:
    weight = rx.cond(row["key"] == "total", "bold", "regular")
    return rx.table.row(
        cell(rx.text(row["label"], size="2", weight=weight)),
        cell(row["sessions"]),
        cell(row["energy"]),
        cell(row["duration"]),
        cell(rx.text(row["revenue"], size="2", weight=weight)),
        custom_attrs={"data-testid": "home-period-" + row["key"].to(str)},
    )


def charging_by_period() -> rx.Component:
    headers = [
        t("Period"),
        t("Sessions"),
        t("Energy"),
        t("Charging time"),
        t("Revenue incl. VAT"),
    ]
    return section(
        Figures.period_title,
        rx.flex(
            period_switch(),
            _note(Figures.range_text),
            width="100%",
            wrap="wrap",
            gap="8px",
            align="center",
        ),
        rx.cond(
            Figures.period_has_charging,
            rx.fragment(),
            _note(
                t("No charging in this period: every figure is zero."),
                testid="home-period-empty",
            ),
        ),
        rx.grid(
            *[_chart(key, t(title)) for key, title, _colour in CHARTS],
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="3",
            width="100%",
        ),
        _note(Figures.currency_note),
        rx.el.details(
            rx.el.summary(
                rx.text(t("The numbers"), as_="span", size="2", weight="medium"),
                cursor="pointer",
                padding_y="4px",
                custom_attrs={"data-testid": "home-period-numbers"},
            ),
            rx.box(
                data_table(headers, Figures.rows, _period_row, testid="home-period-table"),
                padding_top="8px",
            ),
            width="100%",
        ),
        rx.flex(
            rx.cond(
                can(Module.ANALYTICS),
                rx.link(t("Statistics →"), href=STATISTICS_ROUTE, size="2"),
            ),
            rx.cond(can(Module.FINANCE), rx.link(t("Finance →"), href=FINANCE_ROUTE, size="2")),
            gap="16px",
            wrap="wrap",
        ),
        testid="home-charging",
    )
