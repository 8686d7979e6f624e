"""Finance -> Reimbursements (/finance/reimbursements): employees' home chargers and the
monthly reimbursement of their home charging, per employee, with PDF and CSV."""

from __future__ import annotations

import reflex as rx

from ccms_app.accounts.state import AuthState
from ccms_app.branding.components.brand import page_title
from ccms_app.finance.components.reimbursements import (
    home_charger_dialog,
    home_chargers_list,
    reimbursement_panel,
)
from ccms_app.finance.components.subnav import FINANCE_ROUTE, finance_subnav
from ccms_app.finance.state.reimbursements import HomeChargerListState, ReimbursementState
from ccms_app.ui.i18n import t
from ccms_app.ui.layout import app_shell
from ccms_app.ui.page_header import page_header

ROUTE = "/finance/reimbursements"
TITLE = page_title("Reimbursements")


def page() -> rx.Component:
    return app_shell(
        FINANCE_ROUTE,
        page_header(
            t("Reimbursements"),
            t("Home charging of company cars, repaid at each employee's electricity rate."),
        ),
        finance_subnav(ROUTE),
        reimbursement_panel(),
        home_chargers_list(),
        home_charger_dialog(),
    )


PAGES = (
    (
        page,
        ROUTE,
        TITLE,
        [
            AuthState.require_login,
            HomeChargerListState.load_zone,
            HomeChargerListState.load,
            ReimbursementState.load,
        ],
    ),
)
