"""The asset dialogs: area, station, charge point (with its connector list), registration of
an unknown charge point, and the delete / disable confirmation.

Each field shows its own error under it (red, `aria-invalid`), the dialog a summary on top,
and keeps what the operator typed (ccms_app.network.state.forms). Test ids:
`<form>-<field>` for a control, `<form>-<field>-error` for its message, `<form>-save`;
forms: area, station, cpform (charge point), register.
"""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.vars import ObjectVar

from ccms_app.network.rules.asset_validation import CONNECTOR_TYPES
from ccms_app.network.state.asset_actions import AssetActionState
from ccms_app.network.state.charge_point_forms import ChargePointFormState, RegisterFormState
from ccms_app.network.state.forms import AreaFormState, StationFormState
from ccms_app.ui.i18n import Text, has_text, t, t_var, t_with
from ccms_app.ui.inputs import text_input

ANY_TYPE = "__none__"  # the connector type select's "not set"


def _error_text(message: rx.Var[str], testid: str | rx.Var[str]) -> rx.Component:
    return rx.cond(
        message != "",
        rx.text(
            message,
            size="1",
            color=rx.color("red", 11),
            custom_attrs={"data-testid": f"{testid}-error"},
        ),
    )


def field(
    state: Any,
    name: str,
    label: Text,
    prefix: str,
    *,
    placeholder: Text = "",
    hint: Text = "",
    kind: str = "text",
    control: rx.Component | None = None,
) -> rx.Component:
    """A labelled input (or the given control) bound to `state.values[name]`."""
    error = state.errors.get(name, "").to(str)
    testid = f"{prefix}-{name.replace('_', '-')}"
    if control is None:
        control = text_input(
            value=state.values.get(name, "").to(str),
            on_change=lambda value: state.set_value(name, value),
            placeholder=placeholder,
            type=kind,
            width="100%",
            color_scheme=rx.cond(error != "", "red", "gray"),
            box_shadow=rx.cond(error != "", f"inset 0 0 0 1px {rx.color('red', 9)}", ""),
            aria_invalid=rx.cond(error != "", "true", "false"),
            custom_attrs={"data-testid": testid},
        )
    return rx.vstack(
        rx.text(label, size="2", weight="medium", as_="label"),
        control,
        rx.text(hint, size="1", color=rx.color("gray", 10)) if has_text(hint) else rx.fragment(),
        _error_text(error, testid),
        spacing="1",
        width="100%",
    )


def select_field(
    state: Any, name: str, label: Text, prefix: str, options: rx.Var, placeholder: str = ""
) -> rx.Component:
    """A select over [value, label] options bound to `state.values[name]`."""
    testid = f"{prefix}-{name.replace('_', '-')}"
    control = rx.select.root(
        rx.select.trigger(
            placeholder=placeholder
            if has_text(placeholder)
            else t_with("Choose {label}", label=label),
            width="100%",
            custom_attrs={"data-testid": testid},
        ),
        rx.select.content(rx.foreach(options, lambda o: rx.select.item(o[1], value=o[0]))),
        value=state.values.get(name, "").to(str),
        on_change=lambda value: state.set_value(name, value),
    )
    return field(state, name, label, prefix, control=control)


def _grid(*children: rx.Component) -> rx.Component:
    return rx.grid(*children, columns=rx.breakpoints(initial="1", sm="2"), gap="12px", width="100%")


def _summary(state: Any, testid: str) -> rx.Component:
    return rx.cond(
        state.message != "",
        rx.callout(
            state.message,
            icon="circle-alert",
            color_scheme="red",
            size="1",
            width="100%",
            custom_attrs={"data-testid": f"{testid}-message"},
        ),
    )


def _buttons(state: Any, prefix: str, label: Text) -> rx.Component:
    return rx.flex(
        rx.dialog.close(rx.button(t("Cancel"), variant="soft", color_scheme="gray")),
        rx.button(
            label,
            on_click=state.save,
            loading=state.busy,
            custom_attrs={"data-testid": f"{prefix}-save"},
        ),
        justify="end",
        gap="8px",
        width="100%",
    )


def _dialog(
    state: Any, prefix: str, title: rx.Var | str, *body: rx.Component, save: Text | None = None
) -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(title),
            rx.vstack(
                _summary(state, prefix),
                *body,
                _buttons(state, prefix, t("Save") if save is None else save),
                spacing="4",
                width="100%",
            ),
            max_width="680px",
            width="calc(100vw - 24px)",
            max_height="calc(100vh - 32px)",
            overflow_y="auto",
            custom_attrs={"data-testid": f"{prefix}-dialog"},
        ),
        open=state.is_open,
        on_open_change=state.set_is_open,
    )


def _owner(state: Any, prefix: str) -> rx.Component:
    return select_field(state, "organisation_id", t("Owner"), prefix, state.organisation_options)


# --- area and station --------------------------------------------------------------------


def area_dialog() -> rx.Component:
    s, p = AreaFormState, "area"
    return _dialog(
        s,
        p,
        rx.cond(s.editing_id > 0, t("Edit area"), t("New area")),
        _grid(field(s, "name", t("Name"), p, placeholder=t("e.g. Berlin North")), _owner(s, p)),
    )


def station_dialog() -> rx.Component:
    s, p = StationFormState, "station"
    return _dialog(
        s,
        p,
        rx.cond(s.editing_id > 0, t("Edit station"), t("New station")),
        _grid(
            field(s, "name", t("Name"), p, placeholder=t("e.g. Depot North")),
            _owner(s, p),
            field(s, "address", t("Address"), p, placeholder=t("Street, postcode, city")),
            select_field(s, "area_id", t("Area"), p, s.area_options),
            field(s, "latitude", t("Latitude"), p, placeholder="52.52", hint=t("-90 to 90")),
            field(s, "longitude", t("Longitude"), p, placeholder="13.405", hint=t("-180 to 180")),
            field(s, "timezone", t("Time zone"), p, placeholder=t("Europe/Berlin")),
            field(
                s,
                "opening_hours",
                t("Opening hours"),
                p,
                placeholder="24/7",
                hint=t("24/7, or e.g. Mo-Fr 07:00-20:00; Sa 09:00-14:00; Su off"),
            ),
        ),
    )


# --- charge point ------------------------------------------------------------------------


def _detail_fields(s: Any, p: str) -> list[rx.Component]:
    return [
        field(s, "vendor", t("Vendor"), p),
        field(s, "model", t("Model"), p),
        field(s, "serial_number", t("Serial number"), p),
        field(s, "firmware_version", t("Firmware version"), p),
        select_field(
            s,
            "charging_method",
            t("Charging method"),
            p,
            rx.Var.create([["AC", "AC"], ["DC", "DC"]]),
        ),
        field(s, "phases", t("Phases"), p, placeholder=t("1 or 3 (AC only)")),
        field(s, "min_power_kw", t("Minimum power (kW)"), p, placeholder=t("e.g. 1.4")),
        field(s, "max_power_kw", t("Maximum power (kW)"), p, placeholder=t("e.g. 22")),
        field(s, "min_voltage_v", t("Minimum voltage (V)"), p, placeholder=t("e.g. 200")),
        field(s, "max_voltage_v", t("Maximum voltage (V)"), p, placeholder=t("e.g. 400")),
    ]


def _connector_error(index: rx.Var[int], name: str) -> rx.Var[str]:
    key = "connectors." + index.to_string() + "." + name
    # Var.create hands the state var back as is, typed as the ObjectVar it is at class level.
    return rx.Var.create(ChargePointFormState.errors).get(key, "").to(str)


def _connector_row(connector: ObjectVar[dict[str, str]], index: rx.Var[int]) -> rx.Component:
    s = ChargePointFormState
    testid = "cpform-connector-" + index.to_string()

    def control(name: str, child: rx.Component) -> rx.Component:
        return rx.vstack(
            child,
            _error_text(_connector_error(index, name), testid + "-" + name.replace("_", "-")),
            spacing="1",
            width="100%",
        )

    return rx.grid(
        control(
            "connector_id",
            text_input(
                value=connector["connector_id"],
                on_change=lambda v: s.set_connector(index, "connector_id", v),
                placeholder=t("Id"),
                aria_label=t("Connector id"),
                custom_attrs={"data-testid": testid + "-connector-id"},
            ),
        ),
        control(
            "connector_type",
            rx.select.root(
                rx.select.trigger(
                    placeholder=t("Type"),
                    width="100%",
                    custom_attrs={"data-testid": testid + "-type"},
                ),
                rx.select.content(
                    rx.select.item(t("Not set"), value=ANY_TYPE),
                    # Standard names (IEC 62196, GB/T, ...): data, the same in every language.
                    rx.foreach(
                        rx.Var.create(list(CONNECTOR_TYPES)),
                        lambda name: rx.select.item(name, value=name),
                    ),
                ),
                value=rx.cond(
                    connector["connector_type"] == "", ANY_TYPE, connector["connector_type"]
                ),
                on_change=lambda v: s.set_connector(
                    index, "connector_type", rx.cond(v == ANY_TYPE, "", v)
                ),
            ),
        ),
        control(
            "max_power_kw",
            text_input(
                value=connector["max_power_kw"],
                on_change=lambda v: s.set_connector(index, "max_power_kw", v),
                placeholder=t("Max kW"),
                aria_label=t("Connector maximum power (kW)"),
                custom_attrs={"data-testid": testid + "-max-power"},
            ),
        ),
        rx.icon_button(
            rx.icon("trash-2", size=14),
            on_click=s.remove_connector(index),
            variant="soft",
            color_scheme="red",
            aria_label=t("Remove connector"),
        ),
        columns="72px 1fr 96px 32px",
        gap="8px",
        align="start",
        width="100%",
    )


def _connectors() -> rx.Component:
    s = ChargePointFormState
    return rx.vstack(
        rx.hstack(
            rx.text(t("Connectors"), size="2", weight="medium"),
            rx.spacer(),
            rx.button(
                rx.icon("plus", size=14),
                t("Add connector"),
                size="1",
                variant="soft",
                on_click=s.add_connector,
                custom_attrs={"data-testid": "cpform-add-connector"},
            ),
            width="100%",
            align="center",
        ),
        rx.cond(
            s.connectors.length() > 0,
            rx.foreach(s.connectors, _connector_row),
            rx.text(t("No connectors."), size="2", color=rx.color("gray", 10)),
        ),
        spacing="2",
        width="100%",
    )


def charge_point_dialog() -> rx.Component:
    s, p = ChargePointFormState, "cpform"
    return _dialog(
        s,
        p,
        rx.cond(s.editing_id > 0, t("Edit charge point"), t("New charge point")),
        _grid(
            field(
                s,
                "identity",
                t("Identity (OCPP)"),
                p,
                placeholder=t("e.g. CP-0001"),
                hint=t("The last part of the websocket URL the charge point connects to"),
            ),
            select_field(s, "station_id", t("Station"), p, s.station_options),
            _owner(s, p),
            *_detail_fields(s, p),
        ),
        _connectors(),
    )


# --- registration ------------------------------------------------------------------------


def register_dialog() -> rx.Component:
    s, p = RegisterFormState, "register"
    return _dialog(
        s,
        p,
        t_with("Register {identity}", identity=s.identity),
        rx.text(
            t(
                "Assign the charge point to a station. If it is connected, it is asked to boot "
                "again and is Accepted at once."
            ),
            size="2",
        ),
        rx.text(
            t_with(
                "It reported: {details}",
                # "nothing yet" is the state's word for a charger that has not booted yet
                details=rx.cond(s.reported == "nothing yet", t("nothing yet"), s.reported),
            ),
            size="1",
            color=rx.color("gray", 11),
        ),
        select_field(s, "station_id", t("Station"), p, s.station_options),
        rx.el.details(
            rx.el.summary(
                rx.text(
                    t("Details (optional: a field left empty keeps what it reported)"),
                    as_="span",
                    size="2",
                    weight="medium",
                ),
                cursor="pointer",
                padding_y="4px",
                custom_attrs={"data-testid": "register-details"},
            ),
            rx.box(_grid(*_detail_fields(s, p)), padding_top="8px"),
            width="100%",
        ),
        save=t("Register"),
    )


# --- confirmation ------------------------------------------------------------------------


def confirm_dialog() -> rx.Component:
    s = AssetActionState
    danger = s.kind.startswith("delete-") | s.kind.startswith("disable-")
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(
                rx.match(
                    s.kind,
                    ("delete-area", t_with("Delete area {name}?", name=s.target_name)),
                    ("delete-station", t_with("Delete station {name}?", name=s.target_name)),
                    (
                        "delete-charge-point",
                        t_with("Delete charge point {name}?", name=s.target_name),
                    ),
                    (
                        "disable-charge-point",
                        t_with("Disable charge point {name}?", name=s.target_name),
                    ),
                    ("disable-station", t_with("Disable station {name}?", name=s.target_name)),
                    ("enable-station", t_with("Enable station {name}?", name=s.target_name)),
                    s.target_name,
                )
            ),
            rx.alert_dialog.description(t_var(s.explanation), size="2"),
            rx.cond(
                s.problem != "",
                rx.callout(
                    s.problem,
                    icon="octagon-alert",
                    color_scheme="orange",
                    size="1",
                    margin_top="12px",
                    custom_attrs={"data-testid": "confirm-problem"},
                ),
            ),
            rx.flex(
                rx.alert_dialog.cancel(rx.button(t("Close"), variant="soft", color_scheme="gray")),
                rx.cond(
                    s.alternative == "disable",
                    rx.button(
                        t("Disable instead"),
                        on_click=s.take_alternative,
                        color_scheme="orange",
                        custom_attrs={"data-testid": "confirm-alternative"},
                    ),
                ),
                rx.cond(
                    s.problem == "",
                    rx.button(
                        t("Confirm"),
                        on_click=s.confirm,
                        loading=s.busy,
                        color_scheme=rx.cond(danger, "red", "teal"),
                        custom_attrs={"data-testid": "confirm-yes"},
                    ),
                ),
                justify="end",
                gap="8px",
                margin_top="16px",
            ),
            max_width="480px",
            custom_attrs={"data-testid": "confirm-dialog"},
        ),
        open=s.is_open,
        on_open_change=s.set_is_open,
    )
