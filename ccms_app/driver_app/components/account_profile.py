"""The account page's top: the driver's name, phone and e-mail (confirmed or not), editing
name and phone, the language, links and signing out."""

from __future__ import annotations

from typing import Any

import reflex as rx

from ccms_app.driver_app.components.history_list import MUTED, icon_link
from ccms_app.driver_app.state.account import DriverProfileState
from ccms_app.driver_app.state.auth import DriverAuthState
from ccms_app.ui.form_fields import field_label
from ccms_app.ui.i18n import Text, language_select, t
from ccms_app.ui.inputs import text_input


def field(label: Text, form: str, name: str, value: Any, error: Any, **props: Any) -> rx.Component:
    """A labelled input of a plain form, its error under it (read by screen readers)."""
    field_id = f"{form}-{name}"
    return rx.vstack(
        field_label(label, field_id),
        text_input(
            id=field_id,
            name=name,
            default_value=value,
            size="3",
            width="100%",
            aria_invalid=rx.cond(error, "true", "false"),
            aria_describedby=f"{field_id}-error",
            custom_attrs={"data-testid": field_id},
            **props,
        ),
        rx.cond(
            error,
            rx.text(
                error,
                id=f"{field_id}-error",
                size="1",
                color=rx.color("red", 11),
                role="alert",
                custom_attrs={"data-testid": f"{field_id}-error"},
            ),
        ),
        spacing="1",
        width="100%",
    )


def form_buttons(save: Text, testid: str, on_cancel: Any) -> rx.Component:
    """A form's submit and Cancel."""
    return rx.hstack(
        rx.button(save, type="submit", size="3", custom_attrs={"data-testid": testid}),
        rx.button(
            t("Cancel"),
            type="button",
            variant="soft",
            color_scheme="gray",
            size="3",
            on_click=on_cancel,
        ),
        spacing="2",
        wrap="wrap",
    )


def confirm_row(
    question: Text, confirm: Text, on_confirm: Any, on_keep: Any, testid: str
) -> rx.Component:
    """ "Are you sure?" under a row: the red confirm and "Keep it"."""
    return rx.vstack(
        rx.text(question, size="2"),
        rx.hstack(
            rx.button(
                confirm,
                color_scheme="red",
                size="2",
                on_click=on_confirm,
                custom_attrs={"data-testid": testid},
            ),
            rx.button(
                t("Keep it"), variant="soft", color_scheme="gray", size="2", on_click=on_keep
            ),
            spacing="2",
            wrap="wrap",
        ),
        spacing="2",
        width="100%",
    )


def _line(label: Text, value: Any, testid: str) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", color=MUTED),
        rx.text(value, size="3", word_break="break-word", custom_attrs={"data-testid": testid}),
        spacing="0",
        min_width="0",
    )


def _email() -> rx.Component:
    s = DriverProfileState
    return rx.vstack(
        rx.text(t("E-mail"), size="1", color=MUTED),
        rx.hstack(
            rx.text(s.email, size="3", word_break="break-all"),
            rx.cond(
                s.verified,
                rx.badge(t("Confirmed"), color_scheme="green", variant="soft"),
                rx.badge(t("Not confirmed yet"), color_scheme="amber", variant="soft"),
            ),
            spacing="2",
            wrap="wrap",
            align="center",
        ),
        spacing="0",
        min_width="0",
        custom_attrs={"data-testid": "account-email"},
    )


def _shown() -> rx.Component:
    s = DriverProfileState
    return rx.vstack(
        _line(t("Name"), s.name, "account-name"),
        _line(t("Phone"), rx.cond(s.phone != "", s.phone, "—"), "account-phone"),
        _email(),
        rx.button(
            rx.icon("pencil", size=14, aria_hidden="true"),
            t("Edit name and phone"),
            variant="soft",
            size="2",
            on_click=DriverProfileState.start_edit,
            custom_attrs={"data-testid": "account-edit"},
        ),
        spacing="3",
        width="100%",
    )


def _edit() -> rx.Component:
    s = DriverProfileState
    return rx.form(
        rx.vstack(
            field(t("Name"), "account", "name", s.name, s.errors.get("name", ""), required=True),
            field(
                t("Phone"),
                "account",
                "phone",
                s.phone,
                s.errors.get("phone", ""),
                type="tel",
                auto_complete="tel",
            ),
            _email(),
            form_buttons(t("Save"), "account-save", DriverProfileState.cancel_edit),
            spacing="3",
            width="100%",
        ),
        on_submit=DriverProfileState.save,
        key=s.form_key,
        width="100%",
    )


def profile_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(t("Your details"), size="3", as_="h2"),
            rx.cond(DriverProfileState.editing, _edit(), _shown()),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def settings_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(t("Language"), size="2", weight="medium"),
                rx.spacer(),
                language_select("app-account-language", on_change=DriverAuthState.choose_language),
                align="center",
                width="100%",
            ),
            icon_link(
                "calendar-clock",
                t("Your reservations"),
                "/app/reservations",
                "account-reservations",
            ),
            rx.button(
                rx.icon("log-out", size=16, aria_hidden="true"),
                t("Sign out"),
                variant="soft",
                color_scheme="gray",
                size="3",
                width="100%",
                on_click=DriverAuthState.sign_out,
                custom_attrs={"data-testid": "account-sign-out"},
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )
