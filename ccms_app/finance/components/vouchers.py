"""The pieces of Finance -> Vouchers: the list, a voucher's redemptions and the "redeem a
code" dialog (the create / edit dialog: components/voucher_form.py).

data-testids: the list's are data_list's with "vouchers" (`vouchers-row-<id>` ...), per row
`vouchers-used-<id>`, `vouchers-edit-<id>`, `vouchers-redemptions-<id>`,
`vouchers-deactivate-<id>`; `vouchers-new`, `vouchers-redeem-open` (the form's: in
components/voucher_form.py); redemptions `redemptions-dialog` (its list "redemptions");
redeem `redeem-dialog`, `redeem-code`, `redeem-holder-search`, `redeem-holder`,
`redeem-code-error` / `redeem-holder-error` (missing), `redeem-error` (refused),
`redeem-result`, `redeem-save`.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from ccms_app.finance.state.vouchers import (
    VoucherFormState,
    VoucherListState,
    VoucherRedeemState,
    VoucherRedemptionListState,
)
from ccms_app.ui.data_list import Column, Filter, RowVar, data_list
from ccms_app.ui.dialogs import (
    choice_select,
    dialog,
    dialog_body,
    dialog_buttons,
    labelled,
    notice,
    tid,
)
from ccms_app.ui.form_fields import field_error
from ccms_app.ui.i18n import t, t_var, t_with
from ccms_app.ui.inputs import text_input
from ccms_app.ui.permissions import when_allowed

L: Any = VoucherListState
F: Any = VoucherFormState
R: Any = VoucherRedeemState
H: Any = VoucherRedemptionListState


# --- the list ------------------------------------------------------------------------------


def _used(row: RowVar) -> rx.Component:
    return rx.text(
        row["used"],
        size="2",
        white_space="nowrap",
        custom_attrs=tid("vouchers-used", row["id"].to(str)),
    )


def _actions(row: RowVar) -> rx.Component:
    voucher_id = row["id"].to(str)
    return rx.hstack(
        rx.button(
            t("Redemptions"),
            size="1",
            variant="ghost",
            on_click=H.show(voucher_id),
            custom_attrs=tid("vouchers-redemptions", voucher_id),
        ),
        when_allowed(
            F.save,
            rx.button(
                t("Edit"),
                size="1",
                variant="soft",
                on_click=F.open_edit(voucher_id),
                custom_attrs=tid("vouchers-edit", voucher_id),
            ),
        ),
        rx.cond(
            row["active"] != "",
            when_allowed(
                F.deactivate,
                rx.button(
                    t("Deactivate"),
                    size="1",
                    variant="soft",
                    color_scheme="red",
                    on_click=F.deactivate(voucher_id),
                    custom_attrs=tid("vouchers-deactivate", voucher_id),
                ),
            ),
        ),
        spacing="2",
        align="center",
    )


def _toolbar() -> list[rx.Component]:
    return [
        when_allowed(
            F.save,
            rx.button(
                rx.icon("plus", size=14),
                t("New voucher"),
                on_click=F.open_new,
                custom_attrs=tid("vouchers-new"),
            ),
        ),
        when_allowed(
            R.redeem,
            rx.button(
                rx.icon("ticket-check", size=14),
                t("Redeem a code"),
                variant="soft",
                on_click=R.open_redeem,
                custom_attrs=tid("vouchers-redeem-open"),
            ),
        ),
    ]


def vouchers_list() -> rx.Component:
    return data_list(
        L,
        columns=[
            Column("code", t("Code")),
            Column("gives", t("Gives"), sortable=False),
            Column("redemption_count", t("Used / allowed"), render=_used),
            Column("per_holder", t("Per holder"), sortable=False),
            Column("validity", t("Validity"), sortable=False),
            Column("description", t("Description")),
        ],
        filters=[
            Filter("kind", t("Kind"), [("value", t("value")), ("percent", t("percent"))]),
            Filter("active", t("Active"), [("true", t("active")), ("false", t("deactivated"))]),
            Filter("organisation_id", t("Organisation"), L.filter_options["organisation_id"]),
        ],
        testid="vouchers",
        empty_text=t("No vouchers yet."),
        search_placeholder=t("Search code or description…"),
        toolbar=_toolbar(),
        actions=_actions,
    )


# --- redemptions of a voucher --------------------------------------------------------------


def _holder(row: RowVar) -> rx.Component:
    return rx.link(row["holder"], href=row["holder_url"], weight="medium")


def _label(key: str) -> Any:
    """A column showing a label from a table marked N_ (the row holds its English text)."""
    return lambda row: rx.text(t_var(row[key]), size="2")


def redemptions_dialog() -> rx.Component:
    return dialog(
        H.open,
        H.open_changed,
        t_with("Redemptions of {code}", code=H.voucher_code),
        data_list(
            H,
            columns=[
                Column("holder", t("Holder"), sortable=False, render=_holder),
                Column("holder_kind", t("Kind"), sortable=False, render=_label("holder_kind")),
                Column("state", t("State"), sortable=False, render=_label("state")),
                Column("amount", t("Amount"), sortable=False),
                Column("session_id", t("Session"), sortable=False),
                Column("created_at", t("Redeemed")),
                Column("created_by", t("By"), sortable=False),
            ],
            testid="redemptions",
            empty_text=t("Not redeemed yet."),
            search_placeholder=t("Search…"),
        ),
        rx.flex(
            rx.dialog.close(rx.button(t("Close"), variant="soft", color_scheme="gray")),
            justify="end",
            width="100%",
            margin_top="12px",
        ),
        testid="redemptions-dialog",
        max_width="900px",
    )


# --- redeem a code for a holder ------------------------------------------------------------


def redeem_dialog() -> rx.Component:
    return dialog(
        R.open,
        R.open_changed,
        t("Redeem a code"),
        dialog_body(
            labelled(
                t("Code"),
                text_input(
                    value=R.code,
                    on_change=R.set_code,
                    placeholder=t("SPRING-25"),
                    width="100%",
                    custom_attrs=tid("redeem-code"),
                ),
                field_error(R, "code", "redeem"),
            ),
            labelled(
                t("For"),
                rx.vstack(
                    text_input(
                        value=R.holder_search,
                        on_change=R.search_holders,
                        debounce_timeout=300,
                        placeholder=t("Find a group or driver…"),
                        width="100%",
                        custom_attrs=tid("redeem-holder-search"),
                    ),
                    choice_select(
                        R.holder, R.holder_options, R.set_holder, t("Choose…"), "redeem-holder"
                    ),
                    spacing="2",
                    width="100%",
                ),
                field_error(R, "holder", "redeem"),
            ),
            notice(R.error, "redeem-error"),
            notice(R.result, "redeem-result", done=True),
            dialog_buttons(None, t("Redeem"), R.busy, "redeem-save", t("Close"), on_click=R.redeem),
        ),
        description=t(
            "A value code is credited to the wallet as bonus at once; a percent code "
            "applies to the holder's next charged session."
        ),
        testid="redeem-dialog",
        max_width="520px",
    )
