"""The four lists of the Assets page, on the shared data list (ccms_app.ui.data_list),
with each row's actions (edit, register, disable / enable, delete): shown to roles with
assets:edit only, as the gate refuses the rest."""

from __future__ import annotations

from typing import Any

import reflex as rx

from ccms_app.network.models import ConnectorStatus, RegistrationState
from ccms_app.network.state.asset_actions import AssetActionState
from ccms_app.network.state.charge_point_forms import ChargePointFormState, RegisterFormState
from ccms_app.network.state.forms import AreaFormState, StationFormState
from ccms_app.network.state.lists import (
    AreaListState,
    ChargePointListState,
    StationListState,
    UnregisteredListState,
)
from ccms_app.ui.data_list import Column, Filter, RowVar, data_list
from ccms_app.ui.i18n import Text, t
from ccms_app.ui.permissions import when_allowed
from ccms_app.ui.status import (
    REGISTRATION_NAMES,
    STATUS_NAMES,
    registration_badge,
    status_badge,
)

YES_NO = [("true", t("Yes")), ("false", t("No"))]
# A filter's choices in the tab's language (the values stay OCPP's / CCMS's own).
REGISTRATION_CHOICES = [
    (r.value, t(REGISTRATION_NAMES.get(r.value, r.value))) for r in RegistrationState
]
STATUS_CHOICES = [(c.value, t(STATUS_NAMES.get(c.value, c.value))) for c in ConnectorStatus]


def _new_button(label: Text, save: Any, on_click: Any, testid: str) -> rx.Component:
    """Opens a create form; shown when the role may `save` it."""
    return when_allowed(
        save,
        rx.button(
            rx.icon("plus", size=14),
            label,
            on_click=on_click,
            custom_attrs={"data-testid": testid},
        ),
    )


def _menu(testid: rx.Var, *items: rx.Component) -> rx.Component:
    """A row's actions: every one changes the asset, so it needs what confirming does."""
    return when_allowed(AssetActionState.confirm, _dropdown(testid, *items))


def _dropdown(testid: rx.Var, *items: rx.Component) -> rx.Component:
    return rx.dropdown_menu.root(
        rx.dropdown_menu.trigger(
            rx.icon_button(
                rx.icon("ellipsis", size=16),
                variant="ghost",
                size="1",
                aria_label=t("Actions"),
                custom_attrs={"data-testid": testid},
            )
        ),
        rx.dropdown_menu.content(*items),
    )


def _item(label: Text, on_click: Any, testid: rx.Var, colour: str = "") -> rx.Component:
    props = {"color_scheme": colour} if colour else {}
    return rx.dropdown_menu.item(
        label, on_click=on_click, custom_attrs={"data-testid": testid}, **props
    )


def online_text(row: RowVar) -> rx.Component:
    return rx.cond(
        row["online"] == "yes",
        rx.badge(rx.icon("wifi", size=12), t("Online"), color_scheme="green", variant="surface"),
        rx.badge(
            rx.icon("wifi-off", size=12), t("Offline"), color_scheme="gray", variant="surface"
        ),
    )


def enabled_text(row: RowVar) -> rx.Component:
    return rx.cond(
        row["enabled"] == "yes",
        rx.badge(t("In service"), color_scheme="green", variant="soft"),
        rx.badge(t("Disabled"), color_scheme="orange", variant="soft"),
    )


# --- stations ----------------------------------------------------------------------------


def _station_actions(row: RowVar) -> rx.Component:
    sid, name = row["id"].to(str), row["name"].to(str)
    return _menu(
        "station-actions-" + sid,
        _item(t("Edit"), StationFormState.open_edit(sid), "station-edit-" + sid),
        _item(t("Add charge point"), ChargePointFormState.open_new(sid), "station-add-cp-" + sid),
        rx.dropdown_menu.separator(),
        _item(
            t("Disable all charge points"),
            AssetActionState.ask("disable-station", sid, name),
            "station-disable-" + sid,
        ),
        _item(
            t("Enable all charge points"),
            AssetActionState.ask("enable-station", sid, name),
            "station-enable-" + sid,
        ),
        rx.dropdown_menu.separator(),
        _item(
            t("Delete"),
            AssetActionState.ask("delete-station", sid, name),
            "station-delete-" + sid,
            colour="red",
        ),
    )


def stations_list() -> rx.Component:
    s = StationListState
    return data_list(
        s,
        columns=[
            Column("name", t("Name"), href=lambda r: "/stations/" + r["id"].to(str)),
            Column("address", t("Address")),
            Column("area", t("Area")),
            Column("organisation", t("Owner")),
            Column("charge_points", t("Charge points")),
            Column("timezone", t("Time zone"), on_phone=False),
            Column("opening_hours", t("Opening hours"), sortable=False, on_phone=False),
        ],
        filters=[
            Filter("area", t("Area"), s.filter_options["area"]),
            Filter("organisation", t("Owner"), s.filter_options["organisation"]),
        ],
        testid="stations",
        empty_text=t("No stations yet. Create the first one."),
        search_placeholder=t("Search name, address, area…"),
        toolbar=[
            _new_button(
                t("New station"), StationFormState.save, StationFormState.open_new, "new-station"
            )
        ],
        actions=_station_actions,
    )


# --- charge points -----------------------------------------------------------------------


def _charge_point_actions(row: RowVar) -> rx.Component:
    cid, identity = row["id"].to(str), row["identity"].to(str)
    return _menu(
        "cp-actions-" + cid,
        _item(t("Edit"), ChargePointFormState.open_edit(cid), "cp-edit-" + cid),
        rx.cond(
            row["enabled"] == "yes",
            _item(
                t("Disable"),
                AssetActionState.ask("disable-charge-point", cid, identity),
                "cp-disable-" + cid,
            ),
            _item(t("Enable"), AssetActionState.set_enabled(cid, True), "cp-enable-" + cid),
        ),
        rx.dropdown_menu.separator(),
        _item(
            t("Delete"),
            AssetActionState.ask("delete-charge-point", cid, identity),
            "cp-delete-" + cid,
            colour="red",
        ),
    )


def charge_points_list() -> rx.Component:
    s = ChargePointListState
    return data_list(
        s,
        columns=[
            Column(
                "identity", t("Identity"), href=lambda r: "/charge-points/" + r["identity"].to(str)
            ),
            Column("station", t("Station")),
            Column("organisation", t("Owner"), on_phone=False),
            Column(
                "registration",
                t("Registration"),
                render=lambda r: registration_badge(r["registration"]),
            ),
            Column("online", t("Connection"), render=online_text),
            Column("status", t("Status"), render=lambda r: status_badge(r["status"])),
            Column("enabled", t("Usage"), render=enabled_text),
            Column("vendor", t("Vendor"), on_phone=False),
            Column("model", t("Model"), on_phone=False),
            Column("charging_method", t("AC/DC"), on_phone=False),
            Column(
                "max_power_w",
                t("Max kW"),
                render=lambda r: rx.text(r["max_power_kw"], size="2"),
                on_phone=False,
            ),
            Column("last_seen_at", t("Last seen"), on_phone=False),
        ],
        filters=[
            Filter("station", t("Station"), s.filter_options["station"]),
            Filter("registration", t("Registration"), REGISTRATION_CHOICES),
            Filter("online", t("Online"), YES_NO),
            Filter("status", t("Status"), STATUS_CHOICES),
            Filter("enabled", t("In service"), YES_NO),
            Filter("charging_method", t("AC/DC"), [("AC", "AC"), ("DC", "DC")]),
            Filter("organisation", t("Owner"), s.filter_options["organisation"]),
        ],
        testid="charge-points",
        empty_text=t("No charge points yet."),
        search_placeholder=t("Search identity, station, vendor…"),
        toolbar=[
            _new_button(
                t("New charge point"),
                ChargePointFormState.save,
                ChargePointFormState.open_new(""),
                "new-cp",
            )
        ],
        actions=_charge_point_actions,
    )


# --- unregistered ------------------------------------------------------------------------


def _register_actions(row: RowVar) -> rx.Component:
    cid, identity = row["id"].to(str), row["identity"].to(str)
    return rx.hstack(
        when_allowed(
            RegisterFormState.save,
            rx.button(
                rx.icon("link", size=14),
                t("Register"),
                size="1",
                on_click=RegisterFormState.open_for(cid),
                custom_attrs={"data-testid": "register-" + identity},
            ),
        ),
        _menu(
            "unregistered-actions-" + cid,
            _item(
                t("Delete"),
                AssetActionState.ask("delete-charge-point", cid, identity),
                "unregistered-delete-" + cid,
                colour="red",
            ),
        ),
        spacing="2",
        align="center",
    )


def unregistered_list() -> rx.Component:
    return rx.vstack(
        rx.text(
            t(
                "Charge points that connected with an identity CCMS did not know. They wait, "
                "answered Pending, until you register them at a station."
            ),
            size="2",
            color=rx.color("gray", 11),
        ),
        data_list(
            UnregisteredListState,
            columns=[
                Column("identity", t("Identity")),
                Column("online", t("Connection"), render=online_text),
                Column("vendor", t("Vendor")),
                Column("model", t("Model")),
                Column("serial_number", t("Serial number"), on_phone=False),
                Column("firmware_version", t("Firmware"), on_phone=False),
                Column("created_at", t("First seen")),
                Column("last_seen_at", t("Last seen"), on_phone=False),
            ],
            filters=[Filter("online", t("Online"), YES_NO)],
            testid="unregistered",
            empty_text=t(
                "No unregistered charge points: every charge point that connected is known."
            ),
            search_placeholder=t("Search identity, vendor, model…"),
            actions=_register_actions,
        ),
        spacing="3",
        width="100%",
    )


# --- areas -------------------------------------------------------------------------------


def _area_actions(row: RowVar) -> rx.Component:
    aid, name = row["id"].to(str), row["name"].to(str)
    return _menu(
        "area-actions-" + aid,
        _item(t("Edit"), AreaFormState.open_edit(aid), "area-edit-" + aid),
        _item(
            t("Delete"),
            AssetActionState.ask("delete-area", aid, name),
            "area-delete-" + aid,
            colour="red",
        ),
    )


def areas_list() -> rx.Component:
    s = AreaListState
    return data_list(
        s,
        columns=[
            Column("name", t("Name")),
            Column("organisation", t("Owner")),
            Column("stations", t("Stations")),
        ],
        filters=[Filter("organisation", t("Owner"), s.filter_options["organisation"])],
        testid="areas",
        empty_text=t("No operation areas yet. Areas group stations (a city, a region)."),
        search_placeholder=t("Search areas…"),
        toolbar=[
            _new_button(t("New area"), AreaFormState.save, AreaFormState.open_new, "new-area")
        ],
        actions=_area_actions,
    )
