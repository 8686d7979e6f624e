"""What the Charging tab says around the sessions: "waiting for the charger" after a start,
the last command's outcome, and how to start when nothing runs."""

from __future__ import annotations

import reflex as rx

from ccms_app.driver_app.state.charging import ChargingState
from ccms_app.ui.i18n import t


def waiting_note() -> rx.Component:
    """After an accepted start, until the charger reports the session."""
    return rx.cond(
        ChargingState.waiting,
        rx.callout(
            rx.vstack(
                rx.hstack(
                    rx.spinner(size="2"),
                    rx.text(t("Waiting for the charger…"), weight="medium"),
                    align="center",
                    spacing="2",
                ),
                rx.text(ChargingState.waiting_place, size="2", word_break="break-word"),
                rx.text(
                    t(
                        "Plug in your car if you have not yet. Your session shows here once it "
                        "runs."
                    ),
                    size="2",
                ),
                rx.button(
                    t("Stop waiting"),
                    size="1",
                    variant="soft",
                    color_scheme="gray",
                    on_click=ChargingState.dismiss_waiting,
                ),
                spacing="2",
                align="start",
            ),
            icon="plug-zap",
            size="1",
            width="100%",
            role="status",
            custom_attrs={"data-testid": "waiting-for-charger"},
        ),
    )


def notice() -> rx.Component:
    return rx.cond(
        (ChargingState.notice != "") & ~ChargingState.waiting,
        rx.callout(
            ChargingState.notice,
            icon="info",
            size="1",
            width="100%",
            role="status",
            custom_attrs={"data-testid": "charging-notice"},
        ),
    )


def nothing_running_hint() -> rx.Component:
    """No session runs: how to start one."""
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.icon("qr-code", size=28, aria_hidden="true"),
                rx.text(
                    t("To charge, scan the QR code on a charger, or pick a station."),
                    size="3",
                    min_width="0",
                ),
                align="center",
                spacing="3",
            ),
            rx.link(
                rx.button(
                    rx.icon("map-pin", size=16, aria_hidden="true"),
                    t("Find a station"),
                    size="3",
                    width="100%",
                ),
                href="/app",
                width="100%",
                custom_attrs={"data-testid": "to-stations"},
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        custom_attrs={"data-testid": "no-session"},
    )
