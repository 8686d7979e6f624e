"""Load Balancing -> one site -> Live: the per-phase figures, every connector with why it is
capped, and planned vs measured vs the limit over the last 24 h.

Test ids: `lb-live-refresh`, `lb-fig-<limit|building|allocated|measured>-<l1|l2|l3>`,
`lb-live-<fact>`, `lb-connectors-*` (components/rows), `lb-live-chart`.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from ccms_app.core.i18n import N_
from ccms_app.load_balancing.components.rows import Col, rows_view
from ccms_app.load_balancing.state.live import LiveState as S
from ccms_app.ui.data_list import RowVar
from ccms_app.ui.dialogs import tid
from ccms_app.ui.i18n import Text, t, t_var, t_with

FIGURES = (
    ("limit", N_("Capacity for charging"), "gauge", "red"),
    ("building", N_("Building load"), "building-2", "gray"),
    ("allocated", N_("Allocated (planned)"), "zap", "teal"),
    ("measured", N_("Measured"), "activity", "blue"),
)


FACTS: Any = S.facts  # a dict var: its items are Vars on the page
PHASES = (("l1", N_("L1")), ("l2", N_("L2")), ("l3", N_("L3")))


def _figure(key: str, label: str, icon: str, colour: str) -> rx.Component:
    values = S.figures[key]
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.icon(icon, size=16, color=rx.color(colour, 11)),
                rx.text(t(label), size="2", color=rx.color("gray", 11)),
                spacing="2",
                align="center",
            ),
            rx.hstack(
                *[
                    rx.vstack(
                        rx.text(t(name), size="1", color=rx.color("gray", 10)),
                        rx.text(
                            values[phase],
                            size="3",
                            weight="bold",
                            white_space="nowrap",
                            custom_attrs=tid(f"lb-fig-{key}-{phase}"),
                        ),
                        spacing="0",
                    )
                    for phase, name in PHASES
                ],
                spacing="4",
                wrap="wrap",
            ),
            spacing="2",
        ),
        width="100%",
        min_width="0",
    )


def _fact(label: Text, key: str) -> rx.Component:
    return rx.hstack(
        rx.text(label, size="2", color=rx.color("gray", 11)),
        rx.text(t_var(FACTS[key]), size="2", weight="medium", custom_attrs=tid(f"lb-live-{key}")),
        spacing="1",
        wrap="wrap",
    )


def _reason(r: RowVar) -> rx.Component:
    return rx.cond(
        r["reason"] != "",
        rx.text(r["reason"], size="2", color=rx.color("amber", 11)),
        rx.text(t("full"), size="2", color=rx.color("green", 11)),
    )


def _profile(r: RowVar) -> rx.Component:
    """The charger's answer, and until when the live profile holds (station time)."""
    return rx.vstack(
        rx.text(r["profile"], size="2"),
        rx.cond(
            r["valid_until"] != "",
            rx.text(
                t_with("until {time}", time=r["valid_until"]), size="1", color=rx.color("gray", 10)
            ),
        ),
        spacing="0",
    )


def _point(r: RowVar) -> rx.Component:
    return rx.hstack(
        rx.link(r["charge_point"], href="/charge-points/" + r["charge_point"].to(str), size="2"),
        rx.cond(r["online"] == "offline", rx.badge(t("offline"), color_scheme="gray", size="1")),
        spacing="2",
        align="center",
        wrap="wrap",
    )


# Session and profile carry two facts each, so the table fits beside the sidebar at 1440 px.
CONNECTOR_COLUMNS = [
    Col("charge_point", t("Charge point"), render=_point),
    Col("connector", t("Connector")),
    Col("session", t("Transaction · id tag")),
    Col("priority", t("Priority")),
    Col("allocated", t("Allocated")),
    Col("measured", t("Measured")),
    Col("sent", t("Sent")),
    Col("profile", t("Profile"), render=_profile),
    Col("reason", t("Why capped"), render=_reason, wrap=True),
]


def _chart() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(t("Last 24 hours (highest phase)"), size="3"),
            rx.cond(
                S.has_history,
                rx.box(
                    rx.plotly.basic(
                        data=S.figure,
                        config={"displayModeBar": False, "responsive": True},
                        width="100%",
                        height="300px",
                    ),
                    width="100%",
                    custom_attrs=tid("lb-live-chart"),
                ),
                rx.text(
                    t("No decisions in the last 24 hours."), size="2", color=rx.color("gray", 10)
                ),
            ),
            rx.text(
                t_with("Station time ({zone})", zone=S.facts["zone"]),
                size="1",
                color=rx.color("gray", 10),
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
        min_width="0",
    )


def live_section() -> rx.Component:
    return rx.cond(
        S.loaded,
        rx.vstack(
            rx.flex(
                _fact(t("Plan:"), "plan"),
                _fact(t("Decided:"), "decided"),
                _fact(t("Trigger:"), "trigger"),
                _fact(t("Cars:"), "cars"),
                _fact(t("Capped:"), "capped"),
                rx.spacer(),
                rx.text(
                    t_with("Updated {time}", time=S.facts["updated"]),
                    size="1",
                    color=rx.color("gray", 10),
                ),
                rx.button(
                    rx.icon("refresh-cw", size=14),
                    t("Refresh"),
                    size="1",
                    variant="soft",
                    on_click=S.refresh,
                    custom_attrs=tid("lb-live-refresh"),
                ),
                gap="12px",
                row_gap="6px",
                wrap="wrap",
                align="center",
                width="100%",
            ),
            rx.cond(
                S.facts["building_note"] != "",
                rx.callout(
                    S.facts["building_note"],
                    icon="triangle-alert",
                    color_scheme="amber",
                    size="1",
                    width="100%",
                    custom_attrs=tid("lb-live-building-note"),
                ),
            ),
            rx.foreach(
                S.warnings,
                lambda w: rx.callout(
                    w,
                    icon="triangle-alert",
                    color_scheme="red",
                    size="1",
                    width="100%",
                    custom_attrs=tid("lb-live-warning"),
                ),
            ),
            rx.grid(
                *[_figure(*f) for f in FIGURES],
                columns=rx.breakpoints(initial="1", sm="2", lg="4"),
                gap="12px",
                width="100%",
            ),
            rows_view(
                S.connectors,
                CONNECTOR_COLUMNS,
                "lb-connectors",
                t("No charge point of this site has a connector yet."),
            ),
            _chart(),
            spacing="4",
            width="100%",
        ),
        rx.center(rx.spinner(), width="100%", padding="24px"),
    )
