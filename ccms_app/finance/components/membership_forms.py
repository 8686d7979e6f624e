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
from ccms_app.ui.form_fields import field_error, form_message

F: Any = PlanFormState
A: Any = MembershipActionsState
DIALOG_WIDTH = "calc(100vw - 24px)"


def _tid(value: str) -> dict[str, str]:
    return {"data-testid": value}


def _labelled(label: str, control: rx.Component, hint: str = "") -> rx.Component:
    return rx.el.label(
        rx.text(label, size="2", weight="medium"),
        control,
        rx.text(hint, size="1", color=rx.color("gray", 10)) if hint else rx.fragment(),
        display="flex",
        flex_direction="column",
        gap="4px",
        width="100%",
        min_width="0",
    )


def _field(name: str, label: str, hint: str = "", **props: Any) -> rx.Component:
    return rx.vstack(
        _labelled(
            label,
            rx.input(
                value=F.values[name],
                on_change=lambda value: F.set_value(name, value),
                width="100%",
                color_scheme=rx.cond(F.errors.contains(name), "red", "gray"),
                custom_attrs=_tid(f"plan-{name}"),
                **props,
            ),
            hint,
        ),
        field_error(F, name, "plan"),
        spacing="1",
        width="100%",
        min_width="0",
    )


def _select(
    label: str, testid: str, options: Any, value: Any, on_change: Any, hint: str = ""
) -> rx.Component:
    if isinstance(options, list | tuple):
        content = rx.select.content(*[rx.select.item(text, value=key) for key, text in options])
    else:
        content = rx.select.content(rx.foreach(options, lambda o: rx.select.item(o[1], value=o[0])))
    return _labelled(
        label,
        rx.select.root(
            rx.select.trigger(width="100%", custom_attrs=_tid(testid)),
            content,
            value=value,
            on_change=on_change,
        ),
        hint,
    )


def _buttons(save: Any, busy: Any, label: str, testid: str) -> rx.Component:
    return rx.flex(
        rx.dialog.close(rx.button("Close", variant="soft", color_scheme="gray")),
        rx.button(label, loading=busy, on_click=save, custom_attrs=_tid(testid)),
        gap="8px",
        justify="end",
        wrap="wrap",
        width="100%",
    )


def _dialog(title: str, description: Any, body: rx.Component, testid: str, **root: Any) -> Any:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(title),
            rx.dialog.description(description, size="2"),
            body,
            max_width="560px",
            width=DIALOG_WIDTH,
            max_height="calc(100dvh - 24px)",
            overflow_y="auto",
            custom_attrs=_tid(testid),
        ),
        **root,
    )


# --- plan ----------------------------------------------------------------------------------


def _plan_body() -> rx.Component:
    return rx.vstack(
        rx.cond(
            (F.plan_id == "") & (F.organisations.length() > 1),
            _select(
                "Organisation",
                "plan-organisation_id",
                F.organisations,
                F.values["organisation_id"],
                lambda value: F.set_value("organisation_id", value),
                "The fee is in its billing currency.",
            ),
        ),
        field_error(F, "organisation_id", "plan"),
        _field("name", "Name", max_length=100),
        _field("description", "Description", max_length=500),
        rx.grid(
            _field("monthly_fee", "Monthly fee", "0 or more, e.g. 9.90", input_mode="decimal"),
            rx.vstack(
                _select(
                    "Fee collected",
                    "plan-fee_collection",
                    list(FEE_COLLECTIONS.items()),
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
        rx.text("Benefits (at least one)", size="2", weight="bold"),
        rx.grid(
            _field("discount_percent", "Discount %", "0 to 100; empty: none"),
            _field("included_kwh", "Included kWh per month", "empty: none"),
            columns=rx.breakpoints(initial="1", sm="2"),
            spacing="3",
            width="100%",
        ),
        _select(
            "Member tariff",
            "plan-member_tariff_id",
            F.tariffs,
            F.tariff_choice,
            lambda value: F.set_value("member_tariff_id", value),
            "Prices members' sessions after a tariff assigned to the driver.",
        ),
        field_error(F, "member_tariff_id", "plan"),
        field_error(F, BENEFITS, "plan"),
        form_message(F, "plan"),
        _buttons(F.save, F.busy, "Save plan", "plan-save"),
        spacing="3",
        width="100%",
        margin_top="12px",
    )


def plan_dialog() -> rx.Component:
    return _dialog(
        "Membership plan",
        "A monthly fee from the wallet or a card subscription; members get the benefits "
        "while their fee is paid.",
        _plan_body(),
        "plan-dialog",
        open=F.is_open,
        on_open_change=F.open_changed,
    )


# --- enrol -----------------------------------------------------------------------------------


def _holder_picker() -> rx.Component:
    return rx.vstack(
        rx.input(
            rx.input.slot(rx.icon("search", size=14)),
            value=A.holder_search,
            on_change=A.search_holders,
            debounce_timeout=300,
            placeholder="Find by name",
            width="100%",
            custom_attrs=_tid("enrol-holder-search"),
        ),
        rx.select.root(
            rx.select.trigger(
                placeholder="Choose the member", width="100%", custom_attrs=_tid("enrol-holder")
            ),
            rx.select.content(
                rx.foreach(A.holder_options, lambda o: rx.select.item(o[1], value=o[0]))
            ),
            value=A.holder_id,
            on_change=A.set_holder,
        ),
        field_error(A, "holder_id", "enrol"),
        spacing="2",
        width="100%",
    )


def _enrol_body() -> rx.Component:
    return rx.vstack(
        _select("Plan", "enrol-plan", A.plan_options, A.plan_id, A.set_plan),
        field_error(A, "plan_id", "enrol"),
        _select(
            "Member",
            "enrol-holder-kind",
            [("driver", "A driver"), ("group", "A group account")],
            A.holder_kind,
            A.set_holder_kind,
        ),
        field_error(A, "holder_kind", "enrol"),
        _holder_picker(),
        form_message(A, "enrol"),
        _buttons(A.enrol, A.busy, "Enrol", "enrol-save"),
        spacing="3",
        width="100%",
        margin_top="12px",
    )


def enrol_dialog() -> rx.Component:
    return _dialog(
        "Enrol a member",
        "The period runs a month from today. Wallet plans take the first fee now; card "
        "plans start a Stripe subscription on the member's saved card.",
        _enrol_body(),
        "enrol-dialog",
        open=A.enrol_open,
        on_open_change=A.enrol_open_changed,
    )


# --- cancel ----------------------------------------------------------------------------------


def cancel_dialog() -> rx.Component:
    body = rx.vstack(
        rx.radio_group.root(
            rx.vstack(
                rx.radio_group.item(
                    "At the end of the paid period (benefits until then)", value=AT_PERIOD_END
                ),
                rx.radio_group.item("Now (benefits stop at once)", value=NOW),
                spacing="2",
            ),
            value=A.cancel_when,
            on_change=A.set_cancel_when,
            custom_attrs=_tid("cancel-when"),
        ),
        rx.text("No fee is refunded either way.", size="1", color=rx.color("gray", 11)),
        rx.cond(
            A.cancel_error != "",
            rx.text(
                A.cancel_error,
                size="2",
                color=rx.color("red", 11),
                custom_attrs=_tid("cancel-error"),
            ),
        ),
        rx.flex(
            rx.dialog.close(rx.button("Keep it", variant="soft", color_scheme="gray")),
            rx.button(
                "Cancel membership",
                color_scheme="red",
                loading=A.busy,
                on_click=A.cancel_membership,
                custom_attrs=_tid("cancel-save"),
            ),
            gap="8px",
            justify="end",
            wrap="wrap",
            width="100%",
        ),
        spacing="3",
        width="100%",
        margin_top="12px",
    )
    return _dialog(
        "Cancel the membership",
        A.cancel_label,
        body,
        "cancel-dialog",
        open=A.cancel_id != "",
        on_open_change=A.dialog_cancel_changed,
    )
