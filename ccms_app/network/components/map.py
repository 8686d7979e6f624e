"""The live station map: a plotly scattermap (OpenStreetMap tiles, loaded by the browser),
a legend with counts, and the stations as a list (also what a phone or a screen reader
uses, and what shows when the map tiles cannot load)."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
import reflex as rx
from reflex.vars import ObjectVar

from ccms_app.network.state.map import LegendRow, MarkerRow, StationMapState
from ccms_app.ui.i18n import t, t_with

MAP_CONFIG = {"displaylogo": False, "scrollZoom": True, "responsive": True}


def availability_label(availability: rx.Var) -> rx.Var:
    """A station's availability (network.rules.station_availability: free, busy, ...) as the
    legend names it, in the tab's language."""
    return rx.match(
        availability,
        ("free", t("Free")),
        ("busy", t("Busy")),
        ("faulted", t("Faulted / out of service")),
        ("offline", t("Offline")),
        availability.to(str),
    )


def availability_word(availability: rx.Var) -> rx.Var:
    """The availability as one word (a charge point's or station's badge), in the tab's
    language."""
    return rx.match(
        availability,
        ("free", t("free")),
        ("busy", t("busy")),
        ("faulted", t("faulted")),
        ("offline", t("offline")),
        availability.to(str),
    )


def availability_badge(
    availability: rx.Var[str] | str, colour: rx.Var[str] | str, **props: Any
) -> rx.Component:
    return rx.badge(availability, color_scheme=colour, variant="solid", radius="full", **props)


def _legend_item(row: ObjectVar[LegendRow]) -> rx.Component:
    return rx.hstack(
        rx.box(width="12px", height="12px", border_radius="50%", background=row.colour),
        rx.text(availability_label(row.availability), size="2"),
        rx.text(row.count, size="2", weight="bold"),
        align="center",
        spacing="2",
        custom_attrs={"data-testid": "map-legend-" + row.availability.to(str)},
    )


def _station_item(row: ObjectVar[MarkerRow]) -> rx.Component:
    return rx.hstack(
        availability_badge(availability_word(row.availability), row.colour),
        rx.link(row.name, href="/stations/" + row.id.to_string(), weight="medium", size="2"),
        rx.text(row.summary, size="1", color=rx.color("gray", 11)),
        rx.cond(
            row.positioned,
            rx.fragment(),
            rx.badge(t("no position"), color_scheme="gray", variant="outline", size="1"),
        ),
        align="center",
        spacing="2",
        wrap="wrap",
        padding_y="6px",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        width="100%",
        custom_attrs={"data-testid": "map-station-" + row.id.to_string()},
    )


def station_map() -> rx.Component:
    view = StationMapState.view
    return rx.vstack(
        rx.flex(
            rx.foreach(view.legend, _legend_item),
            gap="16px",
            wrap="wrap",
            custom_attrs={"data-testid": "map-legend"},
        ),
        rx.box(
            rx.cond(
                view.markers.length() > 0,
                rx.plotly(
                    data=view.figure.to(go.Figure),
                    config=MAP_CONFIG,
                    style={"width": "100%", "height": "520px"},
                ),
                rx.center(
                    rx.text(t("No stations yet."), size="2", color=rx.color("gray", 10)),
                    height="120px",
                ),
            ),
            width="100%",
            border=f"1px solid {rx.color('gray', 5)}",
            border_radius="8px",
            overflow="hidden",
            custom_attrs={"data-testid": "station-map"},
        ),
        rx.cond(
            view.unpositioned.to(int) > 0,
            rx.text(
                t_with(
                    "{count} station(s) have no coordinates and are not on the map: edit them "
                    "to add one.",
                    count=view.unpositioned,
                ),
                size="1",
                color=rx.color("gray", 11),
            ),
        ),
        rx.vstack(
            rx.foreach(view.markers, _station_item),
            spacing="0",
            width="100%",
            custom_attrs={"data-testid": "map-stations"},
        ),
        # The map reloads on pushes only while it is on screen.
        rx.box(on_mount=StationMapState.load, on_unmount=StationMapState.leave, display="none"),
        spacing="3",
        width="100%",
    )
