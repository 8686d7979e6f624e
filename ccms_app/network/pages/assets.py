"""Assets: the network inventory. Areas, stations, charge points, the charge points waiting to
be registered, and a live map of the stations, each list searchable, sortable and exportable."""

from __future__ import annotations

import reflex as rx

from ccms_app.accounts.state import AuthState
from ccms_app.branding.components.brand import page_title
from ccms_app.monitoring.state.home import HomeState
from ccms_app.network.components.csv_import import import_dialog, with_import
from ccms_app.network.components.forms import (
    area_dialog,
    charge_point_dialog,
    confirm_dialog,
    register_dialog,
    station_dialog,
)
from ccms_app.network.components.lists import (
    areas_list,
    charge_points_list,
    stations_list,
    unregistered_list,
)
from ccms_app.network.components.map import station_map
from ccms_app.network.state.lists import (
    AreaListState,
    AssetsPageState,
    ChargePointListState,
    StationListState,
    UnregisteredListState,
)
from ccms_app.ui.i18n import Text, t
from ccms_app.ui.layout import app_shell
from ccms_app.ui.page_header import live_indicator, page_header

ROUTE = "/assets"
TITLE = page_title("Assets")
ON_LOAD = [
    AuthState.require_login,
    HomeState.join,
    AssetsPageState.open_tab_from_url,
    AreaListState.load,
    StationListState.load,
    ChargePointListState.load,
    UnregisteredListState.load,
]


def _tab_label(label: Text, count: rx.Var[int] | int | None = None) -> rx.Component:
    """A tab's label, with an orange badge when `count` (a live state field) is above zero."""
    if count is None:
        return rx.text(label)
    number = rx.Var.create(count).to(int)  # a state field is a Var at runtime; typed as int
    return rx.hstack(
        rx.text(label),
        rx.cond(number > 0, rx.badge(number, color_scheme="orange", radius="full", size="1")),
        spacing="1",
        align="center",
    )


def _tabs() -> rx.Component:
    sections = [
        ("stations", _tab_label(t("Stations")), with_import("stations", stations_list())),
        (
            "charge-points",
            _tab_label(t("Charge points")),
            with_import("charge_points", charge_points_list()),
        ),
        (
            "unregistered",
            _tab_label(t("Unregistered"), HomeState.counts.unregistered),
            unregistered_list(),
        ),
        ("areas", _tab_label(t("Areas")), areas_list()),
        ("map", _tab_label(t("Map")), station_map()),
    ]
    return rx.tabs.root(
        rx.box(
            rx.tabs.list(
                *[
                    rx.tabs.trigger(
                        label, value=value, custom_attrs={"data-testid": f"tab-{value}"}
                    )
                    for value, label, _ in sections
                ],
                size="2",
                wrap="nowrap",
            ),
            overflow_x="auto",
            width="100%",
        ),
        *[
            rx.tabs.content(content, value=value, padding_top="16px")
            for value, _, content in sections
        ],
        value=AssetsPageState.tab,
        on_change=AssetsPageState.set_tab,
        width="100%",
    )


def page() -> rx.Component:
    return app_shell(
        ROUTE,
        page_header(
            t("Assets"),
            t("Stations, charge points and their registration"),
            live_indicator(HomeState.updated_at),
        ),
        _tabs(),
        station_dialog(),
        area_dialog(),
        charge_point_dialog(),
        register_dialog(),
        confirm_dialog(),
        import_dialog(),
    )
