"""The QR label's page: the connector (station, charger, state, type, power, price), why the
driver cannot start if they cannot (with what to do), and the big "Start charging" button."""

from __future__ import annotations

import reflex as rx

from ccms_app.driver_app.state.charging import ConnectorStartState as S
from ccms_app.ui.i18n import Text, t, t_with

MUTED = rx.color("gray", 11)


def _fact(icon: str, label: Text, value: rx.Var[str], testid: str) -> rx.Component:
    return rx.cond(
        value != "",
        rx.hstack(
            rx.icon(icon, size=16, aria_hidden="true", flex_shrink="0"),
            rx.text(label, size="2", color=MUTED, flex_shrink="0"),
            rx.text(
                value,
                size="2",
                weight="medium",
                word_break="break-word",
                min_width="0",
                custom_attrs={"data-testid": testid},
            ),
            spacing="2",
            align="start",
            width="100%",
        ),
    )


def offer_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.vstack(
                    rx.heading(S.station_name, size="4", as_="h2", word_break="break-word"),
                    rx.cond(
                        S.station_address != "",
                        rx.text(S.station_address, size="2", color=MUTED, word_break="break-word"),
                    ),
                    rx.text(
                        t_with(
                            "Charger {identity} · connector {connector}",
                            identity=S.identity,
                            connector=S.connector_id,
                        ),
                        size="2",
                        color=MUTED,
                        word_break="break-word",
                    ),
                    spacing="1",
                    min_width="0",
                ),
                rx.spacer(),
                rx.badge(
                    S.state_label,
                    color_scheme=S.state_colour,
                    size="2",
                    custom_attrs={"data-testid": "connector-state"},
                ),
                align="start",
                width="100%",
            ),
            _fact("plug", t("Type"), S.connector_type, "connector-type"),
            _fact("gauge", t("Power"), S.power, "connector-power"),
            _fact("tag", t("Your price"), S.price, "connector-price"),
            spacing="3",
            width="100%",
        ),
        width="100%",
        custom_attrs={"data-testid": "connector-offer"},
    )


def refusal() -> rx.Component:
    """Why the driver cannot start here, and the button that fixes it when there is one."""
    return rx.cond(
        S.refusal != "",
        rx.callout(
            rx.vstack(
                rx.text(S.refusal, custom_attrs={"data-testid": "start-refusal"}),
                rx.cond(
                    S.action_path != "",
                    rx.link(
                        rx.button(S.action_label, size="2", variant="soft"),
                        href=S.action_path,
                        custom_attrs={"data-testid": "refusal-action"},
                    ),
                ),
                spacing="2",
                align="start",
            ),
            icon="circle-alert",
            color_scheme="amber",
            size="1",
            width="100%",
            role="status",
        ),
    )


def start_error() -> rx.Component:
    return rx.cond(
        S.error != "",
        rx.callout(
            S.error,
            icon="triangle-alert",
            color_scheme="red",
            size="1",
            width="100%",
            role="alert",
            custom_attrs={"data-testid": "start-error"},
        ),
    )


def start_button() -> rx.Component:
    return rx.button(
        rx.icon("zap", size=20, aria_hidden="true"),
        rx.cond(S.starting, t("Starting…"), t("Start charging")),
        size="4",
        width="100%",
        loading=S.starting,
        disabled=~S.can_start,
        on_click=[S.mark_starting, S.start],
        custom_attrs={"data-testid": "start-charging"},
    )


def not_found() -> rx.Component:
    return rx.callout(
        rx.vstack(
            rx.text(t("This charger is not part of this network, or the code is wrong.")),
            rx.link(t("Find a station"), href="/app"),
            spacing="2",
            align="start",
        ),
        icon="circle-help",
        color_scheme="gray",
        width="100%",
        custom_attrs={"data-testid": "connector-not-found"},
    )


def connector_start() -> rx.Component:
    """The whole page's content: the offer, what stops the driver, Start."""
    return rx.cond(
        S.not_found,
        not_found(),
        rx.cond(
            S.loaded,
            rx.vstack(
                offer_card(),
                refusal(),
                start_error(),
                start_button(),
                spacing="4",
                width="100%",
            ),
            rx.center(rx.spinner(size="3"), width="100%", padding="24px"),
        ),
    )
