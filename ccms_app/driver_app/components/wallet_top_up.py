"""The wallet page's top: the balance, what became of the top-up the driver comes back from,
and topping up (a package, a fixed amount or a typed one; the button goes to Stripe)."""

from __future__ import annotations

import reflex as rx
from reflex.vars.object import ObjectVar

from ccms_app.driver_app.components.wallet_parts import message, section
from ccms_app.driver_app.rules.wallet import CUSTOM
from ccms_app.driver_app.state.wallet import WalletState as W
from ccms_app.ui.form_fields import field_label
from ccms_app.ui.i18n import t, t_with
from ccms_app.ui.inputs import text_input

_TONES = {"paid": "green", "open": "blue", "cancelled": "amber", "expired": "amber"}


def balance_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(t("Balance"), size="2", color=rx.color("gray", 11)),
            rx.heading(
                W.balance,
                size="8",
                as_="p",
                custom_attrs={"data-testid": "wallet-balance", "aria-live": "polite"},
            ),
            rx.cond(
                W.bonus != "",
                rx.text(
                    t_with("including {bonus} bonus credit", bonus=W.bonus),
                    size="2",
                    custom_attrs={"data-testid": "wallet-bonus"},
                ),
            ),
            rx.text(
                t_with("Charging from the wallet needs at least {minimum}.", minimum=W.minimum),
                size="1",
                color=rx.color("gray", 11),
            ),
            spacing="1",
            width="100%",
        ),
        width="100%",
    )


def result_callout() -> rx.Component:
    tone = rx.match(W.result, *_TONES.items(), "red")
    return rx.cond(
        W.result != "",
        rx.callout(
            rx.vstack(
                rx.text(W.result_text),
                rx.hstack(
                    rx.cond(
                        W.result_url != "",
                        rx.link(
                            t("Finish paying"),
                            href=W.result_url,
                            custom_attrs={"data-testid": "top-up-finish"},
                        ),
                    ),
                    rx.cond(
                        W.result == "open",
                        rx.button(
                            t("Refresh"),
                            size="1",
                            variant="soft",
                            on_click=W.refresh,
                            custom_attrs={"data-testid": "wallet-refresh"},
                        ),
                    ),
                    spacing="3",
                    align="center",
                    wrap="wrap",
                ),
                spacing="2",
            ),
            icon="receipt",
            color_scheme=tone,
            size="1",
            width="100%",
            role="status",
            custom_attrs={"data-testid": "top-up-result", "data-result": W.result},
        ),
    )


def _choice(item: ObjectVar[dict[str, str]]) -> rx.Component:
    chosen = W.choice == item["key"]
    return rx.button(
        rx.vstack(
            rx.text(item["label"], weight="bold", size="2"),
            rx.cond(item["detail"] != "", rx.text(item["detail"], size="1")),
            spacing="0",
            align="center",
            width="100%",
        ),
        type="button",
        variant=rx.cond(chosen, "solid", "outline"),
        height="auto",
        min_height="44px",
        padding_y="8px",
        white_space="normal",
        width="100%",
        on_click=W.choose(item["key"]),
        custom_attrs={"data-testid": item["testid"], "aria-pressed": chosen},
    )


def _custom_amount() -> rx.Component:
    return rx.vstack(
        field_label(t("Other amount"), "top-up-amount"),
        text_input(
            id="top-up-amount",
            name="amount",
            input_mode="decimal",
            placeholder=t("e.g. 25.00"),
            default_value=W.amount,
            on_focus=W.choose(CUSTOM),
            on_blur=W.set_amount,
            size="3",
            width="100%",
            variant=rx.cond(W.choice == CUSTOM, "surface", "soft"),
            custom_attrs={"data-testid": "top-up-amount"},
        ),
        rx.text(W.limits, size="1", color=rx.color("gray", 11)),
        spacing="1",
        width="100%",
    )


def top_up_section() -> rx.Component:
    return section(
        t("Top up"),
        rx.cond(
            W.payments_ready,
            rx.vstack(
                rx.grid(
                    rx.foreach(W.choices, _choice),
                    columns="repeat(auto-fill, minmax(140px, 1fr))",
                    spacing="2",
                    width="100%",
                ),
                _custom_amount(),
                message(W.top_up_error, "red", "top-up-error", "triangle-alert"),
                rx.button(
                    rx.icon("credit-card", size=16, aria_hidden="true"),
                    t("Top up with Stripe"),
                    size="3",
                    width="100%",
                    loading=W.busy,
                    on_click=W.start_top_up,
                    custom_attrs={"data-testid": "top-up-start"},
                ),
                rx.text(
                    t("You pay on Stripe's secure page and come back here."),
                    size="1",
                    color=rx.color("gray", 11),
                ),
                spacing="3",
                width="100%",
            ),
            rx.text(t("Top-ups are not available at the moment.")),
        ),
        testid="wallet-top-up",
    )
