"""Finance -> Documents (/finance/documents): every receipt, invoice and credit note with its
PDF, e-mail outcome and actions (credit note, send again), and the monthly invoice run."""

from __future__ import annotations

import reflex as rx

from ccms_app.accounts.state import AuthState
from ccms_app.branding.components.brand import page_title
from ccms_app.finance.components.documents import credit_dialog, documents_list, invoices_dialog
from ccms_app.finance.components.subnav import FINANCE_ROUTE, finance_subnav
from ccms_app.finance.state.documents import DocumentListState
from ccms_app.ui.i18n import t
from ccms_app.ui.layout import app_shell
from ccms_app.ui.page_header import follow_language, page_header

ROUTE = "/finance/documents"
TITLE = page_title("Documents")


def page() -> rx.Component:
    return app_shell(
        FINANCE_ROUTE,
        page_header(
            t("Documents"),
            t("Receipts, invoices and credit notes as issued; times in your billing time zone."),
        ),
        follow_language(DocumentListState.follow_language),
        finance_subnav(ROUTE),
        documents_list(),
        credit_dialog(),
        invoices_dialog(),
    )


PAGES = (
    (
        page,
        ROUTE,
        TITLE,
        [AuthState.require_login, DocumentListState.load_zone, DocumentListState.load],
    ),
)
