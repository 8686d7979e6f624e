"""The pieces of Finance -> Documents: the list (filters, dates, PDF links, row actions), the
credit-note dialog and the invoice run.

data-testids start with "documents" (the list's are data_list's: `documents-search`,
`documents-filter-<key>`, `documents-row-<id>`, ...); the dates `documents-since` /
`documents-until`; per row `documents-pdf-<id>`, `documents-credit-<id>`,
`documents-send-<id>`, `documents-email-<id>`, `documents-total-<id>`; the dialogs
`credit-dialog`, `credit-reason`, `credit-error`, `credit-save`, `invoices-open`,
`invoices-dialog`, `invoices-month`, `invoices-organisation`, `invoices-issue`,
`invoices-result`, `invoices-<field>-error`, `invoices-message`.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from ccms_app.finance.components.common import download_link
from ccms_app.finance.documents.listing import EMAIL_LABELS, KIND_LABELS
from ccms_app.finance.state.documents import DocumentActionsState, DocumentListState
from ccms_app.ui.data_list import Column, Filter, RowVar, data_list
from ccms_app.ui.dialogs import (
    choice_select,
    dialog,
    dialog_body,
    dialog_buttons,
    error_text,
    form_field,
    keyed_error,
    labelled,
    notice,
    tid,
)
from ccms_app.ui.i18n import Text, t, t_var, t_with
from ccms_app.ui.inputs import text_area, text_input
from ccms_app.ui.permissions import when_allowed

L: Any = DocumentListState  # Var methods on its mixin's fields (filters) are not typed
A: Any = DocumentActionsState  # dict fields' Var methods (contains) are not typed
KIND_COLOURS = {"receipt": "green", "invoice": "blue", "credit_note": "amber"}
EMAIL_COLOURS = {"sent": "green", "failed": "red", "not_sent": "gray"}


def _date(key: str, label: Text, aria_label: Text) -> rx.Component:
    return rx.hstack(
        rx.text(label, size="2", color=rx.color("gray", 11)),
        text_input(
            type="date",
            value=L.filters.get(key, "").to(str),
            on_change=lambda value: L.set_filter(key, value),
            width="150px",
            aria_label=aria_label,
            custom_attrs={"data-testid": f"documents-{key}"},
        ),
        align="center",
        spacing="1",
    )


def _kind(row: RowVar) -> rx.Component:
    return rx.badge(
        t_var(row["kind"]),
        color_scheme=rx.match(row["kind_key"], *KIND_COLOURS.items(), "gray"),
        variant="soft",
        white_space="nowrap",
    )


def _total(row: RowVar) -> rx.Component:
    return rx.text(
        row["total_incl_minor"],
        size="2",
        weight="medium",
        white_space="nowrap",
        custom_attrs=tid("documents-total", row["id"].to(str)),
    )


def _email(row: RowVar) -> rx.Component:
    return rx.text(
        row["email"],
        size="2",
        color=rx.color(rx.match(row["email_state"], *EMAIL_COLOURS.items(), "gray"), 11),
        max_width="260px",
        overflow="hidden",
        text_overflow="ellipsis",
        title=row["email"],
        custom_attrs=tid("documents-email", row["id"].to(str)),
    )


def _pdf(row: RowVar) -> rx.Component:
    return download_link(t("PDF"), row["pdf_url"], "documents-pdf-" + row["id"].to(str))


def _actions(row: RowVar) -> rx.Component:
    document_id = row["id"].to(str)
    return rx.hstack(
        _pdf(row),
        rx.cond(
            row["creditable"] != "",
            when_allowed(
                A.credit_document,
                rx.button(
                    t("Credit note"),
                    size="1",
                    variant="soft",
                    color_scheme="amber",
                    on_click=A.open_credit(document_id, row["number"].to(str)),
                    custom_attrs=tid("documents-credit", document_id),
                ),
            ),
            rx.cond(
                row["credited_by"] != "",
                rx.text(
                    t_with("credited by {number}", number=row["credited_by"]),
                    size="1",
                    color=rx.color("gray", 11),
                ),
            ),
        ),
        rx.cond(
            row["sendable"] != "",
            when_allowed(
                A.send_again,
                rx.button(
                    t("Send again"),
                    size="1",
                    variant="ghost",
                    on_click=A.send_again(document_id),
                    custom_attrs=tid("documents-send", document_id),
                ),
            ),
        ),
        spacing="3",
        align="center",
        wrap="wrap",
    )


def _invoices_button() -> rx.Component:
    return when_allowed(
        A.issue_invoices,
        rx.button(
            rx.icon("receipt-text", size=14),
            t("Issue invoices"),
            on_click=A.open_invoices,
            custom_attrs=tid("invoices-open"),
        ),
    )


def documents_list() -> rx.Component:
    """The whole list: newest first, every filter, export, the invoice run."""
    return data_list(
        L,
        columns=[
            Column("number", t("Number")),
            Column("kind", t("Kind"), sortable=False, render=_kind),
            Column("issued_at", t("Issued")),
            Column("buyer_name", t("Buyer")),
            Column("period", t("Period"), sortable=False),
            Column("total_incl_minor", t("Total incl. VAT"), render=_total),
            Column("email", t("E-mail"), sortable=False, render=_email),
            Column("organisation", t("Issued by"), sortable=False, on_phone=False),
        ],
        filters=[
            Filter("kind", t("Kind"), [(k, t(v)) for k, v in KIND_LABELS.items()]),
            Filter("organisation_id", t("Organisation"), L.filter_options["organisation_id"]),
            Filter("email_state", t("E-mail"), [(k, t(v)) for k, v in EMAIL_LABELS.items()]),
        ],
        testid="documents",
        empty_text=t("No documents yet: receipts are issued once a session's cost is final."),
        search_placeholder=t("Search number or buyer…"),
        toolbar=[
            _date("since", t("From"), t("Issued from")),
            _date("until", t("To"), t("Issued to")),
            _invoices_button(),
        ],
        actions=_actions,
    )


# --- credit note ---------------------------------------------------------------------------


def credit_dialog() -> rx.Component:
    return dialog(
        A.credit_id != "",
        A.credit_open_changed,
        t_with("Credit note for {number}", number=A.credit_number),
        dialog_body(
            form_field(
                t("Reason (printed on the credit note)"),
                text_area(
                    value=A.credit_reason,
                    on_change=A.set_credit_reason,
                    max_length=300,
                    width="100%",
                    custom_attrs=tid("credit-reason"),
                ),
            ),
            error_text(A.credit_error, "credit-error"),
            dialog_buttons(
                A.close_credit,
                t("Issue credit note"),
                A.busy,
                "credit-save",
                t("Cancel"),
                color_scheme="amber",
                on_click=A.credit_document,
            ),
        ),
        description=t(
            "Cancels the whole document with negative amounts; the original stays as "
            "issued. A credited invoice's sessions go on the next invoice."
        ),
        testid="credit-dialog",
        max_width="520px",
    )


# --- invoice run ---------------------------------------------------------------------------


def _invoice_error(field: str) -> rx.Component:
    return keyed_error(A.invoice_errors, field, f"invoices-{field}-error")


def invoices_dialog() -> rx.Component:
    return dialog(
        A.invoices_open,
        A.invoices_open_changed,
        t("Issue invoices"),
        dialog_body(
            labelled(
                t("Month"),
                text_input(
                    type="month",
                    value=A.invoice_month,
                    on_change=A.set_invoice_month,
                    placeholder=t("YYYY-MM"),
                    width="100%",
                    custom_attrs=tid("invoices-month"),
                ),
                _invoice_error("month"),
            ),
            labelled(
                t("Issuing organisation"),
                choice_select(
                    A.invoice_organisation,
                    A.organisations,
                    A.set_invoice_organisation,
                    None,
                    "invoices-organisation",
                ),
                _invoice_error("organisation_id"),
            ),
            notice(A.invoice_message, "invoices-message"),
            notice(A.invoice_result, "invoices-result", done=True),
            dialog_buttons(
                None, t("Issue"), A.busy, "invoices-issue", t("Close"), on_click=A.issue_invoices
            ),
        ),
        description=t(
            "One invoice per driver and per group account for the month's final "
            "sessions not invoiced yet. Running a month again issues only what is new."
        ),
        testid="invoices-dialog",
        max_width="520px",
    )
