"""Reserve a connector: the connector, how long to hold it, what that costs (shown before
anything is sent), the button, and the charge point's answer in words."""

from __future__ import annotations

import reflex as rx
from reflex.vars import ObjectVar

from ccms_app.driver_app.components.history_detail import fact
from ccms_app.driver_app.components.history_list import MUTED, icon_link, tone_of
from ccms_app.driver_app.state.reservations import DriverReserveState, FeeRow
from ccms_app.ui.i18n import t, t_with


def connector_card() -> rx.Component:
    s = DriverReserveState
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.vstack(
                    rx.heading(s.station, size="4", as_="h2", word_break="break-word"),
                    rx.cond(
                        s.address != "",
                        rx.text(s.address, size="2", color=MUTED, word_break="break-word"),
                    ),
                    spacing="0",
                    min_width="0",
                    flex="1",
                ),
                rx.badge(
                    s.state_label,
                    color_scheme=tone_of(s.state_colour),
                    variant="soft",
                    custom_attrs={"data-testid": "reserve-state"},
                ),
                align="start",
                width="100%",
            ),
            fact(t("Charger"), s.identity),
            fact(t("Connector"), s.connector_id),
            fact(t("Type"), s.connector_type),
            fact(t("Power"), s.power),
            fact(t("Price"), s.price),
            spacing="2",
            width="100%",
        ),
        width="100%",
    )


def _choice_item(row: ObjectVar[FeeRow]) -> rx.Component:
    return rx.segmented_control.item(row.label, value=row.minutes)


def duration_choice() -> rx.Component:
    s = DriverReserveState
    return rx.vstack(
        rx.text(t("Hold the connector for"), size="2", weight="medium", id="reserve-minutes"),
        rx.segmented_control.root(
            rx.foreach(s.choices, _choice_item),
            value=s.chosen,
            on_change=DriverReserveState.choose,
            size="2",
            width="100%",
            aria_labelledby="reserve-minutes",
            custom_attrs={"data-testid": "reserve-minutes"},
        ),
        spacing="1",
        width="100%",
    )


def fee_box() -> rx.Component:
    """What the chosen hold costs, before confirming (or that reserving is free)."""
    fee = DriverReserveState.chosen_fee
    return rx.callout(
        rx.vstack(
            rx.text(t("Reservation fee"), weight="bold", size="2"),
            rx.cond(fee.while_reserved != "", rx.text(fee.while_reserved, size="2")),
            rx.text(fee.if_unused, size="2"),
            rx.cond(
                DriverReserveState.tariff != "",
                rx.text(
                    t_with("Tariff: {name}", name=DriverReserveState.tariff),
                    size="1",
                    color=MUTED,
                ),
            ),
            spacing="1",
        ),
        icon="receipt",
        color_scheme="gray",
        width="100%",
        custom_attrs={"data-testid": "reserve-fee"},
    )


def refusal_box() -> rx.Component:
    s = DriverReserveState
    return rx.cond(
        ~s.can_reserve & (s.refusal != "") & ~s.outcome_ok,
        rx.callout(
            rx.vstack(
                rx.text(s.refusal),
                rx.cond(
                    s.action_path != "",
                    rx.link(s.action_label, href=s.action_path),
                ),
                spacing="1",
            ),
            icon="triangle-alert",
            color_scheme="amber",
            width="100%",
            custom_attrs={"data-testid": "reserve-refusal"},
        ),
    )


def outcome_box() -> rx.Component:
    s = DriverReserveState
    return rx.cond(
        s.outcome != "",
        rx.callout(
            rx.vstack(
                rx.text(s.outcome),
                rx.cond(
                    s.outcome_ok,
                    rx.link(t("Your reservations"), href="/app/reservations"),
                ),
                spacing="1",
            ),
            icon=rx.cond(s.outcome_ok, "circle-check", "circle-alert"),
            color_scheme=tone_of(s.outcome_tone),
            width="100%",
            role="status",
            custom_attrs={"data-testid": "reserve-outcome"},
        ),
    )


def reserve_button() -> rx.Component:
    s = DriverReserveState
    return rx.button(
        rx.icon("calendar-check", size=16, aria_hidden="true"),
        t_with("Reserve for {minutes} min", minutes=s.chosen),
        size="3",
        width="100%",
        loading=s.busy,
        disabled=~s.can_reserve,
        on_click=[DriverReserveState.mark_busy, DriverReserveState.reserve],
        custom_attrs={"data-testid": "reserve-submit"},
    )


def reserve_form() -> rx.Component:
    s = DriverReserveState
    return rx.vstack(
        icon_link("arrow-left", t("Stations"), "/app"),
        rx.cond(
            s.found,
            rx.vstack(
                connector_card(),
                outcome_box(),
                refusal_box(),
                duration_choice(),
                fee_box(),
                reserve_button(),
                rx.text(
                    t(
                        "The charger keeps the connector for you until the time is up; "
                        "start charging there before then. You can cancel at any time."
                    ),
                    size="1",
                    color=MUTED,
                ),
                spacing="3",
                width="100%",
            ),
            rx.cond(
                s.loaded,
                rx.callout(
                    t("This connector does not exist."),
                    icon="circle-alert",
                    color_scheme="gray",
                    width="100%",
                    custom_attrs={"data-testid": "reserve-not-found"},
                ),
            ),
        ),
        spacing="3",
        width="100%",
    )
