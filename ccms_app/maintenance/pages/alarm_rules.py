"""Maintenance -> Alarm rules (/maintenance/alarm-rules): which alarms get which severity and
who hears of them, the vendor error code table (edit, CSV import, CSV export in the
import's columns) and the maintenance settings (thresholds, SLA hours, verification time,
digest window). Changing needs maintenance:edit; the buttons show only to roles holding it.

Test ids: `rules-*` and `codes-*` (the lists, see ui/data_list), `rule-new`,
`rule-edit-<id>`, `code-new`, `code-edit-<id>`, `codes-import`, `codes-import-errors`,
`codes-import-result`, `settings-<field>`, `settings-<field>-error`, `settings-save`.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from ccms_app.accounts.state import AuthState
from ccms_app.branding.components.brand import page_title
from ccms_app.core.i18n import N_
from ccms_app.maintenance.components.alarm_badges import severity_badge
from ccms_app.maintenance.components.alarm_rule_dialog import code_dialog, rule_dialog
from ccms_app.maintenance.components.subnav import maintenance_subnav
from ccms_app.maintenance.rules.alarm_causes import CAUSE_LABELS
from ccms_app.maintenance.rules.settings_form import BOUNDS
from ccms_app.maintenance.rules.vendor_codes_csv import COLUMNS, MAX_BYTES
from ccms_app.maintenance.state.alarms_codes import (
    UPLOAD_ID,
    MaintenanceSettingsState,
    VendorCodeFormState,
    VendorCodeListState,
)
from ccms_app.maintenance.state.alarms_rules import AlarmRuleFormState, AlarmRuleListState
from ccms_app.ui.cards import section
from ccms_app.ui.data_list import Column, Filter, RowVar, data_list
from ccms_app.ui.dialogs import value_input
from ccms_app.ui.i18n import t, t_var, t_with
from ccms_app.ui.layout import app_shell
from ccms_app.ui.page_header import follow_language, page_header
from ccms_app.ui.permissions import when_allowed

ROUTE = "/maintenance/alarm-rules"
TITLE = page_title("Alarm rules · Maintenance")
ON_LOAD: list[Any] = [
    AuthState.require_login,
    AlarmRuleListState.load,
    AlarmRuleListState.check_mail,
    VendorCodeListState.load,
    MaintenanceSettingsState.load,
]

R: Any = AlarmRuleFormState
C: Any = VendorCodeFormState
M: Any = MaintenanceSettingsState
ACCEPT = {"text/csv": [".csv"], "text/plain": [".csv", ".txt"]}
# A setting's bounds under its input, by the unit of the setting (rules.settings_form.BOUNDS).
BOUND_HINTS = {
    "seconds": N_("{low}-{high} seconds"),
    "starts": N_("{low}-{high} starts"),
    "hours": N_("{low}-{high} hours"),
}


def _tid(value: Any) -> dict[str, Any]:
    return {"data-testid": value}


def _edit_button(handler: Any, row: RowVar, testid: str) -> rx.Component:
    return rx.button(
        t("Edit"),
        size="1",
        variant="soft",
        on_click=handler(row["id"]),
        custom_attrs=_tid(testid + "-" + row["id"].to(str)),
    )


def _rules() -> rx.Component:
    return section(
        t("Alarm rules"),
        data_list(
            AlarmRuleListState,
            columns=[
                Column("name", t("Name")),
                Column(
                    "cause", t("Cause"), render=lambda r: rx.text(t_var(r["cause_text"]), size="2")
                ),
                Column("vendor", t("Matches"), render=lambda r: rx.text(r["matches"], size="2")),
                Column("severity", t("Severity"), render=lambda r: severity_badge(r["severity"])),
                Column(
                    "notify_browser",
                    t("Then"),
                    sortable=False,
                    render=lambda r: rx.text(r["actions_text"], size="2"),
                ),
                Column(
                    "enabled",
                    t("State"),
                    sortable=False,
                    render=lambda r: rx.text(t_var(r["state"])),
                ),
            ],
            filters=[Filter("cause", t("Cause"), [(k, t(v)) for k, v in CAUSE_LABELS.items()])],
            testid="rules",
            empty_text=t("No rules: alarms get each cause's default severity and notify nobody."),
            search_placeholder=t("Search name, vendor, model…"),
            toolbar=[
                when_allowed(
                    R.save,
                    rx.button(
                        rx.icon("plus", size=14),
                        t("New rule"),
                        on_click=R.open_new,
                        custom_attrs=_tid("rule-new"),
                    ),
                )
            ],
            actions=lambda r: when_allowed(R.save, _edit_button(R.open_edit, r, "rule-edit")),
        ),
        rule_dialog(),
    )


def _import_box() -> rx.Component:
    return when_allowed(
        C.import_file,
        rx.vstack(
            rx.upload(
                rx.vstack(
                    rx.icon("file-spreadsheet", size=20, color=rx.color("gray", 10)),
                    rx.text(t("Import CSV: drop a file here, or click"), size="2", weight="medium"),
                    rx.text(
                        t_with(
                            "Columns {columns}; at most {megabytes} MB. Known codes are "
                            "updated, new ones added; a bad line imports nothing.",
                            columns=", ".join(COLUMNS),
                            megabytes=MAX_BYTES // 1_000_000,
                        ),
                        size="1",
                        color=rx.color("gray", 11),
                        text_align="center",
                    ),
                    align="center",
                    spacing="1",
                ),
                id=UPLOAD_ID,
                multiple=False,
                max_files=1,
                max_size=MAX_BYTES,
                accept=ACCEPT,
                on_drop=C.import_file(rx.upload_files(upload_id=UPLOAD_ID)),
                on_drop_rejected=C.files_rejected,
                border=f"1px dashed {rx.color('gray', 7)}",
                border_radius="8px",
                padding="12px",
                width="100%",
                cursor="pointer",
                custom_attrs=_tid("codes-import"),
            ),
            rx.cond(
                C.import_errors.length() > 0,
                rx.callout(
                    rx.vstack(rx.foreach(C.import_errors, lambda e: rx.text(e, size="1"))),
                    icon="triangle-alert",
                    color_scheme="red",
                    size="1",
                    width="100%",
                    custom_attrs=_tid("codes-import-errors"),
                ),
            ),
            rx.cond(
                C.import_result != "",
                rx.text(C.import_result, size="2", custom_attrs=_tid("codes-import-result")),
            ),
            spacing="2",
            width="100%",
        ),
    )


def _codes() -> rx.Component:
    return section(
        t("Vendor error codes"),
        rx.text(
            t(
                "A vendor's error codes in words your team understands: alarms raised from then "
                "on show the readable cause (and its severity, when one is set)."
            ),
            size="2",
            color=rx.color("gray", 11),
        ),
        _import_box(),
        data_list(
            VendorCodeListState,
            columns=[
                Column("vendor", t("Vendor")),
                Column("model", t("Model")),
                Column("vendor_error_code", t("Code")),
                Column("readable_cause", t("Readable cause")),
                Column("severity", t("Severity")),
            ],
            testid="codes",
            empty_text=t("No vendor error codes yet: add one or import a CSV file."),
            search_placeholder=t("Search vendor, model, code, cause…"),
            toolbar=[
                when_allowed(
                    C.save,
                    rx.button(
                        rx.icon("plus", size=14),
                        t("New code"),
                        on_click=C.open_new,
                        custom_attrs=_tid("code-new"),
                    ),
                )
            ],
            actions=lambda r: when_allowed(C.save, _edit_button(C.open_edit, r, "code-edit")),
        ),
        code_dialog(),
    )


def _setting(name: str) -> rx.Component:
    bound = BOUNDS[name]
    return value_input(
        M,
        name,
        t(bound.label),
        "settings",
        hint=t_with(BOUND_HINTS[bound.unit], low=bound.low, high=bound.high),
        type="number",
        min=bound.low,
        max=bound.high,
    )


def _settings() -> rx.Component:
    return section(
        t("Settings"),
        rx.card(
            rx.vstack(
                rx.grid(
                    *[_setting(name) for name in BOUNDS],
                    columns=rx.breakpoints(initial="1", sm="2", lg="4"),
                    gap="12px",
                    width="100%",
                ),
                rx.cond(M.message != "", rx.text(M.message, color=rx.color("red", 11))),
                when_allowed(
                    M.save,
                    rx.button(
                        t("Save settings"),
                        on_click=M.save,
                        loading=M.busy,
                        custom_attrs=_tid("settings-save"),
                    ),
                ),
                spacing="3",
                width="100%",
                align="end",
            ),
            width="100%",
        ),
    )


def page() -> rx.Component:
    return app_shell(
        "/maintenance",
        page_header(
            t("Alarm rules"),
            t("Severity and notifications per cause, vendor error codes, thresholds and SLAs."),
        ),
        maintenance_subnav(ROUTE),
        follow_language(AlarmRuleListState.follow_language),
        rx.cond(
            AlarmRuleListState.mail_off,
            rx.callout(
                t(
                    "E-mail is off: CCMS_SMTP_HOST is not set, so the rules' alarm e-mails wait in "
                    "the outbox until it is (README, Configuration)."
                ),
                icon="mail-warning",
                color_scheme="amber",
                size="1",
                width="100%",
                custom_attrs={"data-testid": "alarm-mail-off"},
            ),
        ),
        _rules(),
        _codes(),
        _settings(),
    )
