"""One charge point: what it is, its live status, and everything an operator does with it
(commands and their history, recent sessions, configuration, reservations, the OCPP message
log)."""

from __future__ import annotations

from typing import cast

import reflex as rx

from ccms_app.branding.components.brand import page_title
from ccms_app.charging.components.data_issues_tab import data_issues_section
from ccms_app.charging.components.reservations import reservations_section
from ccms_app.charging.components.sessions_tab import sessions_section
from ccms_app.charging.state.data_issues_tab import DATA_ISSUES_TAB, ChargePointTabState
from ccms_app.charging.state.reservations import ChargePointReservationState
from ccms_app.control.components.commands_tab import commands_section
from ccms_app.control.components.configuration_tab import configuration_section
from ccms_app.control.components.message_log_tab import message_log_section
from ccms_app.control.components.overview import identity_card, live_status
from ccms_app.control.components.smart_charging_tab import smart_charging_section
from ccms_app.control.state.charge_point import ChargePointDetailState as Detail
from ccms_app.control.state.charge_point import reset_sections_on_load
from ccms_app.control.state.configuration import ChargePointConfigState
from ccms_app.control.state.message_log import LOG_TAB, MessageLogState
from ccms_app.core.i18n import N_
from ccms_app.drivers.local_lists.components.charge_point_tab import local_list_section
from ccms_app.monitoring.state.charge_point_feed import SESSIONS_TAB, ChargePointLiveState
from ccms_app.network.components.cp_security import security_section
from ccms_app.network.components.forms import charge_point_dialog, register_dialog
from ccms_app.network.components.qr_labels import qr_labels_button
from ccms_app.network.state.charge_point_forms import ChargePointFormState, RegisterFormState
from ccms_app.ui.i18n import t, t_with
from ccms_app.ui.layout import app_shell
from ccms_app.ui.page_header import live_indicator
from ccms_app.ui.permissions import when_allowed

ROUTE = "/charge-points/[identity]"
TITLE = page_title("Charge point")
NAV_ROUTE = "/live"  # the navigation entry this page belongs to
_CP_ID = cast(rx.Var[int], Detail.charge_point_id)  # a state field: a Var on the class

reset_sections_on_load(
    ChargePointConfigState.reset_section,
    ChargePointReservationState.reset_section,
    MessageLogState.reset_section,
)


def _header() -> rx.Component:
    return rx.flex(
        rx.vstack(
            rx.link(
                rx.hstack(rx.icon("arrow-left", size=14), t("Live Monitoring"), align="center"),
                href=NAV_ROUTE,
                size="2",
                custom_attrs={"data-testid": "back-to-live"},
            ),
            rx.heading(
                Detail.identity,
                size="6",
                word_break="break-all",
                custom_attrs={"data-testid": "cp-identity"},
            ),
            spacing="1",
        ),
        rx.spacer(),
        qr_labels_button("charge-points", Detail.charge_point_id, "cp-qr-labels"),
        rx.cond(
            Detail.unregistered,
            when_allowed(
                RegisterFormState.save,
                rx.button(
                    rx.icon("circle-plus", size=14),
                    t("Register"),
                    on_click=RegisterFormState.open_here(_CP_ID.to(str)),
                    custom_attrs={"data-testid": "cp-register"},
                ),
            ),
        ),
        when_allowed(
            ChargePointFormState.save,
            rx.button(
                rx.icon("pencil", size=14),
                t("Edit"),
                variant="soft",
                on_click=ChargePointFormState.open_edit_identity(Detail.identity),
                disabled=~Detail.loaded | Detail.not_found,
                custom_attrs={"data-testid": "cp-edit"},
            ),
        ),
        live_indicator(ChargePointLiveState.updated_at),
        width="100%",
        align="end",
        wrap="wrap",
        gap="8px",
    )


def _sections() -> list[tuple[str, str, rx.Component]]:
    """(tab value, its name: a message id, its content)."""
    return [
        ("commands", N_("Commands"), commands_section()),
        (SESSIONS_TAB, N_("Sessions"), sessions_section()),
        ("configuration", N_("Configuration"), configuration_section()),
        ("reservations", N_("Reservations"), reservations_section()),
        ("smart-charging", N_("Smart charging"), smart_charging_section()),
        ("local-list", N_("Local list"), local_list_section()),
        (LOG_TAB, N_("Message log"), message_log_section()),
        (DATA_ISSUES_TAB, N_("Data issues"), data_issues_section()),
        ("security", N_("Security"), security_section()),
    ]


def _tabs() -> rx.Component:
    sections = _sections()
    return rx.tabs.root(
        rx.box(
            rx.tabs.list(
                *[
                    rx.tabs.trigger(
                        t(label), value=value, custom_attrs={"data-testid": f"tab-{value}"}
                    )
                    for value, label, _ in sections
                ],
                size="2",
                # On a phone the nine tabs wrap onto rows: a scrolled strip hid six of them.
                flex_wrap=rx.breakpoints(initial="wrap", md="nowrap"),
            ),
            overflow_x="auto",
            width="100%",
        ),
        *[
            rx.tabs.content(content, value=value, padding_top="16px")
            for value, _, content in sections
        ],
        value=ChargePointTabState.tab,  # ?tab= opens a tab (e.g. from a data warning)
        on_change=ChargePointTabState.set_tab,
        width="100%",
    )


def _not_found() -> rx.Component:
    return rx.callout(
        rx.text(
            t_with("There is no charge point {identity} in your network.", identity=Detail.identity)
        ),
        icon="circle-help",
        color_scheme="orange",
        width="100%",
        custom_attrs={"data-testid": "cp-not-found"},
    )


def _unregistered() -> rx.Component:
    """A charger that connected with an unknown identity waits as Pending: say so, and how."""
    return rx.cond(
        Detail.unregistered,
        rx.callout(
            t(
                "Not registered yet: the charger waits as Pending until it is assigned to a "
                "station. Register it to accept it."
            ),
            icon="circle-alert",
            color_scheme="orange",
            width="100%",
            custom_attrs={"data-testid": "cp-unregistered"},
        ),
    )


def _body() -> rx.Component:
    return rx.vstack(
        _unregistered(), live_status(), identity_card(), _tabs(), spacing="4", width="100%"
    )


def charge_point_detail_page() -> rx.Component:
    return app_shell(
        NAV_ROUTE,
        _header(),
        rx.cond(
            Detail.not_found,
            _not_found(),
            rx.cond(Detail.loaded, _body(), rx.center(rx.spinner(size="3"), padding="48px")),
        ),
        charge_point_dialog(),  # the Edit button's form (Assets)
        register_dialog(),  # the Register button's form, for a charger nobody registered yet
    )
