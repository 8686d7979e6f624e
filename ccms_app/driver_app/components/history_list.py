"""The charging history as cards that fit 360 px: where and when, how much energy, what it
cost (or why there is no final amount yet), how it was paid, the receipt."""

from __future__ import annotations

import reflex as rx
from reflex.vars import ObjectVar

from ccms_app.driver_app.state.history import DriverHistoryState, HistoryRow
from ccms_app.ui.i18n import Text, t, t_with

MUTED = rx.color("gray", 11)
TONES = ("green", "amber", "red", "blue", "teal")


def tone_of(tone: rx.Var[str] | str) -> rx.Var:
    """A row's tone word as a Radix colour scheme (gray for anything else)."""
    return rx.match(tone, *((name, name) for name in TONES), "gray")


def icon_link(icon: str, text: Text, href: str, testid: str = "") -> rx.Component:
    """A small link with its icon (back links, "Your reservations")."""
    return rx.link(
        rx.hstack(
            rx.icon(icon, size=16, aria_hidden="true"),
            rx.text(text, size="2"),
            spacing="1",
            align="center",
        ),
        href=href,
        custom_attrs={"data-testid": testid} if testid else {},
    )


def receipt_link(row: ObjectVar[HistoryRow]) -> rx.Component:
    return rx.cond(
        row.receipt_url != "",
        rx.link(
            rx.hstack(
                rx.icon("file-text", size=14, aria_hidden="true"),
                rx.text(t("Receipt (PDF)"), size="2"),
                spacing="1",
                align="center",
            ),
            href=row.receipt_url,
            is_external=True,
            custom_attrs={"data-testid": "history-receipt"},
        ),
    )


def cost_block(row: ObjectVar[HistoryRow]) -> rx.Component:
    """The amount (when shown) and what to know about it."""
    return rx.vstack(
        rx.cond(
            row.amount != "",
            rx.text(
                row.amount,
                size="4",
                weight="bold",
                white_space="nowrap",
                custom_attrs={"data-testid": "history-amount"},
            ),
        ),
        rx.cond(
            row.cost_note != "",
            rx.badge(
                row.cost_note,
                color_scheme=tone_of(row.cost_tone),
                variant="soft",
                white_space="normal",
                custom_attrs={"data-testid": "history-cost-note"},
            ),
        ),
        spacing="1",
        align="end",
        min_width="0",
        max_width="50%",
    )


def history_card(row: ObjectVar[HistoryRow]) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.vstack(
                    rx.link(
                        rx.heading(row.station, size="3", as_="h2", word_break="break-word"),
                        href=row.href,
                        underline="hover",
                        color="inherit",
                        custom_attrs={"data-testid": "history-open"},
                    ),
                    rx.text(row.started, size="2", color=MUTED),
                    spacing="0",
                    min_width="0",
                    flex="1",
                ),
                cost_block(row),
                align="start",
                width="100%",
                spacing="2",
            ),
            rx.hstack(
                rx.text(t_with("Connector {n}", n=row.connector), size="2", color=MUTED),
                rx.cond(row.duration != "", rx.text(row.duration, size="2", color=MUTED)),
                rx.cond(row.energy != "", rx.text(row.energy, size="2", color=MUTED)),
                spacing="3",
                wrap="wrap",
            ),
            rx.hstack(
                rx.cond(
                    row.paid != "",
                    rx.text(row.paid, size="2", custom_attrs={"data-testid": "history-paid"}),
                ),
                rx.spacer(),
                receipt_link(row),
                width="100%",
                wrap="wrap",
                spacing="2",
                align="center",
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
        custom_attrs={"data-testid": "history-row"},
    )


def empty_history() -> rx.Component:
    return rx.callout(
        rx.vstack(
            rx.text(t("No charging sessions yet.")),
            rx.link(t("Find a charger"), href="/app"),
            spacing="1",
        ),
        icon="info",
        width="100%",
        custom_attrs={"data-testid": "history-empty"},
    )


def history_list() -> rx.Component:
    s = DriverHistoryState
    return rx.vstack(
        icon_link("calendar-clock", t("Your reservations"), "/app/reservations"),
        rx.foreach(s.rows, history_card),
        rx.cond(s.loaded & (s.rows.length() == 0), empty_history()),
        rx.cond(
            s.more,
            rx.button(
                t("Show more"),
                variant="soft",
                size="3",
                width="100%",
                on_click=DriverHistoryState.show_more,
                custom_attrs={"data-testid": "history-more"},
            ),
        ),
        spacing="3",
        width="100%",
    )
