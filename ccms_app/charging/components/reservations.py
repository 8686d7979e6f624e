"""The reservations section of a charge point page: reserve a connector, list, cancel."""

from __future__ import annotations

import reflex as rx
from reflex.vars import ObjectVar

from ccms_app.charging.state.reservations import ChargePointReservationState as Reservations
from ccms_app.control.components.command_form import labelled
from ccms_app.control.state.charge_point import ChargePointDetailState as Detail
from ccms_app.core.i18n import N_
from ccms_app.monitoring.charge_point_view import ReservationRow
from ccms_app.monitoring.state.charge_point_feed import ChargePointLiveState as Live
from ccms_app.ui.cards import empty_note
from ccms_app.ui.i18n import t
from ccms_app.ui.inputs import text_input
from ccms_app.ui.permissions import allowed, when_allowed
from ccms_app.ui.table import cell, data_table

RESERVATION_COLOURS = {
    "accepted": "green",
    "requested": "blue",
    "used": "teal",
    "cancelled": "gray",
    "expired": "gray",
}
RESERVATION_NAMES = {
    "accepted": N_("accepted"),
    "requested": N_("requested"),
    "used": N_("used"),
    "cancelled": N_("cancelled"),
    "expired": N_("expired"),
    "faulted": N_("faulted"),
    "occupied": N_("occupied"),
    "rejected": N_("rejected"),
    "unavailable": N_("unavailable"),
    "failed": N_("failed"),
    "timed_out": N_("timed out"),
    "offline": N_("offline"),
}


def _status_label(status: rx.Var) -> rx.Var:
    """A reservation's status in the tab's language (unknown ones as they are)."""
    return rx.match(
        status, *[(key, t(name)) for key, name in RESERVATION_NAMES.items()], status.to(str)
    )


def _form() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.grid(
                labelled(
                    t("Connector (0 = any)"),
                    rx.select(
                        Detail.connector0_options,
                        value=Reservations.connector_id,
                        on_change=Reservations.set_connector_id,
                        width="100%",
                        custom_attrs={"data-testid": "reserve-connector"},
                    ),
                ),
                labelled(
                    t("Id tag"),
                    text_input(
                        value=Reservations.id_tag,
                        on_change=Reservations.set_id_tag,
                        max_length=20,
                        placeholder=t("RFID card or app id tag"),
                        width="100%",
                        custom_attrs={"data-testid": "reserve-id-tag"},
                    ),
                ),
                labelled(
                    t("Expires in (minutes)"),
                    text_input(
                        value=Reservations.minutes,
                        on_change=Reservations.set_minutes,
                        type="number",
                        min="1",
                        width="100%",
                        custom_attrs={"data-testid": "reserve-minutes"},
                    ),
                ),
                columns=rx.breakpoints(initial="1", sm="3"),
                spacing="3",
                width="100%",
            ),
            rx.cond(
                Reservations.message != "",
                rx.callout(
                    Reservations.message,
                    icon=rx.cond(Reservations.message_ok, "circle-check", "info"),
                    color_scheme=rx.cond(Reservations.message_ok, "green", "red"),
                    size="1",
                    width="100%",
                    custom_attrs={"data-testid": "reserve-message"},
                ),
            ),
            rx.button(
                rx.icon("calendar-plus", size=14),
                t("Reserve"),
                on_click=Reservations.reserve,
                loading=Reservations.busy,
                align_self="end",
                custom_attrs={"data-testid": "reserve-send"},
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _row(row_var: rx.Var) -> rx.Component:
    r = row_var.to(ObjectVar, ReservationRow)
    return rx.table.row(
        cell(r.id),
        cell(r.connector_id),
        cell(r.id_tag),
        cell(r.expires),
        cell(
            rx.badge(
                _status_label(r.status),
                color_scheme=rx.match(r.status, *RESERVATION_COLOURS.items(), "orange"),
                variant="soft",
            )
        ),
        cell(
            rx.cond(
                r.is_open & allowed(Reservations.cancel),
                rx.button(
                    t("Cancel"),
                    size="1",
                    variant="soft",
                    color_scheme="red",
                    on_click=Reservations.cancel(r.id),
                    disabled=Reservations.busy,
                    custom_attrs={"data-testid": f"reservation-cancel-{r.id}"},
                ),
            )
        ),
        custom_attrs={"data-testid": f"reservation-{r.id}"},
    )


def reservations_section() -> rx.Component:
    return rx.vstack(
        when_allowed(Reservations.reserve, _form()),
        rx.cond(
            Live.reservations.length() > 0,
            data_table(
                [t("Id"), t("Connector"), t("Id tag"), t("Expires"), t("Status"), ""],
                Live.reservations,
                _row,
                testid="reservations",
            ),
            empty_note(t("No reservation on this charge point.")),
        ),
        spacing="3",
        width="100%",
    )
