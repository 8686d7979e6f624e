"""Finance -> Top-ups (/finance/top-ups): start a wallet top-up through Stripe Checkout, the
recharge history (holder, package, paid, bonus, state, time) and the top-up packages."""

from __future__ import annotations

import reflex as rx

from ccms_app.accounts.state import AuthState
from ccms_app.branding.components.brand import page_title
from ccms_app.finance.components.subnav import FINANCE_ROUTE, finance_subnav
from ccms_app.finance.components.top_ups import (
    history_list,
    package_dialog,
    packages_card,
    start_form,
)
from ccms_app.finance.state.top_ups import PackageState, TopUpFormState, TopUpListState
from ccms_app.ui.i18n import t
from ccms_app.ui.layout import app_shell
from ccms_app.ui.page_header import page_header

ROUTE = "/finance/top-ups"
TITLE = page_title("Top-ups")


def page() -> rx.Component:
    return app_shell(
        FINANCE_ROUTE,
        page_header(
            t("Top-ups"),
            t(
                "Wallet recharges through Stripe Checkout: paid money and package bonus; times in "
                "your billing time zone."
            ),
        ),
        finance_subnav(ROUTE),
        start_form(),
        history_list(),
        packages_card(),
        package_dialog(),
    )


PAGES = (
    (
        page,
        ROUTE,
        TITLE,
        [
            AuthState.require_login,
            TopUpFormState.load,
            PackageState.load,
            TopUpListState.load_zone,
            TopUpListState.load,
        ],
    ),
)
