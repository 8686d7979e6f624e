"""The Finance sub-navigation: one pill per Finance page."""

from __future__ import annotations

import reflex as rx

from ccms_app.ui.subnav import SubPage, subnav

FINANCE_ROUTE = "/finance"
SUBPAGES: tuple[SubPage, ...] = (
    ("Overview", "/finance", "layout-grid"),
    ("Tariffs", "/finance/tariffs", "tags"),
    ("Charging history", "/finance/history", "history"),
    ("Payments", "/finance/payments", "credit-card"),
    ("Wallets", "/finance/wallets", "wallet"),
    ("Top-ups", "/finance/top-ups", "circle-plus"),
    ("Vouchers", "/finance/vouchers", "ticket"),
    ("Memberships", "/finance/memberships", "badge-check"),
    ("Settlements", "/finance/settlements", "handshake"),
    ("Reimbursements", "/finance/reimbursements", "house"),
    ("Documents", "/finance/documents", "file-text"),
    ("Billing settings", "/finance/settings", "settings"),
)


def finance_subnav(active: str) -> rx.Component:
    """Links between the Finance pages (data-testid finance-tab-<last route part>)."""
    return subnav(SUBPAGES, active, "finance-tab")
