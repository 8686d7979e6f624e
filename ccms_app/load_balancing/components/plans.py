"""Load Balancing -> one site -> Plans and Priorities: the lists and their dialogs.

Test ids: `lb-plans-*` / `lb-priorities-*` (components/rows), `lb-plan-new`,
`lb-plan-edit-<id>`, `lb-priority-new`, `lb-priority-edit-<id>`, dialogs `lb-plan-*` and
`lb-priority-*` (fields, errors, save, delete), `lb-plan-day-<1..7>`.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from ccms_app.load_balancing.components.forms import (
    delete_row,
    fields_grid,
    switch_field,
)
from ccms_app.load_balancing.components.rows import Col, edit_button, rows_view
from ccms_app.load_balancing.state.plans import PlanFormState, PlansState
from ccms_app.load_balancing.state.plans import PriorityFormState as R
from ccms_app.load_balancing.state.shown import PRIORITY_KINDS, WEEKDAY_NAMES
from ccms_app.ui.dialogs import (
    choice_select,
    dialog,
    dialog_body,
    dialog_buttons,
    keyed_error,
    labelled,
    notice,
    tid,
    value_input,
)
from ccms_app.ui.i18n import Text, t
from ccms_app.ui.permissions import when_allowed

P: Any = PlanFormState  # typed Any: its dict vars are Vars on the page
S: Any = PlansState

PLAN_COLUMNS = [
    Col("name", t("Plan")),
    Col("days", t("Days"), words=True),
    Col("hours", t("Hours (station time)"), words=True),
    Col("limit", t("Limit"), words=True),
    Col("priority", t("Priority")),
    Col("enabled", t("State"), words=True),
]
PRIORITY_COLUMNS = [
    Col("label", t("Label")),
    Col("kind", t("Matches"), words=True),
    Col("ref", t("Which")),
    Col("priority", t("Priority")),
]


def _new_button(handler: object, save: object, label: Text, testid: str) -> rx.Component:
    return when_allowed(
        save,
        rx.button(
            rx.icon("plus", size=14), label, size="2", on_click=handler, custom_attrs=tid(testid)
        ),
    )


def plans_section() -> rx.Component:
    return rx.vstack(
        rx.flex(
            rx.heading(t("Time plans"), size="4"),
            rx.spacer(),
            _new_button(P.open_new, P.save, t("New plan"), "lb-plan-new"),
            width="100%",
            align="center",
            wrap="wrap",
            gap="8px",
        ),
        rx.text(
            t(
                "Another site limit on some weekdays between two local times (end before start: "
                "over midnight). Of two plans active at once, the higher priority wins; outside "
                "every plan the site's own limit holds."
            ),
            size="2",
            color=rx.color("gray", 11),
        ),
        rows_view(
            S.plans,
            PLAN_COLUMNS,
            "lb-plans",
            t("No time plans: the site's limit holds all the time."),
            actions=lambda r: when_allowed(P.save, edit_button(P.open_edit, r, "lb-plan-edit")),
        ),
        plan_dialog(),
        spacing="3",
        width="100%",
    )


def _days() -> rx.Component:
    return labelled(
        t("Weekdays"),
        rx.flex(
            *[
                rx.el.label(
                    rx.checkbox(
                        checked=P.values["weekdays"].contains(str(day)),
                        on_change=lambda on, day=day: P.toggle_day(str(day), on),
                        custom_attrs=tid(f"lb-plan-day-{day}"),
                    ),
                    rx.text(t(name), size="2"),
                    display="flex",
                    gap="4px",
                    align_items="center",
                )
                for day, name in enumerate(WEEKDAY_NAMES, start=1)
            ],
            gap="10px",
            wrap="wrap",
        ),
        keyed_error(P.errors, "weekdays", "lb-plan-weekdays-error"),
    )


def plan_dialog() -> rx.Component:
    return dialog(
        P.mode != "",
        P.set_open,
        rx.cond(P.mode == "create", t("New time plan"), t("Edit time plan")),
        dialog_body(
            value_input(P, "name", t("Name"), "lb-plan"),
            _days(),
            fields_grid(
                value_input(P, "start_time", t("From (HH:MM)"), "lb-plan", type="time"),
                value_input(P, "end_time", t("Until (HH:MM)"), "lb-plan", type="time"),
                value_input(P, "limit_a", t("Limit per phase (A)"), "lb-plan", type="number"),
                value_input(P, "limit_kw", t("…or power (kW)"), "lb-plan", type="number"),
                value_input(P, "priority", t("Priority"), "lb-plan", type="number"),
            ),
            switch_field(P, "enabled", t("Enabled"), "lb-plan"),
            notice(P.message, "lb-plan-message"),
            rx.cond(P.mode == "edit", delete_row(P, t("Really delete this plan?"), "lb-plan")),
            dialog_buttons(
                None,
                t("Save"),
                P.busy,
                "lb-plan-save",
                cancel_label=t("Cancel"),
                on_click=P.save,
            ),
        ),
        testid="lb-plan-dialog",
    )


def priorities_section() -> rx.Component:
    return rx.vstack(
        rx.flex(
            rx.heading(t("Priorities"), size="4"),
            rx.spacer(),
            _new_button(R.open_new, R.save, t("New priority"), "lb-priority-new"),
            width="100%",
            align="center",
            wrap="wrap",
            gap="8px",
        ),
        rx.text(
            t(
                "Sessions matching a rule are served before lower ones (the highest match counts; "
                "a charge point's own priority is the base). Equal priorities share equally."
            ),
            size="2",
            color=rx.color("gray", 11),
        ),
        rows_view(
            S.priorities,
            PRIORITY_COLUMNS,
            "lb-priorities",
            t("No priority rules: every session is served alike."),
            actions=lambda r: when_allowed(R.save, edit_button(R.open_edit, r, "lb-priority-edit")),
        ),
        priority_dialog(),
        spacing="3",
        width="100%",
    )


def _ref_picker() -> rx.Component:
    kind = R.values["kind"]
    return rx.cond(
        kind == "id_tag",
        value_input(R, "ref", t("Id tag"), "lb-priority"),
        labelled(
            t("Which"),
            choice_select(
                R.values["ref"],
                S.ref_options[kind].to(list[list[str]]),
                lambda value: R.set_value("ref", value),
                t("Choose…"),
                "lb-priority-ref",
            ),
            keyed_error(R.errors, "ref", "lb-priority-ref-error"),
        ),
    )


def priority_dialog() -> rx.Component:
    return dialog(
        R.mode != "",
        R.set_open,
        rx.cond(R.mode == "create", t("New priority rule"), t("Edit priority rule")),
        dialog_body(
            labelled(
                t("Matches sessions by"),
                choice_select(
                    R.values["kind"],
                    [(kind, t(label)) for kind, label in PRIORITY_KINDS],
                    R.set_kind,
                    None,
                    "lb-priority-kind",
                ),
                keyed_error(R.errors, "kind", "lb-priority-kind-error"),
            ),
            _ref_picker(),
            fields_grid(
                value_input(
                    R, "priority", t("Priority (higher first)"), "lb-priority", type="number"
                ),
                value_input(R, "label", t("Label"), "lb-priority"),
            ),
            notice(R.message, "lb-priority-message"),
            rx.cond(R.mode == "edit", delete_row(R, t("Really delete this rule?"), "lb-priority")),
            dialog_buttons(
                None,
                t("Save"),
                R.busy,
                "lb-priority-save",
                cancel_label=t("Cancel"),
                on_click=R.save,
            ),
        ),
        testid="lb-priority-dialog",
    )
