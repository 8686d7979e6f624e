"""The Finance sub-navigation: one pill per Finance page (labels marked N_: ui.subnav shows
each in the tab's language)."""

from __future__ import annotations

import reflex as rx

from ccms_app.core.i18n import N_
from ccms_app.ui.subnav import SubPage, subnav

FINANCE_ROUTE = "/finance"
SUBPAGES: tuple[SubPage, ...] = (
    (N_("Overview"), "/finance", "layout-grid"),
    (N_("Tariffs"), "/finance/tariffs", "tags"),
    (N_("Charging history"), "/finance/history", "history"),
    (N_("Payments"), "/finance/payments", "credit-card"),
    (N_("Wallets"), "/finance/wallets", "wallet"),
    (N_("Top-ups"), "/finance/top-ups", "circle-plus"),
    (N_("Vouchers"), "/finance/vouchers", "ticket"),
    (N_("Memberships"), "/finance/memberships", "badge-check"),
    (N_("Settlements"), "/finance/settlements", "handshake"),
    (N_("Reimbursements"), "/finance/reimbursements", "house"),
    (N_("Documents"), "/finance/documents", "file-text"),
    (N_("Billing settings"), "/finance/settings", "settings"),
)


def finance_subnav(active: str) -> rx.Component:
    """Links between the Finance pages (data-testid finance-tab-<last route part>)."""
    return subnav(SUBPAGES, active, "finance-tab")
