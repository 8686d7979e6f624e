"""The alarm page's actions: the bar (acknowledge, assign, exclusion, close / reopen, work
order), the comment box, the close dialog and the work order dialog. Shown only to roles
that may edit Maintenance; each wraps on a 360 px phone."""

from __future__ import annotations

from typing import Any

import reflex as rx

from ccms_app.maintenance.rules.alarm_admin import CLOSE_SUGGESTIONS, MAX_CLOSE_REASON, MAX_COMMENT
from ccms_app.maintenance.state.alarms_detail import (
    EXCLUSION_CHOICES,
    PRIORITY_CHOICES,
    AlarmDetailState,
)
from ccms_app.ui.dialogs import (
    choice_select,
    dialog,
    dialog_body,
    dialog_buttons,
    keyed_error,
    labelled,
)
from ccms_app.ui.i18n import t
from ccms_app.ui.inputs import text_area, text_input
from ccms_app.ui.permissions import when_allowed

S: Any = AlarmDetailState


def _tid(value: Any) -> dict[str, Any]:
    return {"data-testid": value}


def _assignee() -> rx.Component:
    return labelled(
        t("Assignee"),
        choice_select(
            S.assignee_value,
            S.assignees,
            S.assign,
            t("Assign to…"),
            "alarm-assignee",
            disabled=~S.is_open,
        ),
    )


def _exclusion() -> rx.Component:
    return labelled(
        t("Uptime (NEVI)"),
        choice_select(
            S.exclusion_value,
            [(key, t(text)) for key, text in EXCLUSION_CHOICES],
            S.set_exclusion,
            None,
            "alarm-exclusion",
        ),
    )


def _buttons() -> rx.Component:
    return rx.flex(
        rx.cond(
            S.alarm.get("status", "") == "open",
            rx.button(
                rx.icon("check", size=14),
                t("Acknowledge"),
                on_click=S.acknowledge,
                loading=S.busy,
                custom_attrs=_tid("alarm-acknowledge"),
            ),
        ),
        rx.cond(
            S.is_open,
            rx.button(
                rx.icon("circle-check-big", size=14),
                t("Close…"),
                color_scheme="green",
                variant="soft",
                on_click=S.set_close_open(True),
                custom_attrs=_tid("alarm-close"),
            ),
            rx.button(
                rx.icon("rotate-ccw", size=14),
                t("Reopen"),
                variant="soft",
                color_scheme="gray",
                on_click=S.reopen,
                custom_attrs=_tid("alarm-reopen"),
            ),
        ),
        rx.button(
            rx.icon("clipboard-plus", size=14),
            t("Create work order"),
            variant="soft",
            on_click=S.set_work_order_open(True),
            custom_attrs=_tid("alarm-work-order-new"),
        ),
        rx.button(
            rx.icon("refresh-cw", size=14),
            t("Refresh"),
            variant="ghost",
            color_scheme="gray",
            on_click=S.refresh,
        ),
        gap="8px",
        wrap="wrap",
        align="end",
    )


def action_bar() -> rx.Component:
    return when_allowed(
        S.acknowledge,
        rx.card(
            rx.flex(
                _buttons(),
                rx.spacer(),
                rx.box(_assignee(), width=["100%", "240px"]),
                rx.box(_exclusion(), width=["100%", "280px"]),
                gap="12px",
                wrap="wrap",
                align="end",
                width="100%",
            ),
            width="100%",
        ),
    )


def comment_box() -> rx.Component:
    return when_allowed(
        S.add_comment,
        rx.vstack(
            text_area(
                value=S.comment_text,
                on_change=S.set_comment_text,
                placeholder=t("Add a comment: what you saw, what you did…"),
                max_length=MAX_COMMENT,
                rows="3",
                width="100%",
                custom_attrs=_tid("alarm-comment"),
            ),
            keyed_error(S.errors, "text", "alarm-comment-error"),
            rx.button(
                t("Add comment"),
                on_click=S.add_comment,
                loading=S.busy,
                disabled=S.comment_text.strip() == "",
                custom_attrs=_tid("alarm-comment-add"),
            ),
            spacing="2",
            width="100%",
            align="end",
        ),
    )


def close_dialog() -> rx.Component:
    suggestions = [
        rx.button(
            t(text),
            size="1",
            variant="soft",
            color_scheme="gray",
            type="button",
            on_click=S.set_close_reason(t(text)),
        )
        for text in CLOSE_SUGGESTIONS
    ]
    return dialog(
        S.close_open,
        S.set_close_open,
        t("Close the alarm"),
        dialog_body(
            rx.flex(*suggestions, gap="6px", wrap="wrap"),
            text_area(
                value=S.close_reason,
                on_change=S.set_close_reason,
                placeholder=t("What was done, or why no action is needed (required)"),
                max_length=MAX_CLOSE_REASON,
                rows="3",
                width="100%",
                custom_attrs=_tid("alarm-close-reason"),
            ),
            keyed_error(S.errors, "reason", "alarm-close-reason-error"),
            dialog_buttons(
                S.set_close_open(False),
                t("Close alarm"),
                S.busy,
                "alarm-close-confirm",
                cancel_label=t("Cancel"),
                on_click=S.close_alarm,
                color_scheme="green",
            ),
        ),
        description=t(
            "The downtime runs until the charger recovered, or until now. A new "
            "fault of the same connector opens a new alarm."
        ),
        testid="alarm-close-dialog",
    )


def work_order_dialog() -> rx.Component:
    return dialog(
        S.work_order_open,
        S.set_work_order_open,
        t("Create a work order"),
        dialog_body(
            labelled(
                t("Title"),
                text_input(
                    value=S.work_order_title,
                    on_change=S.set_work_order_title,
                    max_length=200,
                    width="100%",
                    custom_attrs=_tid("alarm-work-order-title"),
                ),
                keyed_error(S.errors, "title", "alarm-work-order-title-error"),
            ),
            labelled(
                t("Priority"),
                choice_select(
                    S.work_order_priority,
                    [(key, t(text)) for key, text in PRIORITY_CHOICES],
                    S.set_work_order_priority,
                    None,
                    "alarm-work-order-priority",
                ),
            ),
            dialog_buttons(
                S.set_work_order_open(False),
                t("Create"),
                S.busy,
                "alarm-work-order-create",
                cancel_label=t("Cancel"),
                on_click=S.create_work_order,
            ),
        ),
        description=t(
            "The fault description, charge point and assignee are taken from the "
            "alarm; the due time follows the SLA of the priority."
        ),
        testid="alarm-work-order-dialog",
    )
