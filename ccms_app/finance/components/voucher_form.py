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

F: Any = VoucherFormState
DIALOG_WIDTH = "calc(100vw - 24px)"


def _tid(*parts: Any) -> dict[str, Any]:
    value: Any = parts[0]
    for part in parts[1:]:
        value = value + "-" + part
    return {"data-testid": value}


def _field(label: str, name: str, control: rx.Component) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="2", weight="medium"),
        control,
        rx.cond(
            F.errors.contains(name),
            rx.text(
                F.errors[name],
                size="1",
                color=rx.color("red", 11),
                custom_attrs=_tid(f"voucher-{name}-error"),
            ),
        ),
        spacing="1",
        width="100%",
    )


def _input(name: str, placeholder: str = "", kind: str = "text", **props: Any) -> rx.Component:
    return rx.input(
        value=F.form[name],
        on_change=lambda value: F.set_field(name, value),
        placeholder=placeholder,
        type=kind,
        width="100%",
        custom_attrs=_tid(f"voucher-{name}"),
        **props,
    )


def _gives() -> rx.Component:
    return rx.grid(
        _field(
            "Kind",
            "kind",
            rx.select.root(
                rx.select.trigger(width="100%", custom_attrs=_tid("voucher-kind")),
                rx.select.content(
                    rx.select.item("Value (bonus credit)", value="value"),
                    rx.select.item("Percent off the next session", value="percent"),
                ),
                value=F.form["kind"],
                on_change=lambda value: F.set_field("kind", value),
                disabled=F.redeemed,
            ),
        ),
        rx.cond(
            F.form["kind"] == "percent",
            _field("Percent", "percent", _input("percent", "15", disabled=F.redeemed)),
            _field("Value", "value", _input("value", "5.00", disabled=F.redeemed)),
        ),
        columns=rx.breakpoints(initial="1", sm="2"),
        spacing="3",
        width="100%",
    )


def _limits() -> rx.Component:
    return rx.grid(
        _field(
            "Redemptions allowed (empty = unlimited)",
            "max_redemptions",
            _input("max_redemptions", "1", inputmode="numeric"),
        ),
        _field(
            "Per holder", "per_holder_limit", _input("per_holder_limit", "1", inputmode="numeric")
        ),
        _field("Valid from", "valid_from", _input("valid_from", kind="datetime-local")),
        _field("Valid until", "valid_until", _input("valid_until", kind="datetime-local")),
        rx.text(
            "Times in your billing time zone; empty: no limit.",
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
        rx.text("Only for (empty = every driver and group account)", size="2", weight="medium"),
        rx.flex(
            rx.foreach(
                F.eligible,
                lambda e: rx.badge(
                    e[1],
                    rx.icon("x", size=12, cursor="pointer", on_click=F.drop_eligible(e[0])),
                    variant="soft",
                    custom_attrs=_tid("voucher-eligible", e[0]),
                ),
            ),
            gap="6px",
            wrap="wrap",
        ),
        rx.flex(
            rx.input(
                value=F.holder_search,
                on_change=F.search_holders,
                debounce_timeout=300,
                placeholder="Find a group or driver…",
                flex="1",
                min_width="0",
                custom_attrs=_tid("voucher-holder-search"),
            ),
            rx.select.root(
                rx.select.trigger(
                    placeholder="Add…", min_width="0", custom_attrs=_tid("voucher-holder-add")
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
        rx.cond(
            F.errors.contains("eligible"),
            rx.text(
                F.errors["eligible"],
                size="1",
                color=rx.color("red", 11),
                custom_attrs=_tid("voucher-eligible-error"),
            ),
        ),
        spacing="2",
        width="100%",
    )


def voucher_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.cond(F.editing_id > 0, "Edit voucher", "New voucher")),
            rx.vstack(
                rx.grid(
                    _field("Code", "code", _input("code", "SPRING-25", disabled=F.redeemed)),
                    _field("Description", "description", _input("description")),
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
                        "Redeemed already: what the code gives can no longer change.",
                        size="1",
                        color=rx.color("gray", 11),
                    ),
                ),
                rx.cond(
                    F.message != "",
                    rx.callout(
                        F.message,
                        icon="triangle-alert",
                        color_scheme="red",
                        size="1",
                        width="100%",
                        custom_attrs=_tid("voucher-message"),
                    ),
                ),
                rx.flex(
                    rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray")),
                    rx.button(
                        "Save", loading=F.busy, on_click=F.save, custom_attrs=_tid("voucher-save")
                    ),
                    gap="8px",
                    justify="end",
                    width="100%",
                ),
                spacing="3",
                width="100%",
                margin_top="12px",
            ),
            max_width="640px",
            width=DIALOG_WIDTH,
            custom_attrs=_tid("voucher-dialog"),
        ),
        open=F.open,
        on_open_change=F.open_changed,
    )
