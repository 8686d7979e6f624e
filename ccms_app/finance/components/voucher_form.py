"""Finance -> Vouchers: the create / edit dialog (code, what it gives, limits, validity, the
groups and drivers it is for).

data-testids: `voucher-dialog`, `voucher-<field>`, `voucher-<field>-error`,
`voucher-message`, `voucher-holder-search`, `voucher-holder-add`, `voucher-eligible-<key>`,
`voucher-save`.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from ccms_app.finance.state.vouchers import VoucherFormState
from ccms_app.ui.dialogs import choice_select, dialog, dialog_body, dialog_buttons, labelled, tid
from ccms_app.ui.form_fields import field_error, form_message
from ccms_app.ui.i18n import Text, t
from ccms_app.ui.inputs import text_input

F: Any = VoucherFormState


def _field(label: Text, name: str, control: rx.Component) -> rx.Component:
    return labelled(label, control, field_error(F, name, "voucher"))


def _input(name: str, placeholder: Text = "", kind: str = "text", **props: Any) -> rx.Component:
    return text_input(
        value=F.form[name],
        on_change=lambda value: F.set_field(name, value),
        placeholder=placeholder,
        type=kind,
        width="100%",
        custom_attrs=tid(f"voucher-{name}"),
        **props,
    )


def _gives() -> rx.Component:
    return rx.grid(
        _field(
            t("Kind"),
            "kind",
            choice_select(
                F.form["kind"],
                [
                    ("value", t("Value (bonus credit)")),
                    ("percent", t("Percent off the next session")),
                ],
                lambda value: F.set_field("kind", value),
                None,
                "voucher-kind",
                disabled=F.redeemed,
            ),
        ),
        rx.cond(
            F.form["kind"] == "percent",
            _field(t("Percent"), "percent", _input("percent", "15", disabled=F.redeemed)),
            _field(t("Value"), "value", _input("value", "5.00", disabled=F.redeemed)),
        ),
        columns=rx.breakpoints(initial="1", sm="2"),
        spacing="3",
        width="100%",
    )


def _limits() -> rx.Component:
    return rx.grid(
        _field(
            t("Redemptions allowed (empty = unlimited)"),
            "max_redemptions",
            _input("max_redemptions", "1", inputmode="numeric"),
        ),
        _field(
            t("Per holder"),
            "per_holder_limit",
            _input("per_holder_limit", "1", inputmode="numeric"),
        ),
        _field(t("Valid from"), "valid_from", _input("valid_from", kind="datetime-local")),
        _field(t("Valid until"), "valid_until", _input("valid_until", kind="datetime-local")),
        rx.text(
            t("Times in your billing time zone; empty: no limit."),
            size="1",
            color=rx.color("gray", 10),
            grid_column="1 / -1",
        ),
        columns=rx.breakpoints(initial="1", sm="2"),
        spacing="3",
        width="100%",
    )


def _eligible() -> rx.Component:
    return rx.vstack(
        rx.text(t("Only for (empty = every driver and group account)"), size="2", weight="medium"),
        rx.flex(
            rx.foreach(
                F.eligible,
                lambda e: rx.badge(
                    e[1],
                    rx.icon("x", size=12, cursor="pointer", on_click=F.drop_eligible(e[0])),
                    variant="soft",
                    custom_attrs=tid("voucher-eligible", e[0]),
                ),
            ),
            gap="6px",
            wrap="wrap",
        ),
        rx.flex(
            text_input(
                value=F.holder_search,
                on_change=F.search_holders,
                debounce_timeout=300,
                placeholder=t("Find a group or driver…"),
                flex="1",
                min_width="0",
                custom_attrs=tid("voucher-holder-search"),
            ),
            rx.select.root(
                rx.select.trigger(
                    placeholder=t("Add…"), min_width="0", custom_attrs=tid("voucher-holder-add")
                ),
                rx.select.content(
                    rx.foreach(F.holder_options, lambda o: rx.select.item(o[1], value=o[0]))
                ),
                value="",
                on_change=F.add_eligible,
            ),
            gap="8px",
            width="100%",
            wrap="wrap",
        ),
        field_error(F, "eligible", "voucher"),
        spacing="2",
        width="100%",
    )


def voucher_dialog() -> rx.Component:
    return dialog(
        F.open,
        F.open_changed,
        rx.cond(F.editing_id > 0, t("Edit voucher"), t("New voucher")),
        dialog_body(
            rx.grid(
                _field(t("Code"), "code", _input("code", t("SPRING-25"), disabled=F.redeemed)),
                _field(t("Description"), "description", _input("description")),
                columns=rx.breakpoints(initial="1", sm="2"),
                spacing="3",
                width="100%",
            ),
            _gives(),
            _limits(),
            _eligible(),
            rx.cond(
                F.redeemed,
                rx.text(
                    t("Redeemed already: what the code gives can no longer change."),
                    size="1",
                    color=rx.color("gray", 11),
                ),
            ),
            form_message(F, "voucher"),
            dialog_buttons(None, t("Save"), F.busy, "voucher-save", t("Cancel"), on_click=F.save),
        ),
        testid="voucher-dialog",
        max_width="640px",
    )
