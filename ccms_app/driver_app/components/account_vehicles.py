"""The driver's vehicles: make and model, battery, licence plate; add, edit, delete (asked
once more first)."""

from __future__ import annotations

import reflex as rx
from reflex.vars import ObjectVar

from ccms_app.driver_app.components.account_profile import confirm_row, field, form_buttons
from ccms_app.driver_app.components.history_list import MUTED
from ccms_app.driver_app.state.account import DriverVehiclesState, VehicleRow
from ccms_app.ui.i18n import t, t_with


def _details(row: ObjectVar[VehicleRow]) -> rx.Component:
    return rx.hstack(
        rx.cond(
            row.battery_capacity_kwh != "",
            rx.text(t_with("{kwh} kWh battery", kwh=row.battery_capacity_kwh), size="1"),
        ),
        rx.cond(
            row.licence_plate != "",
            rx.text(row.licence_plate, size="1", font_family="monospace"),
        ),
        spacing="3",
        wrap="wrap",
        color=MUTED,
    )


def _confirm(row: ObjectVar[VehicleRow]) -> rx.Component:
    return confirm_row(
        t("Delete this vehicle?"),
        t("Delete"),
        DriverVehiclesState.delete(row.id),
        DriverVehiclesState.keep_vehicle,
        "vehicle-delete-confirm",
    )


def _vehicle(row: ObjectVar[VehicleRow]) -> rx.Component:
    name = t_with("{make} {model}", make=row.make, model=row.model)
    return rx.box(
        rx.hstack(
            rx.vstack(
                rx.text(name, size="3", weight="medium", word_break="break-word"),
                _details(row),
                spacing="0",
                min_width="0",
                flex="1",
            ),
            rx.icon_button(
                rx.icon("pencil", size=14),
                variant="soft",
                size="2",
                aria_label=t_with("Edit {vehicle}", vehicle=name),
                on_click=DriverVehiclesState.edit(row.id),
                custom_attrs={"data-testid": "vehicle-edit"},
            ),
            rx.icon_button(
                rx.icon("trash-2", size=14),
                variant="soft",
                color_scheme="red",
                size="2",
                aria_label=t_with("Delete {vehicle}", vehicle=name),
                on_click=DriverVehiclesState.ask_delete(row.id),
                custom_attrs={"data-testid": "vehicle-delete"},
            ),
            align="center",
            width="100%",
            spacing="2",
        ),
        rx.cond(DriverVehiclesState.confirm_id == row.id, _confirm(row)),
        padding_y="8px",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        width="100%",
        custom_attrs={"data-testid": "vehicle-row"},
    )


def _form() -> rx.Component:
    s = DriverVehiclesState
    return rx.form(
        rx.vstack(
            rx.heading(
                rx.cond(s.editing_id != 0, t("Edit vehicle"), t("New vehicle")),
                size="2",
                as_="h3",
            ),
            field(t("Make"), "vehicle", "make", s.form.get("make", ""), s.errors.get("make", "")),
            field(
                t("Model"), "vehicle", "model", s.form.get("model", ""), s.errors.get("model", "")
            ),
            field(
                t("Battery capacity (kWh)"),
                "vehicle",
                "battery_capacity_kwh",
                s.form.get("battery_capacity_kwh", ""),
                s.errors.get("battery_capacity_kwh", ""),
                input_mode="decimal",
            ),
            field(
                t("Licence plate"),
                "vehicle",
                "licence_plate",
                s.form.get("licence_plate", ""),
                s.errors.get("licence_plate", ""),
                auto_capitalize="characters",
            ),
            form_buttons(t("Save vehicle"), "vehicle-save", DriverVehiclesState.close),
            spacing="3",
            width="100%",
        ),
        on_submit=DriverVehiclesState.save,
        key=s.form_key,
        width="100%",
    )


def vehicles_card() -> rx.Component:
    s = DriverVehiclesState
    return rx.card(
        rx.vstack(
            rx.heading(t("Vehicles"), size="3", as_="h2"),
            rx.foreach(s.rows, _vehicle),
            rx.cond(
                (s.rows.length() == 0) & ~s.form_open,
                rx.text(t("No vehicles yet."), size="2", color=MUTED),
            ),
            rx.cond(
                s.form_open,
                _form(),
                rx.button(
                    rx.icon("plus", size=16, aria_hidden="true"),
                    t("Add a vehicle"),
                    variant="soft",
                    size="2",
                    on_click=DriverVehiclesState.new,
                    custom_attrs={"data-testid": "vehicle-add"},
                ),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        custom_attrs={"data-testid": "account-vehicles"},
    )
