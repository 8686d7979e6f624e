"""The pieces of Finance -> Wallets: the list, and one wallet's balance cards, ledger and the
adjustment / paid-out refund forms.

data-testids: the list's are data_list's with "wallets" (`wallets-search`,
`wallets-filter-<key>`, `wallets-row-<id>`, `wallets-link-<id>` ...), per row
`wallets-total-<id>`; the wallet page `wallet-name`, `wallet-paid`, `wallet-bonus`,
`wallet-total`, `wallet-method`, `wallet-ledger`, `wallet-line-<transaction id>`,
`wallet-ledger-previous` / `-next` / `-range`, `wallet-not-found`; the forms
`adjust-direction`, `adjust-amount`, `adjust-bucket`, `adjust-reason`, `adjust-save`,
`adjust-<field>-error`, `refund-amount`, `refund-reason`, `refund-save`,
`refund-<field>-error`.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from ccms_app.finance.state.wallets import ADD, DEDUCT, WalletDetailState, WalletListState
from ccms_app.finance.wallets.holders import KIND_LABELS
from ccms_app.finance.wallets.listing import BALANCE_FILTERS, METHOD_LABELS
from ccms_app.ui.cards import section, stat_card
from ccms_app.ui.data_list import Column, Filter, RowVar, data_list
from ccms_app.ui.dialogs import choice_select, keyed_error, labelled, tid
from ccms_app.ui.i18n import Text, t, t_var, t_with
from ccms_app.ui.inputs import text_area, text_input
from ccms_app.ui.permissions import when_allowed
from ccms_app.ui.table import cell, data_table

L: Any = WalletListState  # Var methods on its mixin's fields are not typed
W: Any = WalletDetailState  # dict fields' Var methods (contains) are not typed


# --- the list ------------------------------------------------------------------------------


def _choices(labels: dict[str, str]) -> list[tuple[str, Text]]:
    """A filter's (value, label) pairs from a table of labels marked N_ where it is defined."""
    return [(value, t(label)) for value, label in labels.items()]


def _label(key: str) -> Any:
    """A column showing a label from such a table (the row holds its English text)."""
    return lambda row: rx.text(t_var(row[key]), size="2")


def _name(row: RowVar) -> rx.Component:
    return rx.link(
        row["name"],
        href=row["url"],
        weight="medium",
        custom_attrs=tid("wallets-link", row["id"].to(str)),
    )


def _total(row: RowVar) -> rx.Component:
    return rx.text(
        row["total"],
        size="2",
        weight="medium",
        white_space="nowrap",
        color=rx.cond(row["negative"] != "", rx.color("red", 11), rx.color("gray", 12)),
        custom_attrs=tid("wallets-total", row["id"].to(str)),
    )


def wallets_list() -> rx.Component:
    return data_list(
        L,
        columns=[
            Column("name", t("Holder"), render=_name),
            Column("kind", t("Kind"), sortable=False, render=_label("kind")),
            Column("method", t("Payment method"), render=_label("method")),
            Column("paid", t("Paid"), sortable=False),
            Column("bonus", t("Bonus"), sortable=False),
            Column("total_minor", t("Total"), render=_total),
            Column("last_movement", t("Last movement")),
            Column("organisation", t("Organisation"), sortable=False, on_phone=False),
        ],
        filters=[
            Filter("holder_kind", t("Kind"), _choices(KIND_LABELS)),
            Filter("balance", t("Balance"), _choices(BALANCE_FILTERS)),
            Filter("method", t("Payment method"), _choices(METHOD_LABELS)),
            Filter("organisation_id", t("Organisation"), L.filter_options["organisation_id"]),
        ],
        testid="wallets",
        empty_text=t("No drivers or group accounts yet."),
        search_placeholder=t("Search holder or e-mail…"),
    )


# --- one wallet ----------------------------------------------------------------------------


def balance_cards() -> rx.Component:
    return rx.grid(
        stat_card(t("Paid (refundable)"), W.paid, "banknote", "teal", "wallet-paid"),
        stat_card(t("Bonus"), W.bonus, "gift", "amber", "wallet-bonus"),
        stat_card(
            t("Total"), W.total, "wallet", rx.cond(W.negative, "red", "green"), "wallet-total"
        ),
        stat_card(t("Payment method"), t_var(W.method), "credit-card", "gray", "wallet-method"),
        columns=rx.breakpoints(initial="1", sm="2", md="4"),
        spacing="3",
        width="100%",
    )


def _line(line: Any) -> rx.Component:
    return rx.table.row(
        cell(line["at"]),
        cell(t_var(line["kind"])),
        cell(
            rx.text(
                line["amount"],
                size="2",
                weight="medium",
                color=rx.cond(line["negative"] != "", rx.color("red", 11), rx.color("green", 11)),
            )
        ),
        cell(line["paid"]),
        cell(line["bonus"]),
        cell(rx.text(line["balance"], size="2", weight="medium")),
        rx.table.cell(
            rx.text(line["reason"], size="2"),
            min_width="160px",
            max_width="320px",
            vertical_align="middle",
        ),
        cell(line["who"]),
        custom_attrs=tid("wallet-line", line["id"].to(str)),
    )


def _ledger_pager() -> rx.Component:
    return rx.hstack(
        rx.text(
            rx.cond(
                W.ledger_total == 1,
                t_with("{count} movement", count=W.ledger_total),
                t_with("{count} movements", count=W.ledger_total),
            ),
            size="2",
            custom_attrs=tid("wallet-ledger-range"),
        ),
        rx.spacer(),
        rx.icon_button(
            rx.icon("chevron-left", size=16),
            on_click=W.previous_ledger_page,
            disabled=W.ledger_page <= 1,
            variant="soft",
            size="1",
            aria_label=t("Newer movements"),
            custom_attrs=tid("wallet-ledger-previous"),
        ),
        rx.text(W.ledger_page, " / ", W.ledger_pages, size="2", white_space="nowrap"),
        rx.icon_button(
            rx.icon("chevron-right", size=16),
            on_click=W.next_ledger_page,
            disabled=W.ledger_page >= W.ledger_pages,
            variant="soft",
            size="1",
            aria_label=t("Older movements"),
            custom_attrs=tid("wallet-ledger-next"),
        ),
        align="center",
        width="100%",
    )


def ledger_table() -> rx.Component:
    return section(
        t("Ledger"),
        rx.cond(
            W.ledger_total > 0,
            rx.vstack(
                data_table(
                    [
                        t("When"),
                        t("What"),
                        t("Amount"),
                        t("Paid"),
                        t("Bonus"),
                        t("Balance after"),
                        t("Reason"),
                        t("By"),
                    ],
                    W.lines,
                    _line,
                    testid="wallet-ledger",
                ),
                _ledger_pager(),
                spacing="2",
                width="100%",
            ),
            rx.text(
                t("No movements yet."),
                size="2",
                color=rx.color("gray", 10),
                custom_attrs=tid("wallet-ledger-empty"),
            ),
        ),
    )


def _field(label: Any, control: rx.Component, errors: Any, name: str, prefix: str) -> rx.Component:
    return labelled(label, control, keyed_error(errors, name, f"{prefix}-{name}-error"))


def _amount_and_reason(prefix: str, errors: Any, placeholder: str, **events: Any) -> rx.Component:
    """The amount (in the wallet's currency) and the reason both wallet forms ask for;
    `events`: the amount / reason Vars and their setters."""
    return rx.fragment(
        _field(
            t_with("Amount ({currency})", currency=W.currency),
            text_input(
                value=events["amount"],
                on_change=events["set_amount"],
                placeholder=placeholder,
                inputmode="decimal",
                width="100%",
                custom_attrs=tid(f"{prefix}-amount"),
            ),
            errors,
            "amount",
            prefix,
        ),
        _field(
            t("Reason"),
            text_area(
                value=events["reason"],
                on_change=events["set_reason"],
                max_length=500,
                width="100%",
                custom_attrs=tid(f"{prefix}-reason"),
            ),
            errors,
            "reason",
            prefix,
        ),
    )


def _adjustment_form() -> rx.Component:
    errors = W.adjust_errors
    return rx.card(
        rx.vstack(
            rx.heading(t("Manual adjustment"), size="3"),
            rx.text(
                t("Corrects a balance against the adjustments account; never below zero."),
                size="2",
                color=rx.color("gray", 11),
            ),
            rx.grid(
                _field(
                    t("Direction"),
                    choice_select(
                        W.adjust_direction,
                        [(ADD, t("Add")), (DEDUCT, t("Deduct"))],
                        W.set_adjust_direction,
                        None,
                        "adjust-direction",
                    ),
                    errors,
                    "direction",
                    "adjust",
                ),
                _field(
                    t("Bucket"),
                    choice_select(
                        W.adjust_bucket,
                        [("paid", t("Paid money")), ("bonus", t("Bonus credit"))],
                        W.set_adjust_bucket,
                        None,
                        "adjust-bucket",
                    ),
                    errors,
                    "bucket",
                    "adjust",
                ),
                columns="2",
                spacing="3",
                width="100%",
            ),
            _amount_and_reason(
                "adjust",
                errors,
                "5.00",
                amount=W.adjust_amount,
                set_amount=W.set_adjust_amount,
                reason=W.adjust_reason,
                set_reason=W.set_adjust_reason,
            ),
            rx.button(
                t("Post adjustment"),
                loading=W.busy,
                on_click=W.submit_adjustment,
                custom_attrs=tid("adjust-save"),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _refund_form() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(t("Paid-out refund"), size="3"),
            rx.text(
                t(
                    "Paid money returned outside Stripe (e.g. a bank transfer); bonus credit is "
                    "never refunded."
                ),
                size="2",
                color=rx.color("gray", 11),
            ),
            _amount_and_reason(
                "refund",
                W.refund_errors,
                "10.00",
                amount=W.refund_amount,
                set_amount=W.set_refund_amount,
                reason=W.refund_reason,
                set_reason=W.set_refund_reason,
            ),
            rx.button(
                t("Record refund"),
                color_scheme="amber",
                loading=W.busy,
                on_click=W.submit_refund,
                custom_attrs=tid("refund-save"),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def wallet_forms() -> rx.Component:
    """Shown only to roles holding finance:edit (the handlers check it anyway)."""
    return when_allowed(
        W.submit_adjustment,
        rx.grid(
            _adjustment_form(),
            _refund_form(),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="3",
            width="100%",
        ),
    )
