"""Find a charger: the stations of the network on a map and as a list (/app, the app's start
page), and one station with every charge point and connector (/app/stations/<id>)."""

from __future__ import annotations

from typing import Any, cast

import reflex as rx
from reflex.vars import ObjectVar

from ccms_app.branding.components.brand import page_title
from ccms_app.driver_app.components.shell import app_page
from ccms_app.driver_app.components.station_cards import (
    MUTED,
    connector_facts,
    directions_link,
    favourite_button,
    hours_line,
    station_card,
    status_words,
)
from ccms_app.driver_app.components.station_filters import station_filters
from ccms_app.driver_app.components.station_map import station_map
from ccms_app.driver_app.rules.paths import APP
from ccms_app.driver_app.state.auth import DriverAuthState
from ccms_app.driver_app.state.stations import (
    ChargePointGroup,
    ConnectorRow,
    StationCard,
    StationPageState,
    StationsState,
)
from ccms_app.network.components.map import availability_badge, availability_word
from ccms_app.ui.i18n import t, t_with

STATION_ROUTE = "/app/stations/[station_id]"


def _note(text: Any, testid: str) -> rx.Component:
    return rx.callout(
        text, icon="info", size="1", width="100%", custom_attrs={"data-testid": testid}
    )


def _list() -> rx.Component:
    S = StationsState
    return rx.cond(
        S.cards.length() > 0,
        rx.vstack(
            rx.foreach(S.cards, lambda card: station_card(card, S.toggle_favourite(card.id))),
            spacing="3",
            width="100%",
            custom_attrs={"data-testid": "stations-list"},
        ),
        rx.cond(
            S.total > 0,
            rx.vstack(
                _note(t("No station matches these filters."), "stations-none-match"),
                rx.button(t("Clear the filters"), variant="soft", on_click=S.clear_filters),
                width="100%",
            ),
            _note(t("This network has no stations yet."), "stations-empty"),
        ),
    )


def stations_page() -> rx.Component:
    S = StationsState
    return app_page(
        t("Find a charger"),
        station_filters(),
        rx.cond(
            S.failed,
            rx.callout(
                t("The stations could not be loaded. Please try again in a moment."),
                icon="triangle-alert",
                color_scheme="red",
                width="100%",
                role="alert",
            ),
        ),
        rx.cond(
            S.loaded,
            rx.vstack(
                station_map(),
                rx.text(
                    t_with("{shown} of {total} stations", shown=S.cards.length(), total=S.total),
                    size="1",
                    color=MUTED,
                    custom_attrs={"data-testid": "stations-count", "aria-live": "polite"},
                ),
                _list(),
                spacing="3",
                width="100%",
            ),
            rx.center(rx.spinner(size="3"), padding="32px", width="100%"),
        ),
        rx.box(on_unmount=S.leave, display="none"),
    )


# --- one station ---------------------------------------------------------------------------


def _connector(row: ObjectVar[ConnectorRow]) -> rx.Component:
    return rx.vstack(
        connector_facts(row),
        status_words(row),
        rx.hstack(
            rx.cond(
                row.free,
                rx.button(
                    rx.link(
                        rx.icon("zap", size=14, aria_hidden="true"),
                        t("Charge here"),
                        href=row.charge_href,
                        underline="none",
                        custom_attrs={"data-testid": "charge-" + row.id.to_string()},
                    ),
                    as_child=True,
                ),
            ),
            rx.button(
                rx.link(
                    t("Reserve"),
                    href=row.reserve_href,
                    underline="none",
                    custom_attrs={"data-testid": "reserve-" + row.id.to_string()},
                ),
                variant="soft",
                as_child=True,
            ),
            spacing="2",
            wrap="wrap",
        ),
        spacing="2",
        padding_y="10px",
        border_top=f"1px solid {rx.color('gray', 4)}",
        width="100%",
        custom_attrs={
            "data-testid": "connector-" + row.id.to_string(),
            "data-availability": row.availability,
        },
    )


def _charge_point(group: ObjectVar[ChargePointGroup]) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(
                t_with("Charge point {identity}", identity=group.identity),
                size="2",
                weight="bold",
                word_break="break-all",
            ),
            rx.foreach(group.connectors, _connector),
            spacing="1",
            width="100%",
        ),
        width="100%",
        custom_attrs={"data-testid": "charge-point-" + group.identity.to(str)},
    )


def _station(card: ObjectVar[StationCard]) -> rx.Component:
    P = StationPageState
    return rx.vstack(
        rx.hstack(
            rx.vstack(
                rx.heading(card.name, size="4", as_="h2", word_break="break-word"),
                rx.text(card.address, size="2", color=MUTED, word_break="break-word"),
                spacing="1",
                min_width="0",
                flex="1",
            ),
            favourite_button(card, P.toggle_favourite),
            align="start",
            width="100%",
        ),
        rx.hstack(
            availability_badge(availability_word(card.availability), card.colour),
            rx.text(card.free_text, size="1", color=MUTED),
            spacing="2",
            align="center",
            wrap="wrap",
        ),
        hours_line(card),
        rx.cond(
            (card.open_state != "") & ~card.always_open,
            rx.text(
                t_with("Opening hours: {hours}", hours=card.opening_hours), size="1", color=MUTED
            ),
        ),
        directions_link(card),
        rx.cond(
            P.charge_points.length() > 0,
            rx.vstack(rx.foreach(P.charge_points, _charge_point), spacing="3", width="100%"),
            _note(t("No connectors at this station yet."), "station-no-connectors"),
        ),
        spacing="3",
        width="100%",
        custom_attrs={"data-testid": "station-page"},
    )


def station_page() -> rx.Component:
    P = StationPageState
    return app_page(
        t("Station"),
        rx.link(
            rx.hstack(
                rx.icon("arrow-left", size=14, aria_hidden="true"),
                t("All stations"),
                spacing="1",
                align="center",
            ),
            href=APP,
            size="2",
        ),
        rx.cond(
            P.loaded,
            rx.cond(
                P.not_found,
                rx.callout(
                    P.message,
                    icon="circle-help",
                    color_scheme="orange",
                    width="100%",
                    custom_attrs={"data-testid": "station-not-found"},
                ),
                _station(cast(ObjectVar[StationCard], P.card)),
            ),
            rx.center(rx.spinner(size="3"), padding="32px", width="100%"),
        ),
        rx.box(on_unmount=P.leave, display="none"),
    )


PAGES: list[tuple[Any, str, Any, list[Any]]] = [
    (
        stations_page,
        APP,
        page_title("Find a charger"),
        [DriverAuthState.require_driver, StationsState.load],
    ),
    (
        station_page,
        STATION_ROUTE,
        page_title("Station"),
        [DriverAuthState.require_driver, StationPageState.load],
    ),
]
