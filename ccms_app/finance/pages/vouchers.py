"""Finance -> Vouchers (/finance/vouchers): promo codes with their redemptions used /
allowed, the create / edit form, deactivation, each code's redemptions, and redeeming a
code for a driver or group account."""

from __future__ import annotations

import reflex as rx

from ccms_app.accounts.state import AuthState
from ccms_app.branding.components.brand import page_title
from ccms_app.finance.components.subnav import FINANCE_ROUTE, finance_subnav
from ccms_app.finance.components.voucher_form import voucher_dialog
from ccms_app.finance.components.vouchers import (
    redeem_dialog,
    redemptions_dialog,
    vouchers_list,
)
from ccms_app.finance.state.vouchers import VoucherListState
from ccms_app.ui.i18n import t
from ccms_app.ui.layout import app_shell
from ccms_app.ui.page_header import page_header

ROUTE = "/finance/vouchers"
TITLE = page_title("Vouchers")


def page() -> rx.Component:
    return app_shell(
        FINANCE_ROUTE,
        page_header(
            t("Vouchers"),
            t(
                "Promo codes: a bonus credit or a percentage off the next session, each code "
                "redeemed at most as often as allowed."
            ),
        ),
        finance_subnav(ROUTE),
        vouchers_list(),
        voucher_dialog(),
        redemptions_dialog(),
        redeem_dialog(),
    )


PAGES = (
    (
        page,
        ROUTE,
        TITLE,
        [AuthState.require_login, VoucherListState.load_zone, VoucherListState.load],
    ),
)
