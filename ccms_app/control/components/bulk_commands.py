"""Bulk commands on Live Monitoring: a checkbox per charge point, the toolbar that sends one
command to the selection, and the per charge point results."""

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
from ccms_app.control.state.bulk_commands import BulkCommandState as Bulk
from ccms_app.control.state.bulk_commands import BulkResultRow
from ccms_app.control.state.command_forms import BULK_ACTIONS, LABELS
from ccms_app.monitoring.state.live import LiveListState
from ccms_app.ui.i18n import t, t_with
from ccms_app.ui.permissions import when_allowed
from ccms_app.ui.table import cell, data_table


def select_checkbox(charge_point_id: rx.Var[int], identity: rx.Var[str]) -> rx.Component:
    """Selecting is for sending: shown to roles with live_monitoring:control."""
    return when_allowed(
        Bulk.send,
        rx.checkbox(
            checked=Bulk.selected.contains(charge_point_id),
            on_change=lambda checked: Bulk.toggle(charge_point_id, checked),
            aria_label=t("Select for a bulk command"),
            custom_attrs={"data-testid": f"select-{identity}"},
        ),
    )


def _selection_bar() -> rx.Component:
    return rx.flex(
        rx.text(
            t_with("{count} selected", count=Bulk.selected_count),
            size="2",
            weight="medium",
            custom_attrs={"data-testid": "bulk-count"},
        ),
        rx.button(
            t("Select this page"),
            size="1",
            variant="soft",
            on_click=Bulk.select_all_shown,
            custom_attrs={"data-testid": "bulk-select-all"},
        ),
        rx.button(
            t_with("Select all {total} matching", total=LiveListState.total_text),
            size="1",
            variant="soft",
            on_click=Bulk.select_all_matching,
            custom_attrs={"data-testid": "bulk-select-matching"},
        ),
        rx.button(
            t("Clear"),
            size="1",
            variant="ghost",
            color_scheme="gray",
            on_click=Bulk.clear_selection,
            disabled=Bulk.selected_count == 0,
        ),
        align="center",
        gap="8px",
        wrap="wrap",
    )


def _command() -> rx.Component:
    return rx.vstack(
        rx.grid(
            labelled(t("Command"), action_picker(Bulk, BULK_ACTIONS, LABELS, "bulk-action")),
            command_fields(Bulk, BULK_ACTIONS, FormChoices(), prefix="bulk"),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="3",
            width="100%",
        ),
        rx.flex(
            rx.cond(Bulk.error != "", rx.text(Bulk.error, size="2", color=rx.color("red", 11))),
            rx.spacer(),
            rx.button(
                rx.icon("send", size=14),
                t_with("Send to {count} selected", count=Bulk.selected_count),
                on_click=Bulk.send,
                loading=Bulk.busy,
                disabled=Bulk.selected_count == 0,
                custom_attrs={"data-testid": "bulk-send"},
            ),
            width="100%",
            align="center",
            gap="8px",
            wrap="wrap",
        ),
        spacing="3",
        width="100%",
    )


def bulk_toolbar() -> rx.Component:
    """Selection and, once something is selected, the command to send to it (for roles
    that may send commands)."""
    return when_allowed(
        Bulk.send,
        rx.card(
            rx.vstack(
                _selection_bar(),
                rx.cond(Bulk.selected_count > 0, _command()),
                spacing="3",
                width="100%",
            ),
            width="100%",
            custom_attrs={"data-testid": "bulk-toolbar"},
        ),
    )


def _result_row(r: ObjectVar[BulkResultRow]) -> rx.Component:
    return rx.table.row(
        cell(rx.text(r.identity, weight="medium")),
        cell(command_status_badge(r.status)),
        cell(rx.text(r.detail, size="1", white_space="normal")),
        custom_attrs={"data-testid": f"bulk-result-{r.identity}"},
    )


def bulk_results() -> rx.Component:
    return rx.cond(
        Bulk.summary != "",
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.text(
                        Bulk.summary,
                        weight="medium",
                        size="2",
                        custom_attrs={"data-testid": "bulk-summary"},
                    ),
                    rx.spacer(),
                    rx.cond(
                        ~Bulk.busy,
                        rx.icon_button(
                            rx.icon("x", size=14),
                            size="1",
                            variant="ghost",
                            on_click=Bulk.clear_results,
                            aria_label=t("Close the results"),
                        ),
                    ),
                    width="100%",
                    align="center",
                ),
                rx.cond(
                    Bulk.results.length() > 0,
                    data_table(
                        [t("Charge point"), t("Status"), t("Detail")],
                        Bulk.results,
                        _result_row,
                        testid="bulk-results",
                    ),
                ),
                spacing="2",
                width="100%",
            ),
            width="100%",
        ),
    )
