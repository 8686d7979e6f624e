"""Home: the network at a glance, live (HomeState: counts and the first warnings only)."""

from __future__ import annotations

import reflex as rx
from reflex.vars import ObjectVar

from ccms_app.accounts.state import AuthState
from ccms_app.monitoring.state.home import ROUTE, HomeState
from ccms_app.monitoring.state.licence_card import LicenceCardState
from ccms_app.monitoring.view import StatusCount, WarningRow
from ccms_app.ui.cards import empty_note, section, stat_card
from ccms_app.ui.layout import app_shell
from ccms_app.ui.page_header import live_indicator, page_header
from ccms_app.ui.status import status_badge, warning_badge

__all__ = ["ON_LOAD", "ROUTE", "TITLE", "home_page"]
TITLE = "Home · CCMS"
ON_LOAD = [AuthState.require_login, HomeState.show, LicenceCardState.load]


def licence_card() -> rx.Component:
    """A sub-operator's licence: usage against its limits, and its dates."""
    card = LicenceCardState
    return rx.cond(
        card.shown,
        section(
            "Licence",
            rx.card(
                rx.vstack(
                    rx.hstack(
                        rx.text(card.organisation, weight="bold"),
                        rx.badge(
                            card.status,
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
                            "The licence's limit is reached: new charge points cannot be "
                            "registered. Ask your operator to extend it.",
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
        ),
    )


def charge_point_counts() -> rx.Component:
    counts = HomeState.counts
    return rx.grid(
        stat_card("Online", counts.online, "wifi", "green", "count-online"),
        stat_card("Offline", counts.offline, "wifi-off", "gray", "count-offline"),
        stat_card("Faulted", counts.faulted, "triangle-alert", "red", "count-faulted"),
        stat_card(
            "Unregistered", counts.unregistered, "circle-help", "orange", "count-unregistered"
        ),
        columns=rx.breakpoints(initial="2", md="4"),
        spacing="3",
        width="100%",
    )


def energy_counts() -> rx.Component:
    counts = HomeState.counts
    return rx.grid(
        stat_card("Live power", counts.live_power, "zap", "blue", "live-power"),
        stat_card(
            "Charging now", counts.active_sessions, "battery-charging", "teal", "active-sessions"
        ),
        stat_card("Sessions today", counts.sessions_today, "calendar", "iris", "sessions-today"),
        stat_card("Energy today", counts.energy_today, "gauge", "cyan", "energy-today"),
        columns=rx.breakpoints(initial="2", md="4"),
        spacing="3",
        width="100%",
    )


def connector_count(item_var: rx.Var) -> rx.Component:
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
        "Connectors by status",
        rx.cond(
            HomeState.connector_counts.length() > 0,
            rx.flex(
                rx.foreach(HomeState.connector_counts, connector_count), wrap="wrap", spacing="2"
            ),
            empty_note("No connector has reported a status yet."),
        ),
    )


def warning_line(row_var: rx.Var) -> rx.Component:
    w = row_var.to(ObjectVar, WarningRow)
    return rx.hstack(
        warning_badge(w.kind),
        rx.text(rx.text.strong(w.identity), " ", w.message, size="2"),
        align="center",
        spacing="2",
        wrap="wrap",
    )


def warnings_summary() -> rx.Component:
    return section(
        "Warnings",
        rx.cond(
            HomeState.warnings_total > 0,
            rx.vstack(
                rx.foreach(HomeState.warnings, warning_line),
                rx.link(
                    "Live Monitoring (",
                    HomeState.warnings_total,
                    rx.cond(HomeState.warnings_total == 1, " warning", " warnings"),
                    ") →",
                    href="/live",
                    size="2",
                    custom_attrs={"data-testid": "all-warnings"},
                ),
                spacing="2",
            ),
            empty_note("No warnings: every registered charge point is online and without faults."),
        ),
    )


def home_page() -> rx.Component:
    return app_shell(
        ROUTE,
        page_header(
            "Home",
            "Today means since 00:00 UTC.",
            live_indicator(HomeState.updated_at),
        ),
        licence_card(),
        section("Charge points", charge_point_counts()),
        section("Energy", energy_counts()),
        connectors_by_status(),
        warnings_summary(),
    )
