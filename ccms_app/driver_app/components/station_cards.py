"""A station as the driver app shows it: a card on the list (name, distance, hours,
availability, connectors with type, power and price) and the parts the station page reuses
(favourite star, directions link, connector rows with Charge here / Reserve)."""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.vars import ObjectVar

from ccms_app.driver_app.state.stations import ConnectorRow, StationCard
from ccms_app.network.components.map import availability_badge, availability_word
from ccms_app.ui.i18n import t, t_with
from ccms_app.ui.status import status_label

MUTED = rx.color("gray", 11)


def favourite_button(card: ObjectVar[StationCard], on_click: Any) -> rx.Component:
    """A star: filled when the station is a favourite (aria-pressed says so too)."""
    return rx.icon_button(
        rx.icon(
            "star",
            size=18,
            fill=rx.cond(card.favourite, "currentColor", "none"),
            aria_hidden="true",
        ),
        variant="ghost",
        color_scheme=rx.cond(card.favourite, "amber", "gray"),
        on_click=on_click,
        aria_label=rx.cond(card.favourite, t("Remove from favourites"), t("Add to favourites")),
        custom_attrs={
            "data-testid": "favourite-" + card.id.to_string(),
            "aria-pressed": rx.cond(card.favourite, "true", "false"),
        },
    )


def directions_link(card: ObjectVar[StationCard]) -> rx.Component:
    return rx.cond(
        card.nav_href != "",
        rx.link(
            rx.hstack(
                rx.icon("navigation", size=14, aria_hidden="true"),
                rx.text(t("Directions")),
                spacing="1",
                align="center",
            ),
            href=card.nav_href,
            is_external=True,
            rel="noopener noreferrer",
            size="2",
            aria_label=t_with("Directions to {name} (opens your maps)", name=card.name),
            custom_attrs={"data-testid": "directions-" + card.id.to_string()},
        ),
    )


def hours_line(card: ObjectVar[StationCard]) -> rx.Component:
    return rx.cond(
        card.hours != "",
        rx.hstack(
            rx.icon("clock", size=14, aria_hidden="true"),
            rx.text(
                card.hours,
                size="1",
                color=rx.cond(card.open_state == "closed", rx.color("red", 11), MUTED),
            ),
            spacing="1",
            align="center",
            min_width="0",
        ),
        rx.text(t_with("Opening hours: {hours}", hours=card.opening_hours), size="1", color=MUTED),
    )


def connector_facts(row: ObjectVar[ConnectorRow]) -> rx.Component:
    """ "free  Type2 · 22 kW   connector 1", then the driver's price."""
    return rx.vstack(
        rx.hstack(
            availability_badge(availability_word(row.availability), row.colour),
            rx.text(
                rx.cond(row.connector_type != "", row.connector_type, t("Connector")),
                rx.cond(row.power != "", " · " + row.power.to(str), ""),
                size="2",
                weight="medium",
            ),
            rx.spacer(),
            rx.text(
                t_with("connector {number}", number=row.connector_id),
                size="1",
                color=MUTED,
                white_space="nowrap",
            ),
            spacing="2",
            align="center",
            wrap="wrap",
            width="100%",
        ),
        rx.text(
            row.price,
            size="1",
            color=MUTED,
            word_break="break-word",
            custom_attrs={"data-testid": "price-" + row.id.to_string()},
        ),
        spacing="1",
        min_width="0",
        width="100%",
    )


def _list_connector(row: ObjectVar[ConnectorRow]) -> rx.Component:
    return rx.box(
        connector_facts(row),
        padding_y="6px",
        border_top=f"1px solid {rx.color('gray', 4)}",
        width="100%",
        custom_attrs={
            "data-testid": "connector-" + row.id.to_string(),
            "data-availability": row.availability,
        },
    )


def station_card(card: ObjectVar[StationCard], on_favourite: Any) -> rx.Component:
    """One station of the list; its name opens the station page."""
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.vstack(
                    rx.link(
                        card.name,
                        href=card.href,
                        weight="bold",
                        size="3",
                        word_break="break-word",
                        custom_attrs={"data-testid": "station-link-" + card.id.to_string()},
                    ),
                    rx.text(card.address, size="1", color=MUTED, word_break="break-word"),
                    spacing="0",
                    min_width="0",
                    flex="1",
                ),
                favourite_button(card, on_favourite),
                align="start",
                width="100%",
            ),
            rx.hstack(
                availability_badge(availability_word(card.availability), card.colour),
                rx.text(card.free_text, size="1", color=MUTED),
                rx.cond(
                    card.distance != "",
                    rx.text(
                        "· ",
                        card.distance,
                        size="1",
                        color=MUTED,
                        custom_attrs={"data-testid": "distance-" + card.id.to_string()},
                    ),
                ),
                spacing="2",
                align="center",
                wrap="wrap",
            ),
            hours_line(card),
            rx.vstack(rx.foreach(card.connectors, _list_connector), spacing="0", width="100%"),
            rx.hstack(
                directions_link(card),
                rx.spacer(),
                rx.link(t("Details"), href=card.href, size="2"),
                width="100%",
                align="center",
            ),
            spacing="2",
            width="100%",
            min_width="0",
        ),
        width="100%",
        custom_attrs={"data-testid": "station-" + card.id.to_string()},
    )


def status_words(row: ObjectVar[ConnectorRow]) -> rx.Component:
    """The charger's own status ("Charging") in the tab's language."""
    return rx.text(status_label(row.status), size="1", color=MUTED)
