"""The "New work order" dialog: any charge point of the network (searched by identity)."""

from __future__ import annotations

import reflex as rx

from ccms_app.maintenance.rules.sla import PRIORITIES, PRIORITY_LABELS
from ccms_app.maintenance.state.work_orders import WorkOrderCreateState as S
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
from ccms_app.ui.form_fields import field_error
from ccms_app.ui.i18n import t
from ccms_app.ui.inputs import text_area, text_input

PRIORITY_CHOICES = [(p, PRIORITY_LABELS[p]) for p in PRIORITIES]


def new_work_order_button() -> rx.Component:
    return rx.button(
        rx.icon("plus", size=16),
        t("New work order"),
        size="3",
        on_click=S.open_new,
        custom_attrs={"data-testid": "work-order-new"},
    )


def create_dialog() -> rx.Component:
    return dialog(
        S.open,
        S.set_open,
        t("New work order"),
        dialog_body(
            labelled(
                t("Charge point"),
                rx.vstack(
                    text_input(
                        value=S.cp_term,
                        on_change=S.search_charge_points.debounce(300),
                        placeholder=t("Search identity…"),
                        width="100%",
                        custom_attrs={"data-testid": "work-order-cp-search"},
                    ),
                    choice_select(
                        S.values["charge_point_id"],
                        S.cp_choices,
                        lambda v: S.set_value("charge_point_id", v),
                        t("Choose the charge point"),
                        "work-order-cp",
                    ),
                    width="100%",
                ),
                keyed_error(S.errors, "charge_point_id", "work-order-charge_point_id-error"),
            ),
            value_input(S, "title", t("What is wrong"), "work-order"),
            value_input(
                S, "connector_id", t("Connector (empty: the whole charge point)"), "work-order"
            ),
            labelled(
                t("Description"),
                text_area(
                    value=S.values["description"],
                    on_change=lambda v: S.set_value("description", v),
                    width="100%",
                    custom_attrs={"data-testid": "work-order-description"},
                ),
                field_error(S, "description", "work-order"),
            ),
            labelled(
                t("Priority"),
                choice_select(
                    S.values["priority"],
                    [(p, t(label)) for p, label in PRIORITY_CHOICES],
                    lambda v: S.set_value("priority", v),
                    None,
                    "work-order-priority",
                ),
            ),
            labelled(
                t("Assignee (optional)"),
                choice_select(
                    S.values["assignee_account_id"],
                    S.people,
                    lambda v: S.set_value("assignee_account_id", v),
                    t("Nobody yet"),
                    "work-order-assignee",
                ),
                keyed_error(S.errors, "assignee_account_id", "work-order-assignee-error"),
            ),
            notice(S.message, "work-order-message"),
            dialog_buttons(
                None,
                t("Create"),
                S.busy,
                "work-order-save",
                cancel_label=t("Cancel"),
                on_click=S.save,
            ),
        ),
        testid="work-order-dialog",
    )
