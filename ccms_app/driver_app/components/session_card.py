"""A charging session as the driver sees it: the running one with its live figures and Stop,
the last finished one as a summary. Figures sit in a two-column grid that fits 360 px."""

from __future__ import annotations

import reflex as rx
from reflex.vars import ObjectVar

from ccms_app.driver_app.state.charging import ChargingState, SessionRow
from ccms_app.ui.i18n import Text, t, t_with

MUTED = rx.color("gray", 11)


def figure(label: Text, value: rx.Var[str] | str, testid: str) -> rx.Component:
    """One live figure: a small label over a big value."""
    return rx.vstack(
        rx.text(label, size="1", color=MUTED),
        rx.text(
            value,
            size="5",
            weight="bold",
            word_break="break-word",
            custom_attrs={"data-testid": testid, "aria-live": "polite"},
        ),
        spacing="0",
        min_width="0",
    )


def _heading(row: ObjectVar[SessionRow]) -> rx.Component:
    return rx.vstack(
        rx.heading(row.station_name, size="4", as_="h2", word_break="break-word"),
        rx.text(row.place, size="2", color=MUTED, word_break="break-word"),
        spacing="0",
        min_width="0",
    )


def live_session(row: ObjectVar[SessionRow]) -> rx.Component:
    """A running session: live energy, power, cost so far, duration (and SoC), then Stop."""
    return rx.card(
        rx.vstack(
            rx.hstack(
                _heading(row),
                rx.spacer(),
                rx.badge(
                    rx.icon("zap", size=12, aria_hidden="true"),
                    t("Charging"),
                    color_scheme="teal",
                    variant="solid",
                ),
                align="start",
                width="100%",
            ),
            rx.grid(
                figure(t("Energy"), row.energy, "session-energy"),
                figure(t("Cost so far"), row.cost, "session-cost"),
                figure(t("Power"), row.power, "session-power"),
                figure(t("Duration"), row.duration, "session-duration"),
                rx.cond(row.soc != "", figure(t("Battery"), row.soc, "session-soc")),
                columns="2",
                spacing="3",
                width="100%",
            ),
            rx.text(
                t_with("Started {time}", time=row.started_at),
                size="1",
                color=MUTED,
                word_break="break-word",
            ),
            rx.button(
                rx.icon("square", size=16, aria_hidden="true"),
                t("Stop charging"),
                color_scheme="red",
                size="3",
                width="100%",
                on_click=ChargingState.ask_stop(row.id),
                custom_attrs={"data-testid": "session-stop"},
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        custom_attrs={"data-testid": "live-session"},
    )


def finished_session(row: ObjectVar[SessionRow]) -> rx.Component:
    """The last finished session: where, when, energy, duration and what it cost."""
    return rx.card(
        rx.vstack(
            rx.text(t("Your last charge"), size="2", weight="medium", color=MUTED),
            _heading(row),
            rx.grid(
                figure(t("Energy"), row.energy, "last-energy"),
                figure(
                    rx.cond(row.cost_final, t("Cost"), t("Cost (being priced)")),
                    row.cost,
                    "last-cost",
                ),
                figure(t("Duration"), row.duration, "last-duration"),
                figure(t("Ended"), row.stopped_at, "last-ended"),
                columns="2",
                spacing="3",
                width="100%",
            ),
            rx.link(
                t("See all your sessions and receipts"),
                href="/app/history",
                size="2",
                custom_attrs={"data-testid": "to-history"},
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        custom_attrs={"data-testid": "last-session"},
    )
