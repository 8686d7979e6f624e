"""Live Monitoring: the network's charge points as a live server-side list (one page per tab),
the network's counts and first warnings, and the running sessions, live.

Every text is in the tab's language: words through the catalog (`t`, `t_with`), statuses and
registration states shown translated (filters keep OCPP's values), warnings and the live
power from HomeState's texts in every language, the sessions' numbers written by their state
in the tab's language (`follow_language` rewrites them after a switch).
"""

from __future__ import annotations

import reflex as rx
from reflex.vars import ObjectVar

from ccms_app.accounts.state import AuthState
from ccms_app.branding.components.brand import page_title
from ccms_app.charging.state.data_issues_tab import DATA_ISSUES_TAB
from ccms_app.control.components.bulk_commands import bulk_results, bulk_toolbar, select_checkbox
from ccms_app.control.components.command_dialog import command_dialog
from ccms_app.control.state.commands import CommandState
from ccms_app.monitoring.state.home import HomeState, live_power, warning_message
from ccms_app.monitoring.state.live import LiveListState
from ccms_app.monitoring.state.sessions import ActiveSessionListState
from ccms_app.monitoring.view import ChargePointRow, ConnectorCell, WarningRow
from ccms_app.network.components.charge_point_password import (
    charge_point_password_button,
    charge_point_password_dialog,
)
from ccms_app.ui.cards import empty_note, section
from ccms_app.ui.data_list import Column, Filter, data_list, list_frame
from ccms_app.ui.i18n import t, t_with
from ccms_app.ui.layout import app_shell
from ccms_app.ui.page_header import follow_language, live_indicator, page_header
from ccms_app.ui.permissions import when_allowed
from ccms_app.ui.status import (
    STATUS_COLOURS,
    STATUS_NAMES,
    online_badge,
    registration_badge,
    status_badge,
    status_label,
    warning_badge,
)
from ccms_app.ui.table import cell, data_table
from ccms_app.ui.viewport import phone_or_wide

__all__ = ["ON_LOAD", "ROUTE", "TITLE", "live_monitoring_page"]
ROUTE = "/live"
TITLE = page_title("Live Monitoring")
# Counts and warnings from the organisation's shared Home view; the lists are this tab's own.
ON_LOAD = [
    AuthState.require_login,
    HomeState.join,
    LiveListState.watch,
    LiveListState.load,
    ActiveSessionListState.load,
]


# A row's parts are memoised components with plain props (rx.memo): a push replaces the
# whole page of rows, and every row re-rendered its badges, buttons and checkbox each time,
# most of a tab's work under traffic. Now a part whose values did not change is skipped:
# typically only "last seen" moves.


@rx.memo
def connector_badge(
    identity: rx.Var[str],
    connector_id: rx.Var[int],
    status: rx.Var[str],
    error_code: rx.Var[str],
) -> rx.Component:
    """ "1: Charging (GroundFailure)" with the status in the tab's language (OCPP's error
    codes stay codes)."""
    code = error_code.to(str)
    shown_code = rx.cond((code != "") & (code != "NoError"), " (" + code + ")", "")
    label = t_with(
        "{connector}: {status}{error}",
        connector=connector_id,
        status=status_label(status),
        error=shown_code,
    )
    return status_badge(
        status, label=label, custom_attrs={"data-testid": f"connector-{identity}-{connector_id}"}
    )


def connector_badges(row: ObjectVar[ChargePointRow]) -> rx.Component:
    def badge(cell_var: rx.Var) -> rx.Component:
        c = cell_var.to(ObjectVar, ConnectorCell)
        return connector_badge(
            identity=row.identity,
            connector_id=c.connector_id,
            status=c.status,
            error_code=c.error_code,
        )

    return rx.cond(
        row.connectors.to(list).length() > 0,
        rx.flex(rx.foreach(row.connectors, badge), spacing="1", wrap="wrap"),
        rx.text(t("none reported"), size="1", color=rx.color("gray", 10)),
    )


@rx.memo
def row_actions(charge_point_id: rx.Var[int], identity: rx.Var[str]) -> rx.Component:
    """Commands (for roles that may send them) and the charge point's password."""
    return rx.hstack(
        when_allowed(
            CommandState.send,
            rx.button(
                rx.icon("terminal", size=14),
                t("Commands"),
                size="1",
                variant="soft",
                on_click=CommandState.open_for(charge_point_id),
                custom_attrs={"data-testid": f"commands-{identity}"},
            ),
        ),
        charge_point_password_button(charge_point_id, identity),
        spacing="2",
    )


@rx.memo
def row_select(charge_point_id: rx.Var[int], identity: rx.Var[str]) -> rx.Component:
    return select_checkbox(charge_point_id, identity)


@rx.memo
def identity_and_station(
    identity: rx.Var[str], station: rx.Var[str], size: rx.Var[str]
) -> rx.Component:
    """The identity, linking to the charge point's page, over its station."""
    return rx.vstack(
        rx.link(
            identity,
            href=f"/charge-points/{identity}",
            weight=rx.cond(size == "3", "bold", "medium"),
            size=size,
            custom_attrs={"data-testid": f"cp-link-{identity}"},
        ),
        rx.text(station, size="1", color=rx.color("gray", 11)),
        spacing="0",
    )


@rx.memo
def online_cell(online: rx.Var[bool]) -> rx.Component:
    return online_badge(online)


@rx.memo
def registration_cell(registration: rx.Var[str]) -> rx.Component:
    return registration_badge(registration)


@rx.memo
def status_cell(identity: rx.Var[str], status: rx.Var[str]) -> rx.Component:
    return status_badge(status, custom_attrs={"data-testid": f"cp-status-{identity}"})


def charge_point_row(row_var: rx.Var) -> rx.Component:
    row = row_var.to(ObjectVar, ChargePointRow)
    return rx.table.row(
        cell(row_select(charge_point_id=row.id, identity=row.identity)),
        cell(identity_and_station(identity=row.identity, station=row.station, size="2")),
        cell(online_cell(online=row.online)),
        cell(registration_cell(registration=row.registration)),
        cell(status_cell(identity=row.identity, status=row.status)),
        cell(connector_badges(row)),
        cell(rx.text(row.last_seen, size="1")),
        cell(row_actions(charge_point_id=row.id, identity=row.identity)),
        custom_attrs={"data-testid": f"cp-row-{row.identity}"},
    )


def charge_point_card(row_var: rx.Var) -> rx.Component:
    """The same charge point on a phone: a card instead of a wide row."""
    row = row_var.to(ObjectVar, ChargePointRow)
    return rx.card(
        rx.vstack(
            rx.hstack(
                row_select(charge_point_id=row.id, identity=row.identity),
                identity_and_station(identity=row.identity, station=row.station, size="3"),
                rx.spacer(),
                online_cell(online=row.online),
                width="100%",
                align="start",
            ),
            rx.hstack(
                registration_cell(registration=row.registration),
                status_badge(row.status),
                spacing="2",
                wrap="wrap",
            ),
            connector_badges(row),
            rx.hstack(
                rx.text(
                    t_with("Last seen {time}", time=row.last_seen),
                    size="1",
                    color=rx.color("gray", 11),
                ),
                rx.spacer(),
                row_actions(charge_point_id=row.id, identity=row.identity),
                width="100%",
                align="center",
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
        custom_attrs={"data-testid": f"cp-card-{row.identity}"},
    )


# OCPP's values filter; the tab reads them in its language.
STATUS_FILTER = [(status, t(STATUS_NAMES[status])) for status in STATUS_COLOURS]
CHARGE_POINT_FILTERS = [
    Filter("online", t("Connection"), [("true", t("Online")), ("false", t("Offline"))]),
    Filter("status", t("Status"), STATUS_FILTER),
    Filter("faulted", t("Faulted"), [("true", t("Faulted")), ("false", t("Not faulted"))]),
    Filter(
        "registration",
        t("Registration"),
        [
            ("registered", t("Registered")),
            ("unregistered", t("Unregistered")),
            ("disabled", t("Disabled")),
        ],
    ),
    Filter("station_id", t("Station"), LiveListState.filter_options["station_id"]),
    Filter("area_id", t("Area"), LiveListState.filter_options["area_id"]),
]
CHARGE_POINT_HEADERS: list[str | rx.Var[str]] = [
    "",
    t("Charge point"),
    t("Connection"),
    t("Registration"),
    t("Status"),
    t("Connectors"),
    t("Last seen"),
    "",
]


def charge_point_rows() -> rx.Component:
    """The page's rows: a table on a desktop, cards on a phone (one page, 25-200 rows)."""
    return rx.fragment(
        bulk_toolbar(),
        bulk_results(),
        phone_or_wide(
            rx.vstack(
                rx.foreach(LiveListState.charge_points, charge_point_card),
                spacing="2",
                width="100%",
            ),
            data_table(
                CHARGE_POINT_HEADERS,
                LiveListState.charge_points,
                charge_point_row,
                testid="charge-points",
            ),
        ),
    )


def charge_points_section() -> rx.Component:
    return section(
        t("Charge points"),
        list_frame(
            LiveListState,
            charge_point_rows(),
            testid="live-charge-points",
            filters=CHARGE_POINT_FILTERS,
            empty_text=t("No charge point has connected yet."),
            search_placeholder=t("Search identity or station…"),
        ),
        right=rx.text(
            rx.cond(
                HomeState.counts.charge_points == 1,
                t("1 charge point"),
                t_with("{count} charge points", count=HomeState.counts.charge_points),
            ),
            size="2",
            custom_attrs={"data-testid": "charge-point-total"},
        ),
        testid="live-charge-points-section",
    )


SESSION_COLUMNS = [
    Column("id", t("Transaction")),
    Column("identity", t("Charge point"), href=lambda row: f"/charge-points/{row['identity']}"),
    Column("connector_id", t("Connector")),
    Column("id_tag", t("Id tag")),
    Column("start_time", t("Started")),
    Column("energy_wh", t("Energy")),
    Column("cost_minor", t("Cost so far")),
    Column("power_w", t("Power")),
    Column("current_a", t("Current"), sortable=False, on_phone=False),
    Column("voltage_v", t("Voltage"), sortable=False, on_phone=False),
    Column("soc_percent", t("SoC")),
]


def sessions_section() -> rx.Component:
    return section(
        t("Active sessions"),
        data_list(
            ActiveSessionListState,
            SESSION_COLUMNS,
            testid="sessions",
            empty_text=t("No session is running."),
            search_placeholder=t("Search charge point or id tag…"),
        ),
        right=rx.text(
            t_with("Total {power}", power=live_power()),
            size="2",
            custom_attrs={"data-testid": "sessions-power"},
        ),
        testid="live-sessions",
    )


def warning_text(w: ObjectVar[WarningRow]) -> rx.Component:
    """A data warning links to the charge point's Data issues tab, where it is resolved."""
    return rx.cond(
        w.kind == "data",
        rx.link(
            rx.text(rx.text.strong(w.identity), " · ", warning_message(w), size="2"),
            href="/charge-points/" + w.identity.to(str) + "?tab=" + DATA_ISSUES_TAB,
            color_scheme="violet",
            custom_attrs={"data-testid": f"warning-link-{w.key}"},
        ),
        rx.text(rx.text.strong(w.identity), " · ", warning_message(w), size="2"),
    )


def warning_row(row_var: rx.Var) -> rx.Component:
    w = row_var.to(ObjectVar, WarningRow)
    return rx.hstack(
        warning_badge(w.kind),
        warning_text(w),
        rx.spacer(),
        rx.text(w.since, size="1", color=rx.color("gray", 11)),
        align="center",
        width="100%",
        wrap="wrap",
        spacing="2",
        padding_y="6px",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        custom_attrs={"data-testid": f"warning-{w.key}"},
    )


def show_filtered(
    label: str | rx.Var[str], count: rx.Var | int, key: str, value: str, testid: str
) -> rx.Component:
    """A count of the network that lists those charge points when clicked."""
    return rx.button(
        label,
        " ",
        rx.text.strong(count),
        size="1",
        variant="soft",
        color_scheme="gray",
        on_click=LiveListState.show_only(key, value),
        custom_attrs={"data-testid": f"show-{testid}"},
    )


def warning_filters() -> rx.Component:
    counts = HomeState.counts
    return rx.flex(
        show_filtered(t("Faulted"), counts.faulted, "faulted", "true", "faulted"),
        show_filtered(t("Offline"), counts.offline, "online", "false", "offline"),
        show_filtered(
            t("Unregistered"), counts.unregistered, "registration", "unregistered", "unregistered"
        ),
        gap="8px",
        wrap="wrap",
    )


def warnings_section() -> rx.Component:
    return section(
        t("Warnings"),
        rx.vstack(
            rx.cond(
                HomeState.warnings.length() > 0,
                rx.card(
                    rx.vstack(
                        rx.foreach(HomeState.warnings, warning_row), spacing="0", width="100%"
                    ),
                    width="100%",
                    custom_attrs={"data-testid": "warnings"},
                ),
                empty_note(t("No warnings.")),
            ),
            rx.cond(
                HomeState.warnings_total > HomeState.warnings.length(),
                rx.text(
                    t_with(
                        "The first {shown} of {total} warnings. List the charge points behind "
                        "them:",
                        shown=HomeState.warnings.length(),
                        total=HomeState.warnings_total,
                    ),
                    size="2",
                    color=rx.color("gray", 11),
                ),
            ),
            warning_filters(),
            spacing="2",
            width="100%",
        ),
        testid="live-warnings",
    )


def live_monitoring_page() -> rx.Component:
    return app_shell(
        ROUTE,
        page_header(
            t("Live Monitoring"), "", live_indicator(HomeState.updated_at), testid="live-header"
        ),
        follow_language(ActiveSessionListState.follow_language, LiveListState.follow_language),
        warnings_section(),
        charge_points_section(),
        sessions_section(),
        command_dialog(),
        charge_point_password_dialog(),
    )
