"""How the driver pays (wallet or card, adding a card on Stripe's page), vouchers, and
memberships: sections of the wallet page."""

from __future__ import annotations

from typing import cast

import reflex as rx
from reflex.vars.object import ObjectVar

from ccms_app.driver_app.components.wallet_parts import message, section
from ccms_app.driver_app.state.wallet import WalletState as W
from ccms_app.ui.form_fields import field_label
from ccms_app.ui.i18n import Text, t, t_with
from ccms_app.ui.inputs import text_input


def _method_button(method: str, label: Text, disabled: rx.Var[bool] | bool) -> rx.Component:
    chosen = W.method == method
    return rx.button(
        label,
        type="button",
        variant=rx.cond(chosen, "solid", "outline"),
        disabled=disabled,
        flex="1",
        size="3",
        on_click=W.choose_method(method),
        custom_attrs={"data-testid": f"method-{method}", "aria-pressed": chosen},
    )


def _methods() -> rx.Component:
    driver_chooses = (W.method == "wallet") | (W.method == "card")
    return rx.cond(
        driver_chooses,
        rx.hstack(
            _method_button("wallet", t("Wallet"), False),
            _method_button("card", t("Card"), W.card_label == ""),
            width="100%",
            spacing="2",
            role="group",
            aria_label=t("Pay for charging with"),
        ),
        rx.text(
            rx.cond(
                W.method == "free",
                t("Charging is free for you."),
                t("Your operator bills you by invoice."),
            ),
            custom_attrs={"data-testid": "method-arranged"},
        ),
    )


def method_section() -> rx.Component:
    return section(
        t("Payment method"),
        _methods(),
        rx.cond(
            W.card_label != "",
            rx.text(
                t_with("Saved card: {label}", label=W.card_label),
                size="2",
                custom_attrs={"data-testid": "saved-card"},
            ),
            rx.text(t("No card saved yet."), size="2", color=rx.color("gray", 11)),
        ),
        message(W.card_notice, "blue", "card-notice"),
        message(W.method_error, "red", "method-error", "triangle-alert"),
        rx.cond(
            W.payments_ready,
            rx.button(
                rx.icon("credit-card", size=16, aria_hidden="true"),
                rx.cond(W.card_label != "", t("Replace the card"), t("Add a card")),
                type="button",
                variant="soft",
                width="100%",
                on_click=W.add_card,
                custom_attrs={"data-testid": "add-card"},
            ),
        ),
        testid="wallet-method",
    )


def voucher_section() -> rx.Component:
    return section(
        t("Voucher"),
        rx.form(
            rx.vstack(
                field_label(t("Voucher code"), "voucher"),
                rx.hstack(
                    text_input(
                        id="voucher",
                        name="code",
                        auto_complete="off",
                        auto_capitalize="characters",
                        size="3",
                        flex="1",
                        min_width="0",
                        custom_attrs={"data-testid": "voucher-code"},
                    ),
                    rx.button(
                        t("Redeem"),
                        type="submit",
                        size="3",
                        custom_attrs={"data-testid": "voucher-redeem"},
                    ),
                    width="100%",
                    spacing="2",
                ),
                spacing="1",
                width="100%",
            ),
            on_submit=W.redeem,
            reset_on_submit=True,
            width="100%",
        ),
        message(W.voucher_notice, "green", "voucher-notice", "gift"),
        message(W.voucher_error, "red", "voucher-error", "triangle-alert"),
        testid="wallet-voucher",
    )


def _plan(plan: ObjectVar[dict[str, str]]) -> rx.Component:
    return rx.box(
        rx.vstack(
            rx.hstack(
                rx.text(plan["name"], weight="bold"),
                rx.spacer(),
                rx.text(plan["fee"], weight="bold"),
                width="100%",
                wrap="wrap",
            ),
            rx.cond(plan["description"] != "", rx.text(plan["description"], size="2")),
            rx.text(plan["benefits"], size="2", white_space="pre-line"),
            rx.text(plan["paid_how"], size="1", color=rx.color("gray", 11)),
            rx.cond(
                W.membership.length() == 0,
                rx.button(
                    t("Join"),
                    type="button",
                    variant="soft",
                    width="100%",
                    on_click=W.join(plan["id"]),
                    custom_attrs={"data-testid": f"membership-join-{plan['id']}"},
                ),
            ),
            spacing="1",
            width="100%",
        ),
        padding="10px",
        border=f"1px solid {rx.color('gray', 5)}",
        border_radius="8px",
        width="100%",
        custom_attrs={"data-testid": "membership-plan"},
    )


def _current() -> rx.Component:
    membership = cast(ObjectVar[dict[str, str]], W.membership)
    return rx.cond(
        W.membership.length() > 0,
        rx.vstack(
            rx.text(
                t_with("Member of {plan}", plan=membership["plan"]),
                weight="bold",
                custom_attrs={"data-testid": "membership-current"},
            ),
            rx.text(membership["status"], size="2"),
            rx.cond(
                membership["ending"] == "False",
                rx.button(
                    t("Leave at the end of the period"),
                    type="button",
                    variant="outline",
                    color_scheme="gray",
                    width="100%",
                    on_click=W.leave,
                    custom_attrs={"data-testid": "membership-leave"},
                ),
            ),
            spacing="2",
            width="100%",
        ),
        rx.text(t("You are not a member of a plan."), size="2", color=rx.color("gray", 11)),
    )


def membership_section() -> rx.Component:
    return section(
        t("Membership"),
        _current(),
        message(W.membership_notice, "green", "membership-notice"),
        message(W.membership_error, "red", "membership-error", "triangle-alert"),
        rx.cond(
            W.plans.length() > 0,
            rx.vstack(rx.foreach(W.plans, _plan), spacing="2", width="100%"),
            rx.text(t("No plans are offered."), size="2", color=rx.color("gray", 11)),
        ),
        testid="wallet-membership",
    )
