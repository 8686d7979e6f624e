"""Finance -> Payments (/finance/payments): every card hold and excess charge, top-up,
membership fee and refund with what Stripe says about it; the Reconciliation view
(`?view=reconciliation`) lists the payments Stripe reports differently; refunds with a reason."""

from __future__ import annotations

import reflex as rx

from ccms_app.accounts.state import AuthState
from ccms_app.branding.components.brand import page_title
from ccms_app.finance.components.payments import payments_list, refund_dialog
from ccms_app.finance.components.subnav import FINANCE_ROUTE, finance_subnav
from ccms_app.finance.state.payments import PaymentListState
from ccms_app.ui.i18n import t
from ccms_app.ui.layout import app_shell
from ccms_app.ui.page_header import follow_language, page_header

ROUTE = "/finance/payments"
TITLE = page_title("Payments")


def page() -> rx.Component:
    return app_shell(
        FINANCE_ROUTE,
        page_header(
            t("Payments"),
            t(
                "Card payments, top-ups, membership fees and refunds as CCMS recorded them, beside "
                "what Stripe reported; times in your billing time zone."
            ),
        ),
        follow_language(PaymentListState.follow_language),
        finance_subnav(ROUTE),
        payments_list(),
        refund_dialog(),
    )


PAGES = (
    (
        page,
        ROUTE,
        TITLE,
        [AuthState.require_login, PaymentListState.load_zone, PaymentListState.load],
    ),
)
