"""Finance -> Settlements (/finance/settlements): a partner's monthly settlement (the same
figures for the operator and the partner, with PDF and CSV), and the revenue-share
agreements the operator makes with its partners (a partner sees its own, read-only)."""

from __future__ import annotations

import reflex as rx

from ccms_app.accounts.state import AuthState
from ccms_app.branding.components.brand import page_title
from ccms_app.finance.components.settlements import (
    agreement_dialog,
    agreements_list,
    settlement_panel,
)
from ccms_app.finance.components.subnav import FINANCE_ROUTE, finance_subnav
from ccms_app.finance.state.settlements import AgreementListState, SettlementState
from ccms_app.ui.i18n import t
from ccms_app.ui.layout import app_shell
from ccms_app.ui.page_header import page_header

ROUTE = "/finance/settlements"
TITLE = page_title("Settlements")


def page() -> rx.Component:
    return app_shell(
        FINANCE_ROUTE,
        page_header(
            t("Settlements"),
            t("What the operator keeps of each partner's charging income, and what is due."),
        ),
        finance_subnav(ROUTE),
        settlement_panel(),
        agreements_list(),
        agreement_dialog(),
    )


PAGES = (
    (
        page,
        ROUTE,
        TITLE,
        [
            AuthState.require_login,
            AgreementListState.load_context,
            AgreementListState.load,
            SettlementState.load,
        ],
    ),
)
