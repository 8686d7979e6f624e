"""The alarm rule dialog (create / edit) and the vendor error code dialog of Maintenance ->
Alarm rules. Test ids: `rule-<field>`, `rule-<field>-error`, `rule-role-<id>`, `rule-save`,
`rule-delete`, `rule-delete-confirm`, `rule-message`; `code-<field>`, `code-save`,
`code-delete`, `code-message`."""

from __future__ import annotations

from typing import Any

import reflex as rx

from ccms_app.core.i18n import N_
from ccms_app.maintenance.components.alarm_badges import SEVERITY_LABELS
from ccms_app.maintenance.rules.alarm_causes import CAUSE_LABELS
from ccms_app.maintenance.rules.alarm_rule_form import PRIORITY_LABELS
from ccms_app.maintenance.state.alarms_codes import AS_RULE, VendorCodeFormState
from ccms_app.maintenance.state.alarms_rules import AlarmRuleFormState
from ccms_app.ui.dialogs import (
    choice_select,
    dialog,
    dialog_body,
    dialog_buttons,
    labelled,
    notice,
    value_input,
)
from ccms_app.ui.form_fields import field_error
from ccms_app.ui.i18n import Text, t
from ccms_app.ui.inputs import text_area
from ccms_app.ui.permissions import when_allowed

R: Any = AlarmRuleFormState
C: Any = VendorCodeFormState


def _tid(value: Any) -> dict[str, Any]:
    return {"data-testid": value}


def _select(name: str, label: Text, choices: dict[str, str]) -> rx.Component:
    return labelled(
        label,
        choice_select(
            R.values[name],
            [(key, t(text)) for key, text in choices.items()],
            lambda value: R.set_value(name, value),
            None,
            f"rule-{name}",
        ),
        field_error(R, name, "rule"),
    )


def _switch(name: str, label: Text) -> rx.Component:
    return rx.el.label(
        rx.switch(
            checked=R.values[name] == "true",
            on_change=lambda value: R.set_flag(name, value),
            custom_attrs=_tid(f"rule-{name}"),
        ),
        rx.text(label, size="2"),
        display="flex",
        gap="8px",
        align_items="center",
    )


def _role(choice: Any) -> rx.Component:
    return rx.el.label(
        rx.checkbox(
            checked=R.chosen_roles.contains(choice[0]),
            on_change=lambda checked: R.toggle_role(choice[0], checked),
            custom_attrs=_tid("rule-role-" + choice[0].to(str)),
        ),
        rx.text(choice[1], size="2"),
        display="flex",
        gap="6px",
        align_items="center",
    )


def _roles() -> rx.Component:
    return labelled(
        t("Browser notification for roles (none ticked: anyone who opens Maintenance)"),
        rx.flex(rx.foreach(R.role_choices, _role), gap="12px", wrap="wrap"),
        field_error(R, "notify_role_ids", "rule"),
    )


def _recipients() -> rx.Component:
    return labelled(
        t("E-mail recipients (comma or one per line)"),
        text_area(
            value=R.values["email_recipients"],
            on_change=lambda value: R.set_value("email_recipients", value),
            rows="2",
            width="100%",
            custom_attrs=_tid("rule-email_recipients"),
        ),
        field_error(R, "email_recipients", "rule"),
    )


def _delete_area() -> rx.Component:
    return rx.cond(
        R.mode == "edit",
        when_allowed(
            R.delete,
            rx.cond(
                R.confirm_delete,
                rx.flex(
                    rx.text(t("Delete this rule? Its alarms stay."), size="2"),
                    rx.button(
                        t("Delete"),
                        color_scheme="red",
                        on_click=R.delete,
                        custom_attrs=_tid("rule-delete-confirm"),
                    ),
                    rx.button(t("Keep"), variant="soft", on_click=R.set_confirm_delete(False)),
                    gap="8px",
                    align="center",
                    wrap="wrap",
                ),
                rx.button(
                    t("Delete rule"),
                    variant="ghost",
                    color_scheme="red",
                    on_click=R.set_confirm_delete(True),
                    custom_attrs=_tid("rule-delete"),
                ),
            ),
        ),
    )


def rule_dialog() -> rx.Component:
    return dialog(
        R.mode != "",
        R.set_is_open,
        rx.cond(R.mode == "create", t("New alarm rule"), t("Edit alarm rule")),
        dialog_body(
            value_input(R, "name", t("Name"), "rule", placeholder=t("e.g. Acme faults at night")),
            rx.grid(
                _select("cause", t("Cause"), CAUSE_LABELS),
                _select("severity", t("Severity"), SEVERITY_LABELS),
                columns=rx.breakpoints(initial="1", sm="2"),
                gap="12px",
                width="100%",
            ),
            rx.grid(
                value_input(R, "vendor", t("Vendor"), "rule", hint=t("Empty: any")),
                value_input(R, "model", t("Model"), "rule", hint=t("Empty: any")),
                value_input(R, "error_code", t("OCPP error code"), "rule", hint=t("Empty: any")),
                columns=rx.breakpoints(initial="1", sm="3"),
                gap="12px",
                width="100%",
            ),
            _switch("notify_browser", t("Live counter and toast in the browser")),
            _roles(),
            _recipients(),
            rx.flex(
                _switch("create_work_order", t("Create a work order")),
                rx.box(
                    _select("work_order_priority", t("Work order priority"), PRIORITY_LABELS),
                    width=["100%", "200px"],
                ),
                gap="12px",
                wrap="wrap",
                align="end",
                width="100%",
            ),
            _switch("enabled", t("Enabled")),
            notice(R.message, "rule-message"),
            _delete_area(),
            dialog_buttons(
                None, t("Save"), R.busy, "rule-save", cancel_label=t("Cancel"), on_click=R.save
            ),
        ),
        description=t(
            "The most specific enabled rule matching an alarm decides its severity "
            "and who hears of it."
        ),
        testid="rule-dialog",
        max_width="640px",
    )


def code_dialog() -> rx.Component:
    severities = [("", N_("As the rule says")), *SEVERITY_LABELS.items()]
    return dialog(
        C.mode != "",
        C.set_is_open,
        rx.cond(C.mode == "create", t("New vendor error code"), t("Edit vendor error code")),
        dialog_body(
            rx.grid(
                value_input(C, "vendor", t("Vendor"), "code"),
                value_input(C, "model", t("Model"), "code", hint=t("Empty: every model")),
                value_input(C, "vendor_error_code", t("Vendor error code"), "code"),
                columns=rx.breakpoints(initial="1", sm="3"),
                gap="12px",
                width="100%",
            ),
            value_input(C, "readable_cause", t("Readable cause"), "code"),
            labelled(
                t("Severity"),
                rx.select.root(
                    rx.select.trigger(width="100%", custom_attrs=_tid("code-severity")),
                    rx.select.content(
                        *[rx.select.item(t(text), value=v or AS_RULE) for v, text in severities]
                    ),
                    value=rx.cond(C.values["severity"] == "", AS_RULE, C.values["severity"]),
                    on_change=C.set_severity,
                ),
                field_error(C, "severity", "code"),
            ),
            notice(C.message, "code-message"),
            rx.cond(
                C.mode == "edit",
                when_allowed(
                    C.delete,
                    rx.button(
                        t("Delete code"),
                        variant="ghost",
                        color_scheme="red",
                        on_click=C.delete,
                        custom_attrs=_tid("code-delete"),
                    ),
                ),
            ),
            dialog_buttons(
                None, t("Save"), C.busy, "code-save", cancel_label=t("Cancel"), on_click=C.save
            ),
        ),
        testid="code-dialog",
        max_width="640px",
    )
