"""The stations list's search and filters: text, connector type, minimum power, available
now, favourites only, and "near me" (the browser's position, when the driver allows it)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from ccms_app.driver_app.state.stations import ANY
from ccms_app.driver_app.state.stations import StationsState as S
from ccms_app.ui.form_fields import field_label
from ccms_app.ui.i18n import Text, t, t_with
from ccms_app.ui.inputs import text_input


def _search() -> rx.Component:
    return text_input(
        rx.input.slot(rx.icon("search", size=14, aria_hidden="true")),
        value=S.query,
        on_change=S.set_query,
        debounce_timeout=300,
        placeholder=t("Name, street or city"),
        aria_label=t("Search stations"),
        type="search",
        size="3",
        width="100%",
        custom_attrs={"data-testid": "stations-search"},
    )


def _select(label: Text, value: Any, on_change: Any, testid: str, items: Any) -> rx.Component:
    return rx.vstack(
        field_label(label, testid, size="1", color=rx.color("gray", 11)),
        rx.select.root(
            rx.select.trigger(
                id=testid, width="100%", aria_label=label, custom_attrs={"data-testid": testid}
            ),
            rx.select.content(rx.select.item(t("Any"), value=ANY), items),
            value=value,
            on_change=on_change,
            size="2",
        ),
        spacing="1",
        flex="1",
        min_width="0",
    )


def _switch(label: Text, checked: Any, on_change: Any, testid: str) -> rx.Component:
    return rx.el.label(
        rx.hstack(
            rx.switch(checked=checked, on_change=on_change, custom_attrs={"data-testid": testid}),
            rx.text(label, size="2"),
            spacing="2",
            align="center",
        ),
        cursor="pointer",
    )


def station_filters() -> rx.Component:
    return rx.vstack(
        _search(),
        rx.hstack(
            _select(
                t("Connector"),
                S.connector_type,
                S.set_connector_type,
                "filter-connector-type",
                rx.foreach(S.type_options, lambda o: rx.select.item(o, value=o)),
            ),
            _select(
                t("Minimum power"),
                S.min_power,
                S.set_min_power,
                "filter-min-power",
                rx.foreach(
                    S.power_options,
                    lambda o: rx.select.item(t_with("{power} kW", power=o), value=o),
                ),
            ),
            spacing="2",
            width="100%",
        ),
        rx.flex(
            _switch(t("Available now"), S.available_now, S.set_available_now, "filter-available"),
            _switch(t("Favourites"), S.favourites_only, S.set_favourites_only, "filter-favourites"),
            rx.button(
                rx.icon("locate-fixed", size=14, aria_hidden="true"),
                rx.cond(S.located, t("Nearest first"), t("Near me")),
                variant=rx.cond(S.located, "solid", "soft"),
                size="1",
                on_click=S.locate,
                custom_attrs={"data-testid": "stations-near-me"},
            ),
            gap="12px",
            wrap="wrap",
            align="center",
            width="100%",
        ),
        spacing="2",
        width="100%",
    )
