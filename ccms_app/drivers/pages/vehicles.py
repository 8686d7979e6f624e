"""Vehicles (/users/vehicles): make, model, battery capacity, licence plate, driver."""

from __future__ import annotations

import reflex as rx

from ccms_app.accounts.state import AuthState
from ccms_app.branding.components.brand import page_title
from ccms_app.drivers.components.forms import vehicle_form
from ccms_app.drivers.components.widgets import confirm_dialog, users_subnav
from ccms_app.drivers.state.actions import VehicleActionsState
from ccms_app.drivers.state.forms import VehicleFormState
from ccms_app.drivers.state.lists import VehicleListState
from ccms_app.ui.data_list import Column, RowVar, data_list
from ccms_app.ui.i18n import t, t_with
from ccms_app.ui.layout import app_shell
from ccms_app.ui.page_header import page_header
from ccms_app.ui.permissions import when_allowed

ROUTE = "/users/vehicles"
TITLE = page_title("Vehicles")
NAV_ROUTE = "/users"


def _driver(row: RowVar) -> rx.Component:
    return rx.cond(
        row["driver_href"] != "",
        rx.link(row["driver"], href=row["driver_href"], size="2"),
        rx.text("—", size="2", color=rx.color("gray", 10)),
    )


def _actions(row: RowVar) -> rx.Component:
    """Edit and delete: for roles with users:edit."""
    return when_allowed(VehicleFormState.submit, _buttons(row))


def _buttons(row: RowVar) -> rx.Component:
    return rx.hstack(
        rx.button(
            t("Edit"),
            size="1",
            variant="soft",
            color_scheme="gray",
            on_click=VehicleFormState.open_edit(row["id"]),
        ),
        rx.icon_button(
            rx.icon("trash-2", size=14),
            size="1",
            variant="ghost",
            color_scheme="gray",
            aria_label=t("Delete vehicle"),
            on_click=VehicleActionsState.ask_delete(
                row["id"], row["make"].to(str) + " " + row["model"].to(str)
            ),
        ),
        spacing="2",
        align="center",
    )


def page() -> rx.Component:
    s = VehicleActionsState
    return app_shell(
        NAV_ROUTE,
        page_header(t("Vehicles"), t("Drivers' cars: make, model and battery capacity.")),
        users_subnav(ROUTE),
        data_list(
            VehicleListState,
            columns=[
                Column("make", t("Make")),
                Column("model", t("Model")),
                Column(
                    "battery_capacity_wh",
                    t("Battery"),
                    render=lambda row: rx.text(row["battery"], size="2"),
                ),
                Column("licence_plate", t("Plate")),
                Column("driver", t("Driver"), render=_driver),
                Column("organisation", t("Organisation"), on_phone=False),
            ],
            testid="vehicles",
            empty_text=t("No vehicles yet."),
            search_placeholder=t("Search make, model, plate, driver…"),
            toolbar=[
                when_allowed(
                    VehicleFormState.submit,
                    rx.button(
                        rx.icon("car", size=14),
                        t("Add vehicle"),
                        on_click=VehicleFormState.open_new({}),
                        custom_attrs={"data-testid": "vehicles-new"},
                    ),
                )
            ],
            actions=_actions,
        ),
        vehicle_form(),
        confirm_dialog(
            s.confirm_open,
            s.set_confirm_open,
            t_with("Delete {name}?", name=s.confirm_label),
            t("The vehicle is removed from its driver."),
            t("Delete vehicle"),
            s.delete,
            "vehicle-delete",
        ),
    )


PAGES = ((page, ROUTE, TITLE, [AuthState.require_login, VehicleListState.load]),)
