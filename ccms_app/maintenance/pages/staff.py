"""Maintenance -> Staff: the people with the Maintenance staff role, their phone, duty and
the operation areas they cover (alarm rules' work orders go to them by area)."""

from __future__ import annotations

import reflex as rx
from reflex.vars import ObjectVar

from ccms_app.accounts.state import AuthState
from ccms_app.branding.components.brand import page_title
from ccms_app.maintenance.components.subnav import maintenance_subnav
from ccms_app.maintenance.state.staff import StaffState as S
from ccms_app.ui.cards import empty_note
from ccms_app.ui.dialogs import dialog, dialog_body, dialog_buttons, form_field, keyed_error
from ccms_app.ui.i18n import t, t_var, t_with
from ccms_app.ui.inputs import text_area, text_input
from ccms_app.ui.layout import app_shell
from ccms_app.ui.page_header import page_header
from ccms_app.ui.permissions import when_allowed

ROUTE = "/maintenance/staff"
TITLE = page_title("Maintenance staff")
ON_LOAD = [AuthState.require_login, S.load]


def _person(row: ObjectVar[dict[str, str]]) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(row["name"], weight="bold", overflow_wrap="anywhere"),
                rx.badge(
                    t_var(row["on_duty"]),
                    color_scheme=rx.cond(row["on_duty"] == "on duty", "green", "gray"),
                ),
                wrap="wrap",
                spacing="2",
            ),
            rx.text(row["email"], size="2", overflow_wrap="anywhere"),
            rx.cond(
                row["phone"] != "",
                rx.link(row["phone"], href="tel:" + row["phone"].to(str), size="2"),
            ),
            rx.text(
                t_with("Areas: {areas}", areas=t_var(row["areas"])),
                size="2",
                color=rx.color("gray", 11),
            ),
            rx.text(
                t_with("Active work orders: {count}", count=row["open"]),
                size="2",
                color=rx.color("gray", 11),
            ),
            when_allowed(
                S.save,
                rx.button(
                    t("Edit"),
                    variant="soft",
                    size="2",
                    on_click=S.open_edit(row["id"]),
                    custom_attrs={"data-testid": "staff-edit"},
                ),
            ),
            spacing="1",
            width="100%",
        ),
        width="100%",
        custom_attrs={"data-testid": "staff-row"},
    )


def _edit_dialog() -> rx.Component:
    return dialog(
        S.editing_id != 0,
        S.close,
        S.editing_name,
        dialog_body(
            form_field(
                t("Phone"),
                text_input(value=S.phone, on_change=S.set_phone, width="100%", type="tel"),
                keyed_error(S.errors, "phone", "staff-phone-error"),
            ),
            rx.hstack(
                rx.switch(checked=S.on_duty, on_change=S.set_on_duty),
                rx.text(t("On duty"), size="2"),
                spacing="2",
            ),
            rx.text(t("Operation areas covered"), size="2", weight="medium"),
            rx.foreach(
                S.area_options,
                lambda area: rx.checkbox(
                    area[1],
                    checked=S.chosen_areas.contains(area[0]),
                    on_change=lambda checked: S.toggle_area(area[0], checked),
                ),
            ),
            keyed_error(S.errors, "area_ids", "staff-areas-error"),
            form_field(
                t("Notes"),
                text_area(value=S.notes, on_change=S.set_notes, width="100%"),
                keyed_error(S.errors, "notes", "staff-notes-error"),
            ),
            keyed_error(S.errors, "form", "staff-error"),
            dialog_buttons(
                None, t("Save"), S.busy, "staff-save", cancel_label=t("Cancel"), on_click=S.save
            ),
        ),
        testid="staff-dialog",
    )


def page() -> rx.Component:
    return app_shell(
        ROUTE,
        page_header(t("Maintenance staff"), t("People with the Maintenance staff role")),
        maintenance_subnav(ROUTE),
        rx.cond(
            S.rows.length() > 0,
            rx.grid(
                rx.foreach(S.rows, _person),
                columns=rx.breakpoints(initial="1", md="2", xl="3"),
                spacing="3",
                width="100%",
            ),
            empty_note(
                t("Nobody has the Maintenance staff role yet: give it in System -> Accounts.")
            ),
        ),
        _edit_dialog(),
    )
