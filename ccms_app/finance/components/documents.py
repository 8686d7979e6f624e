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

from ccms_app.finance.documents.listing import EMAIL_LABELS, KIND_LABELS
from ccms_app.finance.state.documents import DocumentActionsState, DocumentListState
from ccms_app.ui.data_list import Column, Filter, RowVar, data_list
from ccms_app.ui.permissions import when_allowed

L: Any = DocumentListState  # Var methods on its mixin's fields (filters) are not typed
A: Any = DocumentActionsState  # dict fields' Var methods (contains) are not typed
KIND_COLOURS = {"receipt": "green", "invoice": "blue", "credit_note": "amber"}
EMAIL_COLOURS = {"sent": "green", "failed": "red", "not_sent": "gray"}


def _tid(*parts: Any) -> dict[str, Any]:
    value: Any = parts[0]
    for part in parts[1:]:
        value = value + "-" + part
    return {"data-testid": value}


def _date(key: str, label: str) -> rx.Component:
    return rx.hstack(
        rx.text(label, size="2", color=rx.color("gray", 11)),
        rx.input(
            type="date",
            value=L.filters.get(key, "").to(str),
            on_change=lambda value: L.set_filter(key, value),
            width="150px",
            aria_label=f"Issued {label.lower()}",
            custom_attrs={"data-testid": f"documents-{key}"},
        ),
        align="center",
        spacing="1",
    )


def _kind(row: RowVar) -> rx.Component:
    return rx.badge(
        row["kind"],
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
        custom_attrs=_tid("documents-total", row["id"].to(str)),
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
        custom_attrs=_tid("documents-email", row["id"].to(str)),
    )


def _pdf(row: RowVar) -> rx.Component:
    """The browser downloads the PDF over HTTP (the route's own gate): a full document
    request (reload_document), not a client-side route change, which would show the app's
    404 page for a path that is no page."""
    return rx.link(
        rx.hstack(rx.icon("file-down", size=14), "PDF", spacing="1", align="center"),
        href=row["pdf_url"],
        reload_document=True,
        color=rx.color("teal", 11),
        white_space="nowrap",
        custom_attrs=_tid("documents-pdf", row["id"].to(str)),
    )


def _actions(row: RowVar) -> rx.Component:
    document_id = row["id"].to(str)
    return rx.hstack(
        _pdf(row),
        rx.cond(
            row["creditable"] != "",
            when_allowed(
                A.credit_document,
                rx.button(
                    "Credit note",
                    size="1",
                    variant="soft",
                    color_scheme="amber",
                    on_click=A.open_credit(document_id, row["number"].to(str)),
                    custom_attrs=_tid("documents-credit", document_id),
                ),
            ),
            rx.cond(
                row["credited_by"] != "",
                rx.text("credited by ", row["credited_by"], size="1", color=rx.color("gray", 11)),
            ),
        ),
        rx.cond(
            row["sendable"] != "",
            when_allowed(
                A.send_again,
                rx.button(
                    "Send again",
                    size="1",
                    variant="ghost",
                    on_click=A.send_again(document_id),
                    custom_attrs=_tid("documents-send", document_id),
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
            "Issue invoices",
            on_click=A.open_invoices,
            custom_attrs=_tid("invoices-open"),
        ),
    )


def documents_list() -> rx.Component:
    """The whole list: newest first, every filter, export, the invoice run."""
    return data_list(
        L,
        columns=[
            Column("number", "Number"),
            Column("kind", "Kind", sortable=False, render=_kind),
            Column("issued_at", "Issued"),
            Column("buyer_name", "Buyer"),
            Column("period", "Period", sortable=False),
            Column("total_incl_minor", "Total incl. VAT", render=_total),
            Column("email", "E-mail", sortable=False, render=_email),
            Column("organisation", "Issued by", sortable=False, on_phone=False),
        ],
        filters=[
            Filter("kind", "Kind", list(KIND_LABELS.items())),
            Filter("organisation_id", "Organisation", L.filter_options["organisation_id"]),
            Filter("email_state", "E-mail", list(EMAIL_LABELS.items())),
        ],
        testid="documents",
        empty_text="No documents yet: receipts are issued once a session's cost is final.",
        search_placeholder="Search number or buyer…",
        toolbar=[_date("since", "From"), _date("until", "To"), _invoices_button()],
        actions=_actions,
    )


# --- credit note ---------------------------------------------------------------------------


def credit_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Credit note for ", A.credit_number),
            rx.dialog.description(
                "Cancels the whole document with negative amounts; the original stays as "
                "issued. A credited invoice's sessions go on the next invoice.",
                size="2",
            ),
            rx.vstack(
                rx.el.label(
                    rx.text("Reason (printed on the credit note)", size="2", weight="medium"),
                    rx.text_area(
                        value=A.credit_reason,
                        on_change=A.set_credit_reason,
                        max_length=300,
                        width="100%",
                        custom_attrs=_tid("credit-reason"),
                    ),
                    display="flex",
                    flex_direction="column",
                    gap="4px",
                    width="100%",
                ),
                rx.cond(
                    A.credit_error != "",
                    rx.text(
                        A.credit_error,
                        size="2",
                        color=rx.color("red", 11),
                        custom_attrs=_tid("credit-error"),
                    ),
                ),
                rx.flex(
                    rx.button(
                        "Cancel", variant="soft", color_scheme="gray", on_click=A.close_credit
                    ),
                    rx.button(
                        "Issue credit note",
                        color_scheme="amber",
                        loading=A.busy,
                        on_click=A.credit_document,
                        custom_attrs=_tid("credit-save"),
                    ),
                    gap="8px",
                    justify="end",
                    wrap="wrap",
                    width="100%",
                ),
                spacing="3",
                width="100%",
                margin_top="12px",
            ),
            max_width="520px",
            width="calc(100vw - 24px)",
            custom_attrs=_tid("credit-dialog"),
        ),
        open=A.credit_id != "",
        on_open_change=A.credit_open_changed,
    )


# --- invoice run ---------------------------------------------------------------------------


def _labelled(label: str, control: rx.Component, field: str) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="2", weight="medium"),
        control,
        rx.cond(
            A.invoice_errors.contains(field),
            rx.text(
                A.invoice_errors[field],
                size="1",
                color=rx.color("red", 11),
                custom_attrs=_tid(f"invoices-{field}-error"),
            ),
        ),
        spacing="1",
        width="100%",
    )


def invoices_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Issue invoices"),
            rx.dialog.description(
                "One invoice per driver and per group account for the month's final sessions "
                "not invoiced yet. Running a month again issues only what is new.",
                size="2",
            ),
            rx.vstack(
                _labelled(
                    "Month",
                    rx.input(
                        type="month",
                        value=A.invoice_month,
                        on_change=A.set_invoice_month,
                        placeholder="YYYY-MM",
                        width="100%",
                        custom_attrs=_tid("invoices-month"),
                    ),
                    "month",
                ),
                _labelled(
                    "Issuing organisation",
                    rx.select.root(
                        rx.select.trigger(width="100%", custom_attrs=_tid("invoices-organisation")),
                        rx.select.content(
                            rx.foreach(A.organisations, lambda o: rx.select.item(o[1], value=o[0]))
                        ),
                        value=A.invoice_organisation,
                        on_change=A.set_invoice_organisation,
                    ),
                    "organisation_id",
                ),
                rx.cond(
                    A.invoice_message != "",
                    rx.callout(
                        A.invoice_message,
                        icon="triangle-alert",
                        color_scheme="red",
                        size="1",
                        width="100%",
                        custom_attrs=_tid("invoices-message"),
                    ),
                ),
                rx.cond(
                    A.invoice_result != "",
                    rx.callout(
                        A.invoice_result,
                        icon="check",
                        color_scheme="green",
                        size="1",
                        width="100%",
                        custom_attrs=_tid("invoices-result"),
                    ),
                ),
                rx.flex(
                    rx.dialog.close(rx.button("Close", variant="soft", color_scheme="gray")),
                    rx.button(
                        "Issue",
                        loading=A.busy,
                        on_click=A.issue_invoices,
                        custom_attrs=_tid("invoices-issue"),
                    ),
                    gap="8px",
                    justify="end",
                    wrap="wrap",
                    width="100%",
                ),
                spacing="3",
                width="100%",
                margin_top="12px",
            ),
            max_width="520px",
            width="calc(100vw - 24px)",
            custom_attrs=_tid("invoices-dialog"),
        ),
        open=A.invoices_open,
        on_open_change=A.invoices_open_changed,
    )
