"""The driver's reservations: open ones with Cancel, past ones with how they ended (and the
fee an unused one cost)."""

from __future__ import annotations

import reflex as rx
from reflex.vars import ObjectVar

from ccms_app.driver_app.components.history_list import MUTED, tone_of
from ccms_app.driver_app.state.reservations import DriverReservationsState, ReservationRow
from ccms_app.ui.i18n import t, t_with


def _cancel(row: ObjectVar[ReservationRow]) -> rx.Component:
    return rx.cond(
        row.cancellable,
        rx.button(
            t("Cancel reservation"),
            variant="soft",
            color_scheme="red",
            size="2",
            width="100%",
            loading=DriverReservationsState.busy_id == row.id,
            on_click=[
                DriverReservationsState.mark_cancelling(row.id),
                DriverReservationsState.cancel(row.id),
            ],
            custom_attrs={"data-testid": "reservation-cancel"},
        ),
    )


def reservation_card(row: ObjectVar[ReservationRow]) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.vstack(
                    rx.heading(row.station, size="3", as_="h2", word_break="break-word"),
                    rx.text(
                        t_with(
                            "{charger}, connector {n}", charger=row.charge_point, n=row.connector
                        ),
                        size="2",
                        color=MUTED,
                        word_break="break-word",
                    ),
                    spacing="0",
                    min_width="0",
                    flex="1",
                ),
                rx.badge(
                    row.status_label,
                    color_scheme=tone_of(row.tone),
                    variant="soft",
                    white_space="normal",
                    custom_attrs={"data-testid": "reservation-status"},
                ),
                align="start",
                width="100%",
            ),
            rx.text(t_with("Until {time}", time=row.until), size="2"),
            rx.text(t_with("Made {time}", time=row.made), size="1", color=MUTED),
            rx.cond(
                row.fee != "",
                rx.text(row.fee, size="2", custom_attrs={"data-testid": "reservation-fee"}),
            ),
            _cancel(row),
            spacing="2",
            width="100%",
        ),
        width="100%",
        custom_attrs={"data-testid": "reservation-row"},
    )


def reservation_list() -> rx.Component:
    s = DriverReservationsState
    return rx.vstack(
        rx.foreach(s.rows, reservation_card),
        rx.cond(
            s.loaded & (s.rows.length() == 0),
            rx.callout(
                rx.vstack(
                    rx.text(t("No reservations yet.")),
                    rx.text(
                        t("Reserve a connector from a station's page."),
                        size="2",
                        color=MUTED,
                    ),
                    rx.link(t("Find a charger"), href="/app"),
                    spacing="1",
                ),
                icon="info",
                width="100%",
                custom_attrs={"data-testid": "reservations-empty"},
            ),
        ),
        spacing="3",
        width="100%",
    )
