"""The Smart charging tab of a charge point page: installed profiles, a simple profile form,
clear buttons and the composite schedule as a step chart and a table. Stacks to one column
on a phone; tables scroll sideways."""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.vars import ObjectVar

from ccms_app.control.components.command_form import labelled
from ccms_app.control.state.charge_point import ChargePointDetailState as Detail
from ccms_app.control.state.smart_charging import SmartChargingState as SC
from ccms_app.control.state.smart_charging_form import MAX_FORM_PERIODS, PURPOSES, SCHEDULE_KINDS
from ccms_app.control.state.smart_charging_rows import CompositeRow, ProfileRow
from ccms_app.core.i18n import N_
from ccms_app.ui.cards import empty_note
from ccms_app.ui.i18n import t, t_var, t_with
from ccms_app.ui.inputs import text_input
from ccms_app.ui.permissions import allowed, when_allowed
from ccms_app.ui.table import cell, data_table

# A profile's shown status (control.models.ProfileStatus, or ended / expired) is its message
# id: shown with t_var, so English shows the value itself.
STATUS_NAMES = {
    "requested": N_("requested"),
    "accepted": N_("accepted"),
    "rejected": N_("rejected"),
    "failed": N_("failed"),
    "timed_out": N_("timed_out"),
    "offline": N_("offline"),
    "replaced": N_("replaced"),
    "cleared": N_("cleared"),
    "ended": N_("ended"),
    "expired": N_("expired"),
}
STATUS_COLOURS = {
    "accepted": "green",
    "requested": "blue",
    "replaced": "gray",
    "cleared": "gray",
    "ended": "gray",
    "expired": "gray",
}


def _message(text: rx.Var[str] | str, ok: rx.Var[bool] | bool, testid: str) -> rx.Component:
    return rx.cond(
        text != "",
        rx.callout(
            text,
            icon=rx.cond(ok, "circle-check", "info"),
            color_scheme=rx.cond(ok, "green", "red"),
            size="1",
            width="100%",
            custom_attrs={"data-testid": testid},
        ),
    )


def _select(items: list[str] | rx.Var, value: rx.Var[str] | str, field: str) -> rx.Component:
    """A choice of data (OCPP's names, units, connectors): shown as they are."""
    return rx.select(
        items if isinstance(items, rx.Var) else rx.Var.create(items),
        value=value,
        on_change=lambda v: SC.set_field(field, v),
        width="100%",
        custom_attrs={"data-testid": f"sc-{field.replace('_', '-')}"},
    )


def _worded_select(labels: list[str], value: rx.Var[str] | str, field: str) -> rx.Component:
    """A choice whose values are message ids: each shown in the tab's language."""
    return rx.select.root(
        rx.select.trigger(
            width="100%", custom_attrs={"data-testid": f"sc-{field.replace('_', '-')}"}
        ),
        rx.select.content(*[rx.select.item(t(label), value=label) for label in labels]),
        value=value,
        on_change=lambda v: SC.set_field(field, v),
    )


def _input(value: rx.Var[str] | str, field: str, **props: Any) -> rx.Component:
    return text_input(
        value=value,
        on_change=lambda v: SC.set_field(field, v),
        width="100%",
        custom_attrs={"data-testid": f"sc-{field.replace('_', '-')}"},
        **props,
    )


def _period(period: ObjectVar[dict[str, str]], index: rx.Var[int]) -> rx.Component:
    return rx.hstack(
        text_input(
            value=period["start"],
            on_change=lambda v: SC.set_period(index, "start", v),
            type="number",
            min="0",
            placeholder=t("start (min)"),
            read_only=index == 0,
            width="100%",
            custom_attrs={"data-testid": f"sc-period-start-{index}"},
        ),
        text_input(
            value=period["limit"],
            on_change=lambda v: SC.set_period(index, "limit", v),
            type="number",
            min="0",
            step="0.1",
            placeholder=t_with("limit ({unit})", unit=SC.unit),
            width="100%",
            custom_attrs={"data-testid": f"sc-period-limit-{index}"},
        ),
        rx.icon_button(
            rx.icon("x", size=14),
            size="1",
            variant="soft",
            color_scheme="gray",
            on_click=SC.remove_period(index),
            disabled=index == 0,
            aria_label=t("Remove period"),
        ),
        width="100%",
        align="center",
        spacing="2",
    )


def _periods() -> rx.Component:
    return rx.vstack(
        rx.text(t("Periods: start (minutes after the schedule's start) and limit"), size="2"),
        rx.foreach(SC.periods, _period),
        rx.button(
            rx.icon("plus", size=14),
            t("Add period"),
            size="1",
            variant="soft",
            on_click=SC.add_period,
            disabled=SC.periods.length() >= MAX_FORM_PERIODS,
            custom_attrs={"data-testid": "sc-add-period"},
        ),
        spacing="2",
        width="100%",
    )


def _form() -> rx.Component:
    grid = rx.grid(
        labelled(t("Purpose"), _select(PURPOSES, SC.purpose, "purpose")),
        labelled(
            t("Connector (0 = whole charge point)"),
            _select(Detail.connector0_options, SC.connector_id, "connector_id"),
        ),
        rx.cond(
            SC.purpose == "TxProfile",
            labelled(
                t("Transaction"), _select(Detail.transaction_options, SC.transaction, "transaction")
            ),
        ),
        labelled(t("Stack level"), _input(SC.stack_level, "stack_level", type="number", min="0")),
        labelled(t("Schedule"), _worded_select(list(SCHEDULE_KINDS), SC.schedule, "schedule")),
        labelled(
            t_with("Start time ({zone}, empty = now)", zone=SC.zone),
            _input(SC.start, "start", type="datetime-local"),
        ),
        labelled(t("Unit"), _select(["W", "A"], SC.unit, "unit")),
        labelled(
            t("Duration (minutes, empty = open)"), _input(SC.duration, "duration", type="number")
        ),
        labelled(
            t_with("Valid from ({zone})", zone=SC.zone),
            _input(SC.valid_from, "valid_from", type="datetime-local"),
        ),
        labelled(
            t_with("Valid to ({zone})", zone=SC.zone),
            _input(SC.valid_to, "valid_to", type="datetime-local"),
        ),
        columns=rx.breakpoints(initial="1", sm="2", md="3"),
        spacing="3",
        width="100%",
    )
    return rx.card(
        rx.vstack(
            rx.heading(t("Set a charging profile"), size="3"),
            grid,
            _periods(),
            _message(SC.message, SC.message_ok, "sc-message"),
            rx.button(
                rx.icon("gauge", size=14),
                t("Send profile"),
                on_click=SC.send_profile,
                loading=SC.busy,
                align_self="end",
                custom_attrs={"data-testid": "sc-send"},
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _row(r: ObjectVar[ProfileRow]) -> rx.Component:
    return rx.table.row(
        cell(r.profile_id),
        cell(r.connector),
        cell(r.purpose),
        cell(r.stack_level),
        cell(r.schedule),
        cell(r.limits),
        cell(r.validity),
        cell(
            rx.tooltip(
                rx.badge(
                    t_var(r.status),
                    color_scheme=rx.match(r.status, *STATUS_COLOURS.items(), "orange"),
                    variant="soft",
                ),
                content=rx.cond(r.detail != "", r.detail, t_var(r.status)),
            )
        ),
        cell(
            rx.cond(
                r.active & allowed(SC.clear),
                rx.button(
                    t("Clear"),
                    size="1",
                    variant="soft",
                    color_scheme="red",
                    on_click=SC.clear(r.profile_id),
                    disabled=SC.busy,
                    custom_attrs={"data-testid": f"sc-clear-{r.profile_id}"},
                ),
            )
        ),
        custom_attrs={"data-testid": f"sc-profile-{r.profile_id}"},
    )


def _profiles() -> rx.Component:
    header = rx.flex(
        rx.heading(t("Profiles"), size="3"),
        rx.spacer(),
        rx.hstack(
            rx.switch(checked=SC.show_history, on_change=SC.set_show_history, size="1"),
            rx.text(t("History"), size="2"),
            align="center",
            spacing="2",
        ),
        when_allowed(
            SC.clear,
            rx.button(
                t("Clear all"),
                size="1",
                variant="soft",
                color_scheme="red",
                on_click=SC.clear(0),
                disabled=SC.busy,
                custom_attrs={"data-testid": "sc-clear-all"},
            ),
        ),
        align="center",
        gap="12px",
        wrap="wrap",
        width="100%",
    )
    return rx.vstack(
        header,
        rx.cond(
            SC.profiles.length() > 0,
            data_table(
                [
                    t("Id"),
                    t("Connector"),
                    t("Purpose"),
                    t("Stack"),
                    t("Schedule"),
                    t("Limits"),
                    t("Valid"),
                    t("Status"),
                    "",
                ],
                SC.profiles,
                _row,
                testid="sc-profiles",
            ),
            empty_note(t("No charging profile installed on this charge point.")),
        ),
        spacing="2",
        width="100%",
    )


def _composite_row(r: ObjectVar[CompositeRow]) -> rx.Component:
    return rx.table.row(cell(r.offset), cell(r.at), cell(r.limit), cell(r.expected))


def _composite() -> rx.Component:
    controls = rx.grid(
        labelled(
            t("Connector"), _select(Detail.connector0_options, SC.comp_connector, "comp_connector")
        ),
        labelled(t("Minutes"), _input(SC.comp_minutes, "comp_minutes", type="number", min="1")),
        labelled(t("Unit"), _select(["W", "A"], SC.comp_unit, "comp_unit")),
        columns=rx.breakpoints(initial="1", sm="3"),
        spacing="3",
        width="100%",
    )
    result = rx.vstack(
        rx.box(
            rx.plotly.basic(  # scatter only: the small plotly.js bundle
                data=SC.comp_figure,
                config={"displayModeBar": False, "responsive": True},
                width="100%",
                height="260px",
            ),
            width="100%",
            custom_attrs={"data-testid": "sc-composite-chart"},
        ),
        data_table(
            [t("From"), t("At"), t("Charge point"), t("Expected")],
            SC.comp_rows,
            _composite_row,
            testid="sc-composite-table",
        ),
        spacing="2",
        width="100%",
    )
    return rx.card(
        rx.vstack(
            rx.heading(t("Composite schedule"), size="3"),
            controls,
            rx.button(
                rx.icon("chart-line", size=14),
                t("Get composite schedule"),
                on_click=SC.get_composite,
                loading=SC.comp_busy,
                align_self="end",
                custom_attrs={"data-testid": "sc-composite-get"},
            ),
            _message(SC.comp_message, SC.comp_ok, "sc-composite-message"),
            rx.cond(SC.comp_shown, result),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def smart_charging_section() -> rx.Component:
    """Profiles for every role that sees the page; sending, clearing and asking the charge
    point for its composite schedule for roles that may send it commands."""
    return rx.vstack(
        _profiles(),
        when_allowed(SC.send_profile, _form(), _composite()),
        spacing="4",
        width="100%",
        on_mount=SC.load,
        custom_attrs={"data-testid": "sc-section"},
    )
