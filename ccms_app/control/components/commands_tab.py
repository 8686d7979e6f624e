"""The commands section of a charge point page: the form and the live command history."""

from __future__ import annotations

import reflex as rx
from reflex.vars import ObjectVar

from ccms_app.control.components.command_form import (
    FormChoices,
    action_picker,
    command_fields,
    command_status_badge,
    labelled,
)
from ccms_app.control.state.charge_point import ChargePointDetailState as Detail
from ccms_app.control.state.command_forms import ACTIONS, LABELS
from ccms_app.monitoring.charge_point_view import CommandHistoryRow
from ccms_app.monitoring.state.charge_point_feed import ChargePointLiveState
from ccms_app.ui.cards import empty_note
from ccms_app.ui.i18n import t
from ccms_app.ui.permissions import allowed
from ccms_app.ui.table import cell, data_table


def _outcome() -> rx.Component:
    return rx.cond(
        Detail.outcome != "",
        rx.callout(
            Detail.outcome,
            icon=rx.cond(Detail.outcome_ok, "circle-check", "info"),
            color_scheme=rx.cond(Detail.busy, "blue", rx.cond(Detail.outcome_ok, "green", "red")),
            size="1",
            width="100%",
            custom_attrs={"data-testid": "command-outcome"},
        ),
    )


def command_form() -> rx.Component:
    choices = FormChoices(
        connectors=Detail.connector_options,
        connectors0=Detail.connector0_options,
        transactions=Detail.transaction_options,
    )
    return rx.card(
        rx.vstack(
            labelled(t("Command"), action_picker(Detail, ACTIONS, LABELS, "command-action")),
            command_fields(Detail, ACTIONS, choices),
            _outcome(),
            rx.button(
                rx.icon("send", size=14),
                t("Send"),
                on_click=Detail.send,
                loading=Detail.busy,
                align_self="end",
                custom_attrs={"data-testid": "command-send"},
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _history_row(c: ObjectVar[CommandHistoryRow]) -> rx.Component:
    return rx.table.row(
        cell(c.at),
        cell(rx.vstack(rx.text(c.action, weight="medium"), rx.text(c.summary, size="1"))),
        cell(
            rx.hstack(
                command_status_badge(c.status, custom_attrs={"data-testid": f"history-{c.id}"}),
                rx.cond(c.reboot_required, rx.badge(t("reboot required"), color_scheme="amber")),
                spacing="1",
            )
        ),
        cell(rx.text(c.detail, size="1", white_space="normal", min_width="160px")),
        cell(rx.text(c.by, size="1")),
        custom_attrs={"data-testid": "history-row"},
    )


def command_history() -> rx.Component:
    return rx.vstack(
        rx.text(t("History"), size="3", weight="bold"),
        rx.cond(
            ChargePointLiveState.command_history.length() > 0,
            data_table(
                [t("Time"), t("Command"), t("Status"), t("Detail"), t("By")],
                ChargePointLiveState.command_history,
                _history_row,
                testid="command-history",
            ),
            empty_note(t("No command has been sent to this charge point yet.")),
        ),
        spacing="2",
        width="100%",
    )


def commands_section() -> rx.Component:
    """The form beside the history for roles that may send commands; the history alone
    for the others."""
    return rx.cond(
        allowed(Detail.send),
        rx.grid(
            command_form(),
            command_history(),
            spacing="4",
            width="100%",
            # minmax(0, ...): a wide history table scrolls inside its column instead of
            # widening the page (a phone's 360 px included).
            grid_template_columns=rx.breakpoints(
                initial="minmax(0, 1fr)", lg="minmax(300px, 2fr) minmax(0, 3fr)"
            ),
        ),
        command_history(),
    )
