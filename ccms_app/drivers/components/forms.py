"""The create / edit dialogs of the Users pages, over the UserFormState mixin
(ccms_app.drivers.state.forms): controlled inputs, one error line under each field, a refusal
callout, Cancel / Save. Every input carries `data-testid="<form>-<field>"`."""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.vars import ObjectVar

from ccms_app.drivers.state.forms import (
    OWNER_DRIVER,
    OWNER_GROUP,
    OWNER_NONE,
    DriverFormState,
    GroupFormState,
    IdTagFormState,
    VehicleFormState,
)
from ccms_app.ui.form_fields import field_error
from ccms_app.ui.i18n import Text, has_text, t, t_with
from ccms_app.ui.inputs import text_input

NO_DRIVER = "0"  # a select item cannot have an empty value; optional_id("0") is None


def _tid(value: str) -> dict[str, str]:
    return {"data-testid": value}


def preset(**values: str | rx.Var[str]) -> ObjectVar[dict[str, str]]:
    """The values a dialog opens with (`open_new`), some read from the page's state: one
    object the browser fills in when the operator clicks."""
    return rx.Var.create(values).to(dict[str, str])


def pair(first: rx.Component, second: rx.Component) -> rx.Component:
    """Two fields side by side; stacked on a phone."""
    return rx.flex(
        rx.box(first, flex="1", width="100%"),
        rx.box(second, flex="1", width="100%"),
        direction=rx.breakpoints(initial="column", sm="row"),
        gap="12px",
        width="100%",
    )


def labelled(label: Text, control: rx.Component, hint: Text = "") -> rx.Component:
    return rx.vstack(
        rx.text(label, size="2", weight="medium"),
        control,
        rx.text(hint, size="1", color=rx.color("gray", 10)) if has_text(hint) else rx.fragment(),
        spacing="1",
        width="100%",
    )


def text_field(
    state: Any,
    name: str,
    label: Text,
    testid: str,
    *,
    placeholder: Text = "",
    hint: Text = "",
    type_: str = "text",
    disabled: Any = False,
) -> rx.Component:
    return rx.vstack(
        labelled(
            label,
            text_input(
                value=state.values[name],
                on_change=lambda value: state.set_value(name, value),
                placeholder=placeholder,
                type=type_,
                disabled=disabled,
                width="100%",
                color_scheme=rx.cond(state.errors.contains(name), "red", "gray"),
                custom_attrs=_tid(f"{testid}-{name}"),
            ),
            hint,
        ),
        field_error(state, name, testid),
        spacing="1",
        width="100%",
    )


def driver_picker(
    state: Any, testid: str, on_choose: Any, chosen: Any, allow_none: bool = False
) -> rx.Component:
    """Search drivers by name or email, then choose one of the matches (or none)."""
    return rx.flex(
        text_input(
            rx.input.slot(rx.icon("search", size=14)),
            value=state.driver_search,
            on_change=state.search_drivers,
            placeholder=t("Find a driver by name or email"),
            width="100%",
            flex="1",
            custom_attrs=_tid(f"{testid}-driver-search"),
        ),
        rx.select.root(
            rx.select.trigger(
                placeholder=t("Choose a driver"),
                width="100%",
                flex="1",
                custom_attrs=_tid(f"{testid}-driver"),
            ),
            rx.select.content(
                rx.select.item(t("No driver"), value=NO_DRIVER) if allow_none else rx.fragment(),
                rx.foreach(
                    state.driver_options,
                    lambda option: rx.select.item(option[1], value=option[0]),
                ),
            ),
            value=chosen,
            on_change=on_choose,
        ),
        direction=rx.breakpoints(initial="column", md="row"),
        gap="8px",
        width="100%",
    )


def form_dialog(
    state: Any,
    testid: str,
    title_new: Text,
    title_edit: Text,
    *fields: rx.Component,
    save_new: Text = "Create",
) -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.cond(state.editing, title_edit, title_new)),
            rx.vstack(
                *fields,
                rx.cond(
                    state.problem != "",
                    rx.callout(
                        state.problem,
                        icon="triangle-alert",
                        color_scheme="red",
                        size="1",
                        width="100%",
                        custom_attrs=_tid(f"{testid}-problem"),
                    ),
                ),
                rx.flex(
                    rx.dialog.close(
                        rx.button(t("Cancel"), variant="soft", color_scheme="gray", type="button")
                    ),
                    rx.button(
                        rx.cond(state.editing, t("Save"), save_new),
                        on_click=state.submit,
                        loading=state.busy,
                        custom_attrs=_tid(f"{testid}-save"),
                    ),
                    justify="end",
                    gap="8px",
                    width="100%",
                ),
                spacing="3",
                width="100%",
            ),
            max_width="520px",
            width="calc(100vw - 24px)",
            custom_attrs=_tid(f"{testid}-dialog"),
        ),
        open=state.open,
        on_open_change=state.set_open,
    )


# --- the forms ------------------------------------------------------------------------------


def driver_form() -> rx.Component:
    s, tp = DriverFormState, "driver-form"
    return form_dialog(
        s,
        tp,
        t("New driver"),
        t("Edit driver"),
        text_field(s, "name", t("Name"), tp, placeholder=t("Full name")),
        text_field(s, "email", t("Email"), tp, placeholder=t("name@example.com"), type_="email"),
        text_field(s, "phone", t("Phone"), tp, placeholder="+31 20 123 4567", type_="tel"),
    )


def group_form() -> rx.Component:
    s, tp = GroupFormState, "group-form"
    return form_dialog(
        s,
        tp,
        t("New user group"),
        t("Edit user group"),
        text_field(s, "name", t("Name"), tp, placeholder=t("e.g. ACME fleet")),
        text_field(s, "account_name", t("Group account"), tp, placeholder=t("Who is billed")),
        text_field(s, "billing_email", t("Billing email"), tp, type_="email"),
    )


def _owner_kind() -> rx.Component:
    s = IdTagFormState
    return labelled(
        t("Belongs to"),
        rx.segmented_control.root(
            rx.segmented_control.item(t("Nobody yet"), value=OWNER_NONE),
            rx.segmented_control.item(t("A driver"), value=OWNER_DRIVER),
            rx.segmented_control.item(t("A group"), value=OWNER_GROUP),
            value=s.values["owner_kind"],
            on_change=lambda value: s.set_value("owner_kind", value),
            width="100%",
            custom_attrs=_tid("card-form-owner-kind"),
        ),
    )


def _fleet_card() -> rx.Component:
    """A fleet card may charge several vehicles at once (no ConcurrentTx)."""
    s = IdTagFormState
    return rx.text(
        rx.flex(
            rx.switch(
                checked=s.values["concurrent_transactions"] == "true",
                on_change=lambda on: s.set_switch("concurrent_transactions", on),
                custom_attrs=_tid("card-form-concurrent"),
            ),
            t("Fleet card: may run several charging sessions at once"),
            gap="8px",
            align="center",
        ),
        as_="label",
        size="2",
    )


def _owner_choice() -> rx.Component:
    s, tp = IdTagFormState, "card-form"
    return rx.vstack(
        rx.match(
            s.values["owner_kind"],
            (
                OWNER_DRIVER,
                driver_picker(
                    s,
                    tp,
                    lambda value: s.set_value("driver_id", value),
                    s.values["driver_id"],
                ),
            ),
            (
                OWNER_GROUP,
                rx.select.root(
                    rx.select.trigger(
                        placeholder=t("Choose a group"),
                        width="100%",
                        custom_attrs=_tid(f"{tp}-group"),
                    ),
                    rx.select.content(
                        rx.foreach(
                            s.group_options,
                            lambda option: rx.select.item(option[1], value=option[0]),
                        )
                    ),
                    value=s.values["group_id"],
                    on_change=lambda value: s.set_value("group_id", value),
                ),
            ),
            rx.fragment(),
        ),
        field_error(s, "owner", tp),
        spacing="1",
        width="100%",
    )


def id_tag_form() -> rx.Component:
    s, tp = IdTagFormState, "card-form"
    return form_dialog(
        s,
        tp,
        t("Issue an RFID card"),
        t("Edit RFID card"),
        text_field(
            s,
            "id_tag",
            t("Id tag"),
            tp,
            placeholder=t("Card UID, e.g. 04A2B3C4D5E6"),
            hint=t("Up to 20 characters, as the charge point reads it. Cannot be changed later."),
            disabled=s.editing,
        ),
        _owner_kind(),
        _owner_choice(),
        text_field(
            s,
            "expiry",
            t("Valid until"),
            tp,
            type_="date",
            hint=t_with("Last day, {zone}; empty: never expires.", zone=s.zone),
        ),
        text_field(
            s,
            "parent_id_tag",
            t("Parent id tag"),
            tp,
            placeholder=t("Optional: an existing card"),
        ),
        text_field(s, "description", t("Description"), tp, placeholder=t("e.g. spare card, blue")),
        _fleet_card(),
        save_new=t("Issue card"),
    )


def vehicle_form() -> rx.Component:
    s, tp = VehicleFormState, "vehicle-form"
    return form_dialog(
        s,
        tp,
        t("Add a vehicle"),
        t("Edit vehicle"),
        pair(
            text_field(s, "make", t("Make"), tp, placeholder=t("e.g. Kia")),
            text_field(s, "model", t("Model"), tp, placeholder=t("e.g. EV6")),
        ),
        pair(
            text_field(
                s, "battery_capacity_kwh", t("Battery capacity (kWh)"), tp, placeholder="77.4"
            ),
            text_field(s, "licence_plate", t("Licence plate"), tp),
        ),
        labelled(
            t("Driver"),
            rx.vstack(
                driver_picker(
                    s,
                    tp,
                    lambda value: s.set_value("driver_id", value),
                    s.values["driver_id"],
                    allow_none=True,
                ),
                field_error(s, "driver", tp),
                spacing="1",
                width="100%",
            ),
        ),
        save_new=t("Add vehicle"),
    )
