"""The dialogs of Finance -> Memberships: the plan form, the enrol form, the cancel dialog.

data-testids: `plan-dialog`, `plan-<field>` (name, description, monthly_fee,
fee_collection, discount_percent, member_tariff_id, included_kwh, organisation_id),
`plan-<field>-error`, `plan-benefits-error`, `plan-message`, `plan-save`; `enrol-dialog`,
`enrol-plan`, `enrol-holder-kind`, `enrol-holder-search`, `enrol-holder`,
`enrol-<field>-error`, `enrol-message`, `enrol-save`; `cancel-dialog`, `cancel-when`,
`cancel-error`, `cancel-save`.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from ccms_app.finance.memberships.plans import BENEFITS, FEE_COLLECTIONS
from ccms_app.finance.state.membership_forms import (
    AT_PERIOD_END,
    NOW,
    MembershipActionsState,
    PlanFormState,
)
from ccms_app.ui.dialogs import (
    choice_select,
    dialog,
    dialog_buttons,
    error_text,
    form_field,
    tid,
    value_input,
)
from ccms_app.ui.form_fields import field_error, form_message
from ccms_app.ui.i18n import Text, t
from ccms_app.ui.inputs import text_input

F: Any = PlanFormState
A: Any = MembershipActionsState


def _field(name: str, label: Text, hint: Text = "", **props: Any) -> rx.Component:
    return value_input(F, name, label, "plan", hint, **props)


def _select(
    label: Text, testid: str, options: Any, value: Any, on_change: Any, hint: Text = ""
) -> rx.Component:
    return form_field(label, choice_select(value, options, on_change, None, testid), hint=hint)


def _buttons(save: Any, busy: Any, label: Text, testid: str) -> rx.Component:
    return dialog_buttons(None, label, busy, testid, t("Close"), on_click=save)


def _dialog(
    title: Text,
    description: Any,
    body: rx.Component,
    testid: str,
    is_open: Any,
    on_open_change: Any,
) -> rx.Component:
    return dialog(
        is_open,
        on_open_change,
        title,
        body,
        description=description,
        testid=testid,
        max_width="560px",
    )


# --- plan ----------------------------------------------------------------------------------


def _plan_body() -> rx.Component:
    return rx.vstack(
        rx.cond(
            (F.plan_id == "") & (F.organisations.length() > 1),
            _select(
                t("Organisation"),
                "plan-organisation_id",
                F.organisations,
                F.values["organisation_id"],
                lambda value: F.set_value("organisation_id", value),
                t("The fee is in its billing currency."),
            ),
        ),
        field_error(F, "organisation_id", "plan"),
        _field("name", t("Name"), max_length=100),
        _field("description", t("Description"), max_length=500),
        rx.grid(
            _field(
                "monthly_fee", t("Monthly fee"), t("0 or more, e.g. 9.90"), input_mode="decimal"
            ),
            rx.vstack(
                _select(
                    t("Fee collected"),
                    "plan-fee_collection",
                    [(key, t(label)) for key, label in FEE_COLLECTIONS.items()],
                    F.values["fee_collection"],
                    lambda value: F.set_value("fee_collection", value),
                ),
                field_error(F, "fee_collection", "plan"),
                spacing="1",
                width="100%",
            ),
            columns=rx.breakpoints(initial="1", sm="2"),
            spacing="3",
            width="100%",
        ),
        rx.text(t("Benefits (at least one)"), size="2", weight="bold"),
        rx.grid(
            _field("discount_percent", t("Discount %"), t("0 to 100; empty: none")),
            _field("included_kwh", t("Included kWh per month"), t("empty: none")),
            columns=rx.breakpoints(initial="1", sm="2"),
            spacing="3",
            width="100%",
        ),
        _select(
            t("Member tariff"),
            "plan-member_tariff_id",
            F.tariffs,
            F.tariff_choice,
            lambda value: F.set_value("member_tariff_id", value),
            t("Prices members' sessions after a tariff assigned to the driver."),
        ),
        field_error(F, "member_tariff_id", "plan"),
        field_error(F, BENEFITS, "plan"),
        form_message(F, "plan"),
        _buttons(F.save, F.busy, t("Save plan"), "plan-save"),
        spacing="3",
        width="100%",
        margin_top="12px",
    )


def plan_dialog() -> rx.Component:
    return _dialog(
        t("Membership plan"),
        t(
            "A monthly fee from the wallet or a card subscription; members get the benefits "
            "while their fee is paid."
        ),
        _plan_body(),
        "plan-dialog",
        is_open=F.is_open,
        on_open_change=F.open_changed,
    )


# --- enrol -----------------------------------------------------------------------------------


def _holder_picker() -> rx.Component:
    return rx.vstack(
        text_input(
            rx.input.slot(rx.icon("search", size=14)),
            value=A.holder_search,
            on_change=A.search_holders,
            debounce_timeout=300,
            placeholder=t("Find by name"),
            width="100%",
            custom_attrs=tid("enrol-holder-search"),
        ),
        choice_select(
            A.holder_id, A.holder_options, A.set_holder, t("Choose the member"), "enrol-holder"
        ),
        field_error(A, "holder_id", "enrol"),
        spacing="2",
        width="100%",
    )


def _enrol_body() -> rx.Component:
    return rx.vstack(
        _select(t("Plan"), "enrol-plan", A.plan_options, A.plan_id, A.set_plan),
        field_error(A, "plan_id", "enrol"),
        _select(
            t("Member"),
            "enrol-holder-kind",
            [("driver", t("A driver")), ("group", t("A group account"))],
            A.holder_kind,
            A.set_holder_kind,
        ),
        field_error(A, "holder_kind", "enrol"),
        _holder_picker(),
        form_message(A, "enrol"),
        _buttons(A.enrol, A.busy, t("Enrol"), "enrol-save"),
        spacing="3",
        width="100%",
        margin_top="12px",
    )


def enrol_dialog() -> rx.Component:
    return _dialog(
        t("Enrol a member"),
        t(
            "The period runs a month from today. Wallet plans take the first fee now; card "
            "plans start a Stripe subscription on the member's saved card."
        ),
        _enrol_body(),
        "enrol-dialog",
        is_open=A.enrol_open,
        on_open_change=A.enrol_open_changed,
    )


# --- cancel ----------------------------------------------------------------------------------


def cancel_dialog() -> rx.Component:
    body = rx.vstack(
        rx.radio_group.root(
            rx.vstack(
                rx.radio_group.item(
                    t("At the end of the paid period (benefits until then)"), value=AT_PERIOD_END
                ),
                rx.radio_group.item(t("Now (benefits stop at once)"), value=NOW),
                spacing="2",
            ),
            value=A.cancel_when,
            on_change=A.set_cancel_when,
            custom_attrs=tid("cancel-when"),
        ),
        rx.text(t("No fee is refunded either way."), size="1", color=rx.color("gray", 11)),
        error_text(A.cancel_error, "cancel-error"),
        dialog_buttons(
            None,
            t("Cancel membership"),
            A.busy,
            "cancel-save",
            t("Keep it"),
            color_scheme="red",
            on_click=A.cancel_membership,
        ),
        spacing="3",
        width="100%",
        margin_top="12px",
    )
    return _dialog(
        t("Cancel the membership"),
        A.cancel_label,
        body,
        "cancel-dialog",
        is_open=A.cancel_id != "",
        on_open_change=A.dialog_cancel_changed,
    )
