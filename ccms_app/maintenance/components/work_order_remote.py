"""Remote commands on a work order's page: the form and the charge point's latest commands
with their lifecycle badge (the charge point page's command_status_badge)."""

from __future__ import annotations

import reflex as rx
from reflex.vars import ObjectVar

from ccms_app.control.components.command_form import command_status_badge
from ccms_app.control.state.commands import CommandRow
from ccms_app.maintenance.state.work_orders_commands import ACTIONS, LABELS
from ccms_app.maintenance.state.work_orders_commands import WorkOrderCommandState as C
from ccms_app.ui.dialogs import choice_select, labelled
from ccms_app.ui.i18n import t
from ccms_app.ui.inputs import text_input
from ccms_app.ui.permissions import when_allowed


def _fields() -> rx.Component:
    connector = text_input(
        value=C.connector_id,
        on_change=C.set_connector_id,
        type="number",
        size="3",
        width="100%",
        custom_attrs={"data-testid": "wo-command-connector"},
    )
    return rx.match(
        C.action,
        (
            "Reset",
            labelled(
                t("Reset type"),
                choice_select(
                    C.reset_type,
                    [("Soft", t("Soft")), ("Hard", t("Hard"))],
                    C.set_reset_type,
                    None,
                    "wo-command-reset-type",
                ),
            ),
        ),
        ("UnlockConnector", labelled(t("Connector"), connector)),
        (
            "ChangeAvailability",
            rx.vstack(
                labelled(t("Connector (0 = the whole charge point)"), connector),
                labelled(
                    t("Availability"),
                    choice_select(
                        C.availability,
                        [("Operative", t("Operative")), ("Inoperative", t("Inoperative"))],
                        C.set_availability,
                        None,
                        "wo-command-availability",
                    ),
                ),
                width="100%",
            ),
        ),
        rx.text(t("CCMS asks the charger to upload its diagnostics file."), size="2"),
    )


def _recent(row: ObjectVar[CommandRow]) -> rx.Component:
    return rx.hstack(
        command_status_badge(row.status),
        rx.vstack(
            rx.text(row.action, size="2", weight="medium"),
            rx.text(row.at, " · ", row.by, size="1", color=rx.color("gray", 10)),
            rx.cond(row.detail != "", rx.text(row.detail, size="1", overflow_wrap="anywhere")),
            spacing="0",
            min_width="0",
        ),
        width="100%",
        align="start",
        custom_attrs={"data-testid": "wo-command-row"},
    )


def remote_commands() -> rx.Component:
    form = rx.vstack(
        labelled(
            t("Command"),
            choice_select(
                C.action,
                [(a, t(LABELS[a])) for a in ACTIONS],
                C.set_action,
                None,
                "wo-command-action",
            ),
        ),
        _fields(),
        rx.cond(
            C.outcome != "",
            rx.callout(
                C.outcome,
                icon=rx.cond(C.outcome_ok, "circle-check", "info"),
                color_scheme=rx.cond(C.busy, "blue", rx.cond(C.outcome_ok, "green", "red")),
                size="1",
                width="100%",
                custom_attrs={"data-testid": "wo-command-outcome"},
            ),
        ),
        rx.button(
            rx.icon("send", size=18),
            t("Send"),
            on_click=C.send,
            loading=C.busy,
            size="3",
            width="100%",
            min_height="48px",
            custom_attrs={"data-testid": "wo-command-send"},
        ),
        width="100%",
        spacing="3",
    )
    return rx.vstack(
        when_allowed(C.send, form),
        rx.foreach(C.recent, _recent),
        width="100%",
        spacing="3",
    )
