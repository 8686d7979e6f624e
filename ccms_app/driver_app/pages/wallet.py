"""The wallet (/app/wallet): balance and topping up through Stripe, how the driver pays (wallet
or card, adding a card on Stripe's page), vouchers, membership, the recharge history and the
receipts. Stripe sends the driver back here (`?top_up=<id>`, `?card=added`)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from ccms_app.branding.components.brand import page_title
from ccms_app.driver_app.components.shell import app_page
from ccms_app.driver_app.components.wallet_lists import history_section, receipts_section
from ccms_app.driver_app.components.wallet_pay import (
    membership_section,
    method_section,
    voucher_section,
)
from ccms_app.driver_app.components.wallet_top_up import (
    balance_card,
    result_callout,
    top_up_section,
)
from ccms_app.driver_app.rules.wallet import WALLET
from ccms_app.driver_app.state.auth import DriverAuthState
from ccms_app.driver_app.state.wallet import WalletState
from ccms_app.ui.i18n import t


def wallet_page() -> rx.Component:
    return app_page(
        t("Wallet"),
        rx.cond(
            WalletState.loaded,
            rx.vstack(
                result_callout(),
                balance_card(),
                top_up_section(),
                method_section(),
                voucher_section(),
                membership_section(),
                history_section(),
                receipts_section(),
                spacing="4",
                width="100%",
                min_width="0",
            ),
            rx.center(rx.spinner(size="3"), width="100%", padding="24px"),
        ),
    )


PAGES: list[tuple[Any, str, Any, list[Any]]] = [
    (
        wallet_page,
        WALLET,
        page_title("Wallet"),
        [DriverAuthState.require_driver, WalletState.load],
    ),
]
