"""The pieces of Finance -> Payments: the All / Reconciliation switch, the payments list
(kind, holder, session, amounts, status, Stripe's word) and the refund dialog.

data-testids: the list's are data_list's with "payments" (`payments-row-<id>`,
`payments-filter-kind`, ...); `payments-view-all`, `payments-view-reconciliation`; per row
`payments-status-<id>`, `payments-mismatch-<id>`, `payments-session-<id>`,
`payments-refund-<id>`; the dialog `refund-dialog`, `refund-amount`, `refund-reason`,
`refund-<field>-error`, `refund-message`, `refund-save`.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from ccms_app.finance.payments.listing import KIND_LABELS, STATUS_LABELS
from ccms_app.finance.state.payments import ALL_VIEW, RECONCILIATION, PaymentListState, RefundState
from ccms_app.ui.data_list import Column, Filter, RowVar, data_list
from ccms_app.ui.dialogs import dialog, dialog_body, dialog_buttons, form_field, notice, tid
from ccms_app.ui.form_fields import field_error
from ccms_app.ui.i18n import t, t_var, t_with
from ccms_app.ui.inputs import text_area, text_input
from ccms_app.ui.permissions import when_allowed

L: Any = PaymentListState
R: Any = RefundState
STATUS_COLOURS = {
    "succeeded": "green",
    "authorized": "blue",
    "pending": "gray",
    "requires_action": "amber",
    "canceled": "gray",
    "failed": "red",
    "refunded": "purple",
}


def _view_switch() -> rx.Component:
    return rx.segmented_control.root(
        rx.segmented_control.item(
            t("All payments"), value=ALL_VIEW, custom_attrs=tid("payments-view-all")
        ),
        rx.segmented_control.item(
            t("Reconciliation"),
            value=RECONCILIATION,
            custom_attrs=tid("payments-view-reconciliation"),
        ),
        value=L.view,
        on_change=lambda value: L.show_view(value),
        size="1",
    )


def _status(row: RowVar) -> rx.Component:
    return rx.hstack(
        rx.badge(
            t_var(row["status"]),
            color_scheme=rx.match(row["status_key"], *STATUS_COLOURS.items(), "gray"),
            variant="soft",
            white_space="nowrap",
            custom_attrs=tid("payments-status", row["id"].to(str)),
        ),
        rx.cond(
            row["mismatch"] != "",
            rx.tooltip(
                rx.badge(
                    rx.icon("triangle-alert", size=12),
                    t("differs"),
                    color_scheme="red",
                    variant="solid",
                    custom_attrs=tid("payments-mismatch", row["id"].to(str)),
                ),
                content=row["mismatch_note"],
            ),
        ),
        spacing="1",
        wrap="wrap",
    )


def _session(row: RowVar) -> rx.Component:
    return rx.cond(
        row["session_id"] != "",
        rx.link(
            "#" + row["session_id"].to(str),
            href="/finance/history/" + row["session_id"].to(str),
            size="2",
            custom_attrs=tid("payments-session", row["id"].to(str)),
        ),
        rx.text("—", size="2"),
    )


def _stripe(row: RowVar) -> rx.Component:
    return rx.vstack(
        rx.text(row["stripe_id"], size="1", font_family="monospace", word_break="break-all"),
        rx.cond(row["stripe"] != "", rx.text(row["stripe"], size="1", color=rx.color("gray", 11))),
        rx.cond(
            row["mismatch_note"] != "",
            rx.text(row["mismatch_note"], size="1", color=rx.color("red", 11)),
        ),
        rx.cond(row["error"] != "", rx.text(row["error"], size="1", color=rx.color("red", 11))),
        spacing="0",
        max_width="240px",
        white_space="normal",  # the table's cells do not wrap: the notes must
    )


def _actions(row: RowVar) -> rx.Component:
    return rx.cond(
        row["refundable"] != "",
        when_allowed(
            R.refund,
            rx.button(
                t("Refund"),
                size="1",
                variant="soft",
                color_scheme="amber",
                on_click=R.open_refund(row["id"].to(str), row["left"].to(str)),
                custom_attrs=tid("payments-refund", row["id"].to(str)),
            ),
        ),
    )


def payments_list() -> rx.Component:
    return data_list(
        L,
        columns=[
            Column("created_at", t("Created")),
            Column(
                "kind",
                t("Kind"),
                sortable=False,
                render=lambda row: rx.text(t_var(row["kind"]), size="2"),
            ),
            Column("holder", t("Holder"), sortable=False),
            Column("session_id", t("Session"), sortable=False, render=_session),
            Column(
                "amount_minor",
                t("Amount"),
                render=lambda row: rx.text(row["amount"], size="2", white_space="nowrap"),
            ),
            Column("captured", t("Captured"), sortable=False),
            Column("refunded", t("Refunded"), sortable=False),
            Column("status", t("Status"), sortable=False, render=_status),
            Column("stripe_id", t("Stripe"), sortable=False, render=_stripe),
        ],
        filters=[
            Filter("kind", t("Kind"), [(k, t(v)) for k, v in KIND_LABELS.items()]),
            Filter("status", t("Status"), [(k, t(v)) for k, v in STATUS_LABELS.items()]),
            Filter(
                "mismatch", t("Stripe agrees"), [("true", t("differs")), ("false", t("agrees"))]
            ),
        ],
        testid="payments",
        empty_text=t("No payments here."),
        search_placeholder=t("Search holder or Stripe id…"),
        toolbar=[_view_switch()],
        actions=_actions,
    )


def refund_dialog() -> rx.Component:
    return dialog(
        R.payment_id != "",
        R.open_changed,
        t_with("Refund payment {id}", id=R.payment_id),
        dialog_body(
            form_field(
                t("Amount"),
                text_input(
                    value=R.amount,
                    on_change=R.set_amount,
                    placeholder=R.left,
                    inputmode="decimal",
                    width="100%",
                    custom_attrs=tid("refund-amount"),
                ),
                field_error(R, "amount", "refund"),
                t_with("Empty: all that is left ({amount})", amount=R.left),
            ),
            form_field(
                t("Reason (kept in the audit log)"),
                text_area(
                    value=R.reason,
                    on_change=R.set_reason,
                    max_length=300,
                    width="100%",
                    custom_attrs=tid("refund-reason"),
                ),
                field_error(R, "reason", "refund"),
            ),
            notice(R.message, "refund-message"),
            dialog_buttons(
                None,
                t("Refund"),
                R.busy,
                "refund-save",
                t("Cancel"),
                color_scheme="amber",
                on_click=R.refund,
            ),
        ),
        description=t(
            "Returns money to the card through Stripe. A top-up's refund also takes "
            "the paid money out of the wallet (bonus credit is never refunded)."
        ),
        testid="refund-dialog",
        max_width="520px",
    )
