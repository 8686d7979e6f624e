"""The stations on a map, drawn as the operator's station map draws them
(`network.state.map.build_figure`: a plotly scattermap on OpenStreetMap tiles the browser
loads, one trace per availability so the legend explains the colours). A tap on a marker
opens its station. The list below it says the same for screen readers and when the tiles
cannot load."""

from __future__ import annotations

import plotly.graph_objects as go
import reflex as rx

from ccms_app.driver_app.state.stations import StationsState as S
from ccms_app.network.components.map import MAP_CONFIG
from ccms_app.ui.i18n import t

PHONE_MAP_HEIGHT = "260px"


def station_map() -> rx.Component:
    return rx.cond(
        S.on_map > 0,
        rx.box(
            rx.plotly(
                data=S.figure.to(go.Figure),
                config=MAP_CONFIG | {"scrollZoom": False},  # a page scroll is not a zoom
                on_click=S.open_marker,
                style={"width": "100%", "height": PHONE_MAP_HEIGHT},
            ),
            width="100%",
            height=PHONE_MAP_HEIGHT,  # kept while plotly loads: the list does not jump
            border=f"1px solid {rx.color('gray', 5)}",
            border_radius="8px",
            overflow="hidden",
            custom_attrs={
                "data-testid": "stations-map",
                "role": "region",
                "aria-label": t("Map of the stations"),
            },
        ),
    )
