"""The pieces of Finance -> Top-ups: the form that starts a top-up (holder, what is paid,
the Checkout link), the recharge history, the packages and their dialog.

data-testids: `top-up-form`, `top-up-kind`, `top-up-query`, `top-up-holder`,
`top-up-mode`, `top-up-recharge`, `top-up-package`, `top-up-amount`, `top-up-start`,
`top-up-<field>-error`, `top-up-message`, `top-up-not-configured`, `top-up-checkout`;
the history is data_list's "top-ups" (`top-ups-row-<id>`, `top-ups-filter-state`, ...);
packages `packages-card`, `packages-new`, `package-row-<id>`, `package-edit-<id>`,
`package-active-<id>`, the dialog `package-dialog`, `package-<field>`,
`package-<field>-error`, `package-save`.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from ccms_app.core.i18n import N_
from ccms_app.finance.payments.models import TopUpState
from ccms_app.finance.state.top_ups import PackageState, TopUpFormState, TopUpListState
from ccms_app.ui.data_list import Column, Filter, RowVar, data_list
from ccms_app.ui.dialogs import (
    choice_select,
    dialog,
    dialog_body,
    dialog_buttons,
    labelled,
    notice,
    tid,
    value_input,
)
from ccms_app.ui.form_fields import field_error
from ccms_app.ui.i18n import Text, t, t_var, t_with
from ccms_app.ui.inputs import text_input
from ccms_app.ui.permissions import when_allowed

F: Any = TopUpFormState
L: Any = TopUpListState
P: Any = PackageState
STATE_COLOURS = {"open": "amber", "paid": "green", "expired": "gray", "failed": "red"}
STATE_LABELS: dict[str, str] = {  # the row's state is its key
    TopUpState.OPEN.value: N_("open"),
    TopUpState.PAID.value: N_("paid"),
    TopUpState.EXPIRED.value: N_("expired"),
    TopUpState.FAILED.value: N_("failed"),
}


def _labelled(label: Text, control: rx.Component, field: str) -> rx.Component:
    return labelled(label, control, field_error(F, field, "top-up"))


def _holder_picker() -> rx.Component:
    return rx.grid(
        _labelled(
            t("Who tops up"),
            choice_select(
                F.kind,
                [("driver", t("Driver")), ("group", t("Group account"))],
                F.set_kind,
                None,
                "top-up-kind",
            ),
            "kind",
        ),
        _labelled(
            t("Find by name"),
            text_input(
                value=F.query,
                on_change=F.set_query,
                debounce_timeout=300,
                placeholder=t("Name or e-mail…"),
                width="100%",
                custom_attrs=tid("top-up-query"),
            ),
            "query",
        ),
        _labelled(
            t("Holder"),
            choice_select(F.holder_id, F.holders, F.choose_holder, t("Choose…"), "top-up-holder"),
            "holder",
        ),
        columns=rx.breakpoints(initial="1", sm="3"),
        spacing="3",
        width="100%",
    )


def _what_is_paid() -> rx.Component:
    return rx.vstack(
        rx.radio_group.root(
            rx.flex(
                rx.radio_group.item(value="amount"),
                rx.text(t("Recharge amount"), size="2"),
                rx.radio_group.item(value="package"),
                rx.text(t("Package"), size="2"),
                rx.radio_group.item(value="custom"),
                rx.text(t("Other amount"), size="2"),
                gap="8px",
                align="center",
                wrap="wrap",
            ),
            value=F.mode,
            on_change=F.set_mode,
            custom_attrs=tid("top-up-mode"),
        ),
        rx.match(
            F.mode,
            (
                "package",
                choice_select(
                    F.package_id,
                    F.package_options,
                    F.set_package,
                    t("Choose a package…"),
                    "top-up-package",
                ),
            ),
            (
                "custom",
                text_input(
                    value=F.amount,
                    on_change=F.set_amount,
                    placeholder=t_with(
                        "Amount in {currency}, between {low} and {high}",
                        currency=F.currency,
                        low=F.limit_low,
                        high=F.limit_high,
                    ),
                    inputmode="decimal",
                    width="100%",
                    custom_attrs=tid("top-up-amount"),
                ),
            ),
            choice_select(
                F.recharge,
                F.recharge_options,
                F.set_recharge,
                t("Choose an amount…"),
                "top-up-recharge",
            ),
        ),
        field_error(F, "amount", "top-up"),
        spacing="2",
        width="100%",
    )


def _checkout_link() -> rx.Component:
    return rx.cond(
        F.checkout_url != "",
        rx.callout(
            rx.vstack(
                rx.text(
                    t(
                        "Send the driver this Stripe Checkout page; the wallet is credited once "
                        "Stripe confirms the payment."
                    ),
                    size="2",
                ),
                rx.link(
                    F.checkout_url,
                    href=F.checkout_url,
                    is_external=True,
                    word_break="break-all",
                    custom_attrs=tid("top-up-checkout"),
                ),
                spacing="1",
                min_width="0",
            ),
            icon="link",
            color_scheme="green",
            width="100%",
        ),
    )


def start_form() -> rx.Component:
    """The card that opens a top-up (shown to roles that may start one)."""
    form = rx.vstack(
        rx.heading(t("Start a top-up"), size="3"),
        _holder_picker(),
        _what_is_paid(),
        notice(F.message, "top-up-message"),
        rx.button(
            rx.icon("credit-card", size=14),
            t("Open Checkout"),
            on_click=F.start,
            loading=F.busy,
            align_self="end",
            custom_attrs=tid("top-up-start"),
        ),
        _checkout_link(),
        spacing="3",
        width="100%",
    )
    not_configured = rx.callout(
        t(
            "Top-ups are not configured: card payments need CCMS_STRIPE_SECRET_KEY. "
            "Wallets, packages and the history still work."
        ),
        icon="info",
        color_scheme="amber",
        width="100%",
        custom_attrs=tid("top-up-not-configured"),
    )
    return when_allowed(
        F.start,
        rx.card(
            rx.cond(F.configured, form, not_configured),
            width="100%",
            custom_attrs=tid("top-up-form"),
        ),
    )


def _state(row: RowVar) -> rx.Component:
    return rx.badge(
        t_var(row["state"]),
        color_scheme=rx.match(row["state"], *STATE_COLOURS.items(), "gray"),
        variant="soft",
        custom_attrs=tid("top-ups-state", row["id"].to(str)),
    )


def _history_actions(row: RowVar) -> rx.Component:
    return rx.cond(
        row["checkout_url"] != "",
        rx.link(t("Checkout page"), href=row["checkout_url"], is_external=True, size="2"),
    )


def history_list() -> rx.Component:
    return data_list(
        L,
        columns=[
            Column("created_at", t("Started")),
            Column("holder", t("Holder"), sortable=False),
            Column("package", t("Package"), sortable=False),
            Column(
                "pay_minor",
                t("Paid"),
                render=lambda row: rx.text(row["paid"], size="2", white_space="nowrap"),
            ),
            Column("bonus", t("Bonus"), sortable=False),
            Column("state", t("State"), sortable=False, render=_state),
            Column("paid_at", t("Paid at"), sortable=False, on_phone=False),
        ],
        filters=[
            Filter("state", t("State"), [(key, t(label)) for key, label in STATE_LABELS.items()])
        ],
        testid="top-ups",
        empty_text=t("No top-ups yet."),
        search_placeholder=t("Search holder…"),
        actions=_history_actions,
    )


# --- packages ------------------------------------------------------------------------------


def _package_row(row: RowVar) -> rx.Component:
    return rx.flex(
        rx.vstack(
            rx.text(row["name"], size="2", weight="medium"),
            rx.text(
                t_with(
                    "pay {pay}, get {credit} (bonus {bonus})",
                    pay=row["pay"],
                    credit=row["credit"],
                    bonus=row["bonus"],
                ),
                size="1",
                color=rx.color("gray", 11),
            ),
            spacing="0",
            min_width="0",
        ),
        rx.hstack(
            when_allowed(
                P.toggle_active,
                rx.switch(
                    checked=row["active"] != "",
                    on_change=lambda on: P.toggle_active(row["id"].to(str), on),
                    custom_attrs=tid("package-active", row["id"].to(str)),
                ),
                rx.badge(rx.cond(row["active"] != "", t("active"), t("off")), variant="soft"),
            ),
            when_allowed(
                P.save,
                rx.button(
                    t("Edit"),
                    size="1",
                    variant="ghost",
                    on_click=P.open_edit(row["id"].to(str)),
                    custom_attrs=tid("package-edit", row["id"].to(str)),
                ),
            ),
            spacing="2",
            align="center",
        ),
        justify="between",
        align="center",
        gap="8px",
        wrap="wrap",
        width="100%",
        padding_y="6px",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        custom_attrs=tid("package-row", row["id"].to(str)),
    )


def packages_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.flex(
                rx.heading(t("Top-up packages"), size="3"),
                when_allowed(
                    P.save,
                    rx.button(
                        rx.icon("plus", size=14),
                        t("New package"),
                        size="1",
                        on_click=P.open_new,
                        custom_attrs=tid("packages-new"),
                    ),
                ),
                justify="between",
                align="center",
                width="100%",
                wrap="wrap",
                gap="8px",
            ),
            rx.cond(
                P.rows.length() > 0,
                rx.vstack(rx.foreach(P.rows, _package_row), spacing="0", width="100%"),
                rx.text(
                    t('No packages. A package is "pay 50, get 55": the extra is bonus credit.'),
                    size="2",
                    color=rx.color("gray", 11),
                ),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        custom_attrs=tid("packages-card"),
    )


def package_dialog() -> rx.Component:
    return dialog(
        P.editing != "",
        P.open_changed,
        rx.cond(P.editing == "new", t("New package"), t("Edit package")),
        dialog_body(
            value_input(P, "name", t("Name"), "package", t('e.g. "Pay 50, get 55"')),
            rx.grid(
                value_input(P, "pay", t("Paid"), "package", t("What the driver pays")),
                value_input(
                    P,
                    "credit",
                    t("Credited"),
                    "package",
                    t("At least what is paid; the rest is bonus"),
                ),
                columns=rx.breakpoints(initial="1", sm="2"),
                spacing="3",
                width="100%",
            ),
            dialog_buttons(None, t("Save"), P.busy, "package-save", t("Cancel"), on_click=P.save),
        ),
        testid="package-dialog",
        max_width="520px",
    )
