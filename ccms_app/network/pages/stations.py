"""One station: its details, its charge points with their live status, the latest sessions,
its open warnings and its place on the map (all pushed live, see network.state.station)."""

from __future__ import annotations

import plotly.graph_objects as go
import reflex as rx
from reflex.vars import ObjectVar

from ccms_app.accounts.state import AuthState
from ccms_app.branding.components.brand import page_title
from ccms_app.charging.components.session_table import sessions_table
from ccms_app.monitoring.state.home import HomeState
from ccms_app.monitoring.view import WarningRow
from ccms_app.network.components.forms import charge_point_dialog, confirm_dialog, station_dialog
from ccms_app.network.components.map import (
    MAP_CONFIG,
    availability_badge,
    availability_label,
    availability_word,
)
from ccms_app.network.components.qr_labels import qr_labels_button
from ccms_app.network.state.asset_actions import AssetActionState
from ccms_app.network.state.charge_point_forms import ChargePointFormState
from ccms_app.network.state.forms import StationFormState
from ccms_app.network.state.station import ConnectorBadge, StationChargePointRow
from ccms_app.network.state.station import StationDetailState as Station
from ccms_app.ui.cards import empty_note, section
from ccms_app.ui.i18n import Text, t
from ccms_app.ui.layout import app_shell
from ccms_app.ui.page_header import live_indicator
from ccms_app.ui.permissions import when_allowed
from ccms_app.ui.status import (
    online_badge,
    registration_badge,
    status_badge,
    status_label,
    warning_badge,
)
from ccms_app.ui.table import cell, data_table

ROUTE = "/stations/[station_id]"
TITLE = page_title("Station")
NAV_ROUTE = "/assets"
ON_LOAD = [AuthState.require_login, HomeState.join, Station.load]


def _fact(label: Text, value: rx.Var | str, testid: str) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", color=rx.color("gray", 11)),
        rx.text(
            value,
            size="2",
            weight="medium",
            word_break="break-word",
            custom_attrs={"data-testid": testid},
        ),
        spacing="0",
        min_width="0",
    )


def _header() -> rx.Component:
    sid = Station.current_id.to_string()
    return rx.flex(
        rx.vstack(
            rx.link(
                rx.hstack(rx.icon("arrow-left", size=14), t("Assets"), align="center"),
                href=NAV_ROUTE,
                size="2",
            ),
            rx.hstack(
                rx.heading(
                    Station.name, size="6", custom_attrs={"data-testid": "stationpage-name"}
                ),
                availability_badge(
                    availability_label(Station.live.availability),
                    Station.live.availability_colour,
                    custom_attrs={"data-testid": "stationpage-availability"},
                ),
                align="center",
                wrap="wrap",
            ),
            spacing="1",
        ),
        rx.spacer(),
        qr_labels_button("stations", Station.current_id, "stationpage-qr-labels"),
        when_allowed(
            StationFormState.save,
            _edit_buttons(sid),
        ),
        live_indicator(HomeState.updated_at),
        width="100%",
        align="end",
        wrap="wrap",
        gap="8px",
    )


def _edit_buttons(sid: rx.Var[str]) -> rx.Component:
    """Edit, add a charge point, delete: for roles with assets:edit."""
    return rx.hstack(
        rx.button(
            rx.icon("pencil", size=14),
            t("Edit"),
            variant="soft",
            on_click=StationFormState.open_edit(sid),
            custom_attrs={"data-testid": "stationpage-edit"},
        ),
        rx.button(
            rx.icon("plus", size=14),
            t("Charge point"),
            variant="soft",
            on_click=ChargePointFormState.open_new(sid),
            custom_attrs={"data-testid": "stationpage-add-cp"},
        ),
        rx.button(
            t("Delete"),
            variant="soft",
            color_scheme="red",
            on_click=AssetActionState.ask("delete-station", sid, Station.name),
        ),
        spacing="2",
        wrap="wrap",
    )


def _details() -> rx.Component:
    return rx.card(
        rx.grid(
            _fact(t("Address"), Station.address, "stationpage-address"),
            _fact(t("Area"), Station.area, "stationpage-area"),
            _fact(t("Owner"), Station.organisation, "stationpage-owner"),
            _fact(t("Time zone"), Station.timezone, "stationpage-timezone"),
            _fact(t("Opening hours"), Station.opening_hours, "stationpage-hours"),
            _fact(
                t("Position"),
                rx.cond(Station.has_position, Station.position, t("not set")),
                "stationpage-position",
            ),
            _fact(t("Availability"), Station.live.summary, "stationpage-summary"),
            columns=rx.breakpoints(initial="1", sm="2", md="4"),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _connector(c: ObjectVar[ConnectorBadge]) -> rx.Component:
    # "1: Charging": the connector id and its status in the tab's language
    return status_badge(
        c.status, label=c.connector_id.to_string() + ": " + status_label(c.status).to(str)
    )


def _charge_point_row(row: ObjectVar[StationChargePointRow]) -> rx.Component:
    return rx.table.row(
        cell(
            rx.link(
                row.identity,
                href="/charge-points/" + row.identity.to(str),
                weight="medium",
                custom_attrs={"data-testid": "stationpage-cp-" + row.identity.to(str)},
            )
        ),
        cell(availability_badge(availability_word(row.availability), row.availability_colour)),
        cell(online_badge(row.online)),
        cell(registration_badge(row.registration)),
        cell(
            rx.cond(
                row.enabled,
                rx.badge(t("In service"), color_scheme="green", variant="soft"),
                rx.badge(t("Disabled"), color_scheme="orange", variant="soft"),
            )
        ),
        cell(status_badge(row.status)),
        cell(rx.flex(rx.foreach(row.connectors, _connector), gap="4px", wrap="wrap")),
    )


def _charge_points() -> rx.Component:
    return section(
        t("Charge points"),
        rx.cond(
            Station.live.charge_points.length() > 0,
            data_table(
                [
                    t("Charge point"),
                    t("Availability"),
                    t("Connection"),
                    t("Registration"),
                    t("Usage"),
                    t("Status"),
                    t("Connectors"),
                ],
                Station.live.charge_points,
                _charge_point_row,
                testid="stationpage-charge-points",
            ),
            empty_note(t("No charge points at this station yet.")),
        ),
    )


def _sessions() -> rx.Component:
    return section(
        t("Recent sessions"),
        sessions_table(
            Station.live.sessions.to(list),
            with_charge_point=True,
            testid="stationpage-sessions",
            empty=t("No sessions at this station yet."),
        ),
    )


def _warning(w: ObjectVar[WarningRow]) -> rx.Component:
    return rx.hstack(
        warning_badge(w.kind),
        rx.text(rx.text.strong(w.identity), " · ", w.message, size="2"),
        rx.spacer(),
        rx.text(w.since, size="1", color=rx.color("gray", 11)),
        align="center",
        width="100%",
        wrap="wrap",
        spacing="2",
        padding_y="6px",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
    )


def _warnings() -> rx.Component:
    return section(
        t("Open alarms and warnings"),
        rx.cond(
            Station.live.warnings.length() > 0,
            rx.card(
                rx.vstack(rx.foreach(Station.live.warnings, _warning), spacing="0", width="100%"),
                width="100%",
                custom_attrs={"data-testid": "stationpage-warnings"},
            ),
            empty_note(t("No open alarms or warnings.")),
        ),
    )


def _map() -> rx.Component:
    return section(
        t("On the map"),
        rx.cond(
            Station.has_position,
            rx.box(
                rx.plotly(
                    data=Station.live.figure.to(go.Figure),
                    config=MAP_CONFIG,
                    style={"width": "100%", "height": "320px"},
                ),
                width="100%",
                border=f"1px solid {rx.color('gray', 5)}",
                border_radius="8px",
                overflow="hidden",
                custom_attrs={"data-testid": "stationpage-map"},
            ),
            empty_note(t("No coordinates set: edit the station to place it on the map.")),
        ),
    )


def _not_found() -> rx.Component:
    return rx.callout(
        t("There is no such station in your network."),
        icon="circle-help",
        color_scheme="orange",
        width="100%",
        custom_attrs={"data-testid": "stationpage-not-found"},
    )


def _body() -> rx.Component:
    return rx.vstack(
        _details(), _charge_points(), _warnings(), _sessions(), _map(), spacing="5", width="100%"
    )


def page() -> rx.Component:
    return app_shell(
        NAV_ROUTE,
        _header(),
        rx.cond(
            Station.not_found,
            _not_found(),
            rx.cond(Station.loaded, _body(), rx.center(rx.spinner(size="3"), padding="48px")),
        ),
        station_dialog(),
        charge_point_dialog(),
        confirm_dialog(),
        rx.box(on_unmount=Station.leave, display="none"),
    )
