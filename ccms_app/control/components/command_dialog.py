"""The dialog an operator sends charge point commands from, with their outcomes."""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.vars import ObjectVar

from ccms_app.control.state.commands import ACTION_LABELS, ACTIONS, CommandRow, CommandState
from ccms_app.ui.i18n import Text, t, t_var, t_with
from ccms_app.ui.inputs import text_input

COMMAND_COLOURS = {
    "accepted": "green",
    "rejected": "orange",
    "failed": "red",
    "timed_out": "red",
    "offline": "gray",
    "requested": "blue",
    "sent": "blue",
}


def _field(label: Text, control: rx.Component) -> rx.Component:
    return rx.vstack(rx.text(label, size="2", weight="medium"), control, spacing="1", width="100%")


def _select(
    options: rx.Var | list[str], value: rx.Var[str] | str, on_change: Any, testid: str
) -> rx.Component:
    return rx.select(
        options,
        value=value,
        on_change=on_change,
        width="100%",
        custom_attrs={"data-testid": testid},
    )


def _action_picker() -> rx.Component:
    return rx.select.root(
        rx.select.trigger(width="100%", custom_attrs={"data-testid": "command-action"}),
        rx.select.content(
            *[rx.select.item(t(ACTION_LABELS[action]), value=action) for action in ACTIONS]
        ),
        value=CommandState.action,
        on_change=CommandState.set_action,
    )


def _connector() -> rx.Component:
    return _field(
        t("Connector"),
        _select(
            CommandState.connector_options,
            CommandState.connector_id,
            CommandState.set_connector_id,
            "command-connector",
        ),
    )


def _parameters() -> rx.Component:
    return rx.match(
        CommandState.action,
        (
            "RemoteStartTransaction",
            rx.vstack(
                _connector(),
                _field(
                    t("Id tag"),
                    text_input(
                        value=CommandState.id_tag,
                        on_change=CommandState.set_id_tag,
                        placeholder=t("RFID card or app id tag"),
                        max_length=20,
                        width="100%",
                        custom_attrs={"data-testid": "command-id-tag"},
                    ),
                ),
                width="100%",
            ),
        ),
        (
            "RemoteStopTransaction",
            rx.cond(
                CommandState.transaction_options.length() > 0,
                _field(
                    t("Transaction"),
                    _select(
                        CommandState.transaction_options,
                        CommandState.transaction_id,
                        CommandState.set_transaction_id,
                        "command-transaction",
                    ),
                ),
                rx.text(t("No transaction is running on this charge point."), size="2"),
            ),
        ),
        (
            "Reset",
            _field(
                t("Reset type"),
                rx.radio(
                    ["Soft", "Hard"],
                    value=CommandState.reset_type,
                    on_change=CommandState.set_reset_type,
                    direction="row",
                ),
            ),
        ),
        ("UnlockConnector", _connector()),
        rx.vstack(
            _field(
                t("Connector (0 = the whole charge point)"),
                _select(
                    CommandState.availability_connector_options,
                    CommandState.availability_connector,
                    CommandState.set_availability_connector,
                    "command-availability-connector",
                ),
            ),
            _field(
                t("Availability"),
                rx.radio(
                    ["Operative", "Inoperative"],
                    value=CommandState.availability,
                    on_change=CommandState.set_availability,
                    direction="row",
                ),
            ),
            width="100%",
        ),
    )


def _recent_row(c: ObjectVar[CommandRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(c.at, white_space="nowrap"),
        rx.table.cell(t_var(c.action), white_space="nowrap"),  # a label, or OCPP's name
        rx.table.cell(
            rx.badge(
                t_var(c.status),  # command_forms.COMMAND_STATUS_NAMES
                color_scheme=rx.match(c.status, *COMMAND_COLOURS.items(), "gray"),
                variant="soft",
            )
        ),
        rx.table.cell(c.detail),
    )


def _recent() -> rx.Component:
    return rx.vstack(
        rx.text(t("Recent commands"), size="2", weight="medium"),
        rx.cond(
            CommandState.recent.length() > 0,
            rx.box(
                rx.table.root(
                    rx.table.body(rx.foreach(CommandState.recent, _recent_row)),
                    size="1",
                    width="100%",
                ),
                overflow_x="auto",
                max_height="220px",
                overflow_y="auto",
                width="100%",
                custom_attrs={"data-testid": "recent-commands"},
            ),
            rx.text(t("None yet."), size="1", color=rx.color("gray", 10)),
        ),
        spacing="2",
        width="100%",
    )


def _outcome() -> rx.Component:
    return rx.cond(
        CommandState.outcome != "",
        rx.callout(
            CommandState.outcome,
            icon=rx.cond(CommandState.outcome_ok, "circle-check", "info"),
            color_scheme=rx.cond(
                CommandState.busy, "blue", rx.cond(CommandState.outcome_ok, "green", "red")
            ),
            size="1",
            width="100%",
            custom_attrs={"data-testid": "command-outcome"},
        ),
    )


def _form() -> rx.Component:
    return rx.vstack(
        rx.cond(
            ~CommandState.online,
            rx.callout(
                t("This charge point is offline: commands will not be delivered."),
                icon="wifi-off",
                color_scheme="gray",
                size="1",
                width="100%",
            ),
        ),
        _field(t("Command"), _action_picker()),
        _parameters(),
        _outcome(),
        rx.hstack(
            rx.dialog.close(rx.button(t("Close"), variant="soft", color_scheme="gray")),
            rx.button(
                t("Send"),
                on_click=CommandState.send,
                loading=CommandState.busy,
                custom_attrs={"data-testid": "command-send"},
            ),
            justify="end",
            width="100%",
        ),
        _recent(),
        spacing="4",
        width="100%",
    )


def command_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(t_with("Commands · {identity}", identity=CommandState.identity)),
            rx.dialog.description(
                t("Sent over OCPP; the outcome shows once the charge point answers."),
                size="2",
                margin_bottom="12px",
            ),
            rx.cond(
                CommandState.load_error != "",
                rx.callout(CommandState.load_error, icon="triangle-alert", color_scheme="red"),
                _form(),
            ),
            size=rx.breakpoints(initial="2", sm="3"),
            max_width="520px",
            width="calc(100vw - 24px)",
        ),
        open=CommandState.dialog_open,
        on_open_change=CommandState.set_dialog_open,
    )
