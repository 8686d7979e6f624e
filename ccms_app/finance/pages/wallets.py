"""Finance -> Wallets: every driver's and group account's wallet (/finance/wallets) and one
wallet with its ledger, adjustments and paid-out refunds
(/finance/wallets/[holder_kind]/[holder_id])."""

from __future__ import annotations

from typing import Any

import reflex as rx

from ccms_app.accounts.state import AuthState
from ccms_app.branding.components.brand import page_title
from ccms_app.finance.components.subnav import FINANCE_ROUTE, finance_subnav
from ccms_app.finance.components.wallets import (
    balance_cards,
    ledger_table,
    wallet_forms,
    wallets_list,
)
from ccms_app.finance.state.wallets import WalletDetailState, WalletListState
from ccms_app.ui.i18n import t, t_var
from ccms_app.ui.layout import app_shell
from ccms_app.ui.page_header import page_header

ROUTE = "/finance/wallets"
TITLE = page_title("Wallets")
DETAIL_ROUTE = "/finance/wallets/[holder_kind]/[holder_id]"
DETAIL_TITLE = page_title("Wallet")


def page() -> rx.Component:
    return app_shell(
        FINANCE_ROUTE,
        page_header(
            t("Wallets"),
            t(
                "Prepaid balances of drivers and group accounts: paid money and bonus credit, "
                "each the sum of its ledger."
            ),
        ),
        finance_subnav(ROUTE),
        wallets_list(),
    )


def _back() -> rx.Component:
    return rx.link(
        rx.hstack(rx.icon("arrow-left", size=14), t("Wallets"), spacing="1", align="center"),
        href=ROUTE,
        size="2",
        underline="none",
        custom_attrs={"data-testid": "wallet-back"},
    )


def _detail_body() -> rx.Component:
    s: Any = WalletDetailState  # its fields are Vars here
    return rx.vstack(
        rx.hstack(
            rx.heading(s.name, size="6", custom_attrs={"data-testid": "wallet-name"}),
            rx.badge(t_var(s.kind_label), variant="soft", size="2"),
            rx.text(s.detail, size="2", color=rx.color("gray", 11)),
            align="center",
            spacing="3",
            wrap="wrap",
        ),
        balance_cards(),
        wallet_forms(),
        ledger_table(),
        spacing="4",
        width="100%",
    )


def detail_page() -> rx.Component:
    s = WalletDetailState
    return app_shell(
        FINANCE_ROUTE,
        finance_subnav(ROUTE),
        _back(),
        rx.cond(
            s.found,
            _detail_body(),
            rx.cond(
                s.loaded,
                rx.callout(
                    t("No such wallet in your network."),
                    icon="triangle-alert",
                    color_scheme="red",
                    width="100%",
                    custom_attrs={"data-testid": "wallet-not-found"},
                ),
                rx.center(rx.spinner(size="3"), padding="48px", width="100%"),
            ),
        ),
    )


PAGES = (
    (
        page,
        ROUTE,
        TITLE,
        [AuthState.require_login, WalletListState.load_zone, WalletListState.load],
    ),
    (detail_page, DETAIL_ROUTE, DETAIL_TITLE, [AuthState.require_login, WalletDetailState.load]),
)
