"""Maintenance -> Plans: preventive maintenance every N months, per charge point or per
vendor/model; each due date makes one work order per covered charge point."""

from __future__ import annotations

import reflex as rx

from ccms_app.accounts.state import AuthState
from ccms_app.branding.components.brand import page_title
from ccms_app.maintenance.components.subnav import maintenance_subnav
from ccms_app.maintenance.rules.sla import PRIORITIES, PRIORITY_LABELS
from ccms_app.maintenance.state.plans import PlanFormState as F
from ccms_app.maintenance.state.plans import PlanListState as Plans
from ccms_app.ui.data_list import Column, data_list
from ccms_app.ui.dialogs import (
    choice_select,
    dialog,
    dialog_body,
    dialog_buttons,
    keyed_error,
    labelled,
    notice,
    value_input,
)
from ccms_app.ui.i18n import t, t_var, t_with
from ccms_app.ui.layout import app_shell
from ccms_app.ui.page_header import follow_language, page_header
from ccms_app.ui.permissions import when_allowed

ROUTE = "/maintenance/plans"
TITLE = page_title("Maintenance plans")
ON_LOAD = [AuthState.require_login, Plans.load]


def _columns() -> list[Column]:
    return [
        Column("name", t("Plan"), render=lambda r: rx.text(r["name"], weight="medium", size="2")),
        Column("charge_point", t("Covers"), render=lambda r: rx.text(r["covers"], size="2")),
        Column("every_months", t("Every (months)")),
        Column("next_due_at", t("Next due")),
        Column("priority", t("Priority")),
        Column("enabled", t("Enabled"), render=lambda r: rx.text(t_var(r["enabled"]), size="2")),
        Column("work_orders", t("Work orders"), sortable=False),
    ]


def _form() -> rx.Component:
    return dialog(
        F.mode != "",
        F.set_open,
        rx.cond(F.mode == "create", t("New plan"), t("Edit plan")),
        dialog_body(
            value_input(F, "name", t("Name"), "plan"),
            labelled(
                t("One charge point"),
                choice_select(
                    F.values["charge_point_id"],
                    F.cp_choices,
                    lambda v: F.set_value("charge_point_id", v),
                    t("— by vendor / model —"),
                    "plan-cp",
                ),
                keyed_error(F.errors, "charge_point_id", "plan-charge_point_id-error"),
            ),
            value_input(F, "vendor", t("…or every charge point of this vendor"), "plan"),
            value_input(F, "model", t("Model (empty: every model)"), "plan"),
            value_input(F, "every_months", t("Every how many months"), "plan", type="number"),
            value_input(
                F,
                "next_due_at",
                t("Next due"),
                "plan",
                t_with(
                    "A day at the charge point's station; by vendor / model: {zone}", zone=F.zone
                ),
                type="date",
            ),
            labelled(
                t("Priority"),
                choice_select(
                    F.values["priority"],
                    [(p, t(PRIORITY_LABELS[p])) for p in PRIORITIES],
                    lambda v: F.set_value("priority", v),
                    None,
                    "plan-priority",
                ),
            ),
            value_input(F, "description", t("What to do"), "plan"),
            rx.hstack(
                rx.switch(
                    checked=F.values["enabled"] == "true",
                    on_change=lambda v: F.set_value("enabled", rx.cond(v, "true", "false")),
                ),
                rx.text(t("Enabled"), size="2"),
                spacing="2",
            ),
            notice(F.message, "plan-message"),
            rx.cond(
                F.mode == "edit",
                rx.button(t("Delete"), color_scheme="red", variant="soft", on_click=F.delete),
            ),
            dialog_buttons(
                None, t("Save"), F.busy, "plan-save", cancel_label=t("Cancel"), on_click=F.save
            ),
        ),
        testid="plan-dialog",
    )


def page() -> rx.Component:
    return app_shell(
        ROUTE,
        page_header(
            t("Maintenance plans"),
            t("Preventive maintenance every N months"),
            when_allowed(
                F.save,
                rx.button(
                    rx.icon("plus", size=16),
                    t("New plan"),
                    on_click=F.open_new,
                    custom_attrs={"data-testid": "plan-new"},
                ),
            ),
        ),
        maintenance_subnav(ROUTE),
        follow_language(Plans.follow_language),
        data_list(
            Plans,
            columns=_columns(),
            testid="plans",
            empty_text=t("No maintenance plans yet."),
            search_placeholder=t("Search plan, charge point, vendor or model…"),
            actions=lambda r: when_allowed(
                F.save,
                rx.button(t("Edit"), size="1", variant="soft", on_click=F.open_edit(r["id"])),
            ),
        ),
        _form(),
    )
