"""The driver's RFID cards: each with its state and Block (asked once more first: only the
operator can unblock), and adding a card by the number printed on it."""

from __future__ import annotations

import reflex as rx
from reflex.vars import ObjectVar

from ccms_app.driver_app.components.account_profile import confirm_row, field
from ccms_app.driver_app.components.history_list import MUTED, tone_of
from ccms_app.driver_app.state.account import CardRow, DriverCardsState
from ccms_app.ui.i18n import t, t_with


def _confirm(row: ObjectVar[CardRow]) -> rx.Component:
    return confirm_row(
        t_with(
            "Block card {card}? It stops working at once. Only the operator can unblock it.",
            card=row.id_tag,
        ),
        t("Block card"),
        DriverCardsState.block(row.id),
        DriverCardsState.keep_card,
        "card-block-confirm",
    )


def _card(row: ObjectVar[CardRow]) -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.vstack(
                rx.text(
                    row.id_tag,
                    size="3",
                    weight="medium",
                    font_family="monospace",
                    word_break="break-all",
                ),
                rx.cond(
                    row.description != "",
                    rx.text(row.description, size="1", color=MUTED, word_break="break-word"),
                ),
                spacing="0",
                min_width="0",
                flex="1",
            ),
            rx.badge(
                row.label,
                color_scheme=tone_of(row.tone),
                variant="soft",
                custom_attrs={"data-testid": "card-status"},
            ),
            rx.cond(
                row.blockable & (DriverCardsState.confirm_id != row.id),
                rx.button(
                    t("Block"),
                    variant="soft",
                    color_scheme="red",
                    size="1",
                    aria_label=t_with("Block card {card}", card=row.id_tag),
                    on_click=DriverCardsState.ask_block(row.id),
                    custom_attrs={"data-testid": "card-block"},
                ),
            ),
            align="center",
            width="100%",
            spacing="2",
        ),
        rx.cond(DriverCardsState.confirm_id == row.id, _confirm(row)),
        padding_y="8px",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        width="100%",
        custom_attrs={"data-testid": "card-row"},
    )


def _add_form() -> rx.Component:
    s = DriverCardsState
    return rx.form(
        rx.vstack(
            field(
                t("Card number (as printed on the card)"),
                "card",
                "number",
                "",
                s.number_error,
                auto_complete="off",
                auto_capitalize="characters",
                spell_check=False,
                max_length=40,
            ),
            rx.button(
                rx.icon("plus", size=16, aria_hidden="true"),
                t("Add card"),
                type="submit",
                variant="soft",
                size="2",
                custom_attrs={"data-testid": "card-add"},
            ),
            spacing="2",
            width="100%",
            align="start",
        ),
        on_submit=DriverCardsState.add,
        key=s.form_key,
        width="100%",
    )


def cards_card() -> rx.Component:
    s = DriverCardsState
    return rx.card(
        rx.vstack(
            rx.heading(t("Charging cards"), size="3", as_="h2"),
            rx.text(
                t("Lost a card? Block it here at once. Only the operator can unblock a card."),
                size="2",
                color=MUTED,
            ),
            rx.foreach(s.rows, _card),
            rx.cond(
                s.rows.length() == 0,
                rx.text(t("No cards on your account."), size="2", color=MUTED),
            ),
            _add_form(),
            spacing="3",
            width="100%",
        ),
        width="100%",
        custom_attrs={"data-testid": "account-cards"},
    )
