"""Sign in, sign up, forgotten password and reset: plain forms posted to /app/auth/*.

The session token goes straight from the route's answer into an HttpOnly cookie, never
through Reflex's state; the routes send errors back here as codes (DriverAuthState words
them).
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from ccms_app.branding.components.brand import page_title
from ccms_app.driver_app.components.shell import public_page
from ccms_app.driver_app.rules.paths import FORGOT, RESET, SIGN_IN, SIGN_UP
from ccms_app.driver_app.state.auth import DriverAuthState
from ccms_app.ui.form_fields import field_label
from ccms_app.ui.i18n import Text, language_select, t
from ccms_app.ui.inputs import text_input

_SUBMIT = "document.getElementById('{form}').submit();"


def _field(label: Text, name: str, kind: str, autocomplete: str, **props: Any) -> rx.Component:
    return rx.vstack(
        field_label(label, f"app-{name}"),
        text_input(
            id=f"app-{name}",
            name=name,
            type=kind,
            auto_complete=autocomplete,
            required=True,
            size="3",
            width="100%",
            **props,
        ),
        spacing="1",
        width="100%",
    )


def _messages() -> rx.Component:
    return rx.fragment(
        rx.cond(
            DriverAuthState.form_error != "",
            rx.callout(
                DriverAuthState.form_error,
                icon="triangle-alert",
                color_scheme="red",
                size="1",
                width="100%",
                role="alert",
                custom_attrs={"data-testid": "app-form-error"},
            ),
        ),
        rx.cond(
            DriverAuthState.form_notice != "",
            rx.callout(
                DriverAuthState.form_notice,
                icon="info",
                size="1",
                width="100%",
                role="status",
                custom_attrs={"data-testid": "app-form-notice"},
            ),
        ),
    )


def _form(form_id: str, action: str, *fields: rx.Component, submit: Text) -> rx.Component:
    """A native form: Reflex's handler prevents the browser's submit, so hand it back."""
    return rx.el.form(
        rx.vstack(
            *fields,
            _messages(),
            rx.button(
                submit,
                type="submit",
                size="3",
                width="100%",
                custom_attrs={"data-testid": f"{form_id}-submit"},
            ),
            spacing="3",
            width="100%",
        ),
        on_submit=rx.call_script(_SUBMIT.format(form=form_id)),
        id=form_id,
        action=action,
        method="post",
        width="100%",
    )


def _heading(text: Text) -> rx.Component:
    return rx.hstack(
        rx.heading(text, size="5", as_="h1"),
        rx.spacer(),
        language_select("app-language"),
        align="center",
        width="100%",
    )


def sign_in_page() -> rx.Component:
    return public_page(
        _heading(t("Sign in")),
        _form(
            "app-sign-in",
            "/app/auth/login",
            rx.el.input(type="hidden", name="next", value=DriverAuthState.form_next),
            _field(t("Email"), "email", "email", "username"),
            _field(t("Password"), "password", "password", "current-password"),
            submit=t("Sign in"),
        ),
        rx.hstack(
            rx.link(t("Create an account"), href=SIGN_UP, data_testid="app-to-sign-up"),
            rx.spacer(),
            rx.link(t("Forgot your password?"), href=FORGOT),
            width="100%",
            wrap="wrap",
            spacing="2",
        ),
    )


def sign_up_page() -> rx.Component:
    return public_page(
        _heading(t("Create your account")),
        rx.text(
            t("Charge at our stations, pay from your wallet or card, and see every session."),
            size="2",
            color=rx.color("gray", 11),
        ),
        _form(
            "app-sign-up",
            "/app/auth/signup",
            _field(t("Name"), "name", "text", "name", default_value=DriverAuthState.form_name),
            _field(t("Email"), "email", "email", "email", default_value=DriverAuthState.form_email),
            _field(t("Password"), "password", "password", "new-password", min_length=12),
            rx.text(
                t("At least 12 characters; a few unrelated words work well."),
                size="1",
                color=rx.color("gray", 11),
            ),
            submit=t("Create account"),
        ),
        rx.link(t("I have an account: sign in"), href=SIGN_IN),
    )


def forgot_page() -> rx.Component:
    return public_page(
        _heading(t("Forgot your password?")),
        rx.text(
            t("Enter your e-mail address: we send you a link to choose a new password."),
            size="2",
            color=rx.color("gray", 11),
        ),
        _form(
            "app-forgot",
            "/app/auth/forgot",
            _field(t("Email"), "email", "email", "username"),
            submit=t("Send the link"),
        ),
        rx.link(t("Back to sign in"), href=SIGN_IN),
    )


def reset_page() -> rx.Component:
    return public_page(
        _heading(t("Choose a new password")),
        _form(
            "app-reset",
            "/app/auth/reset",
            rx.el.input(type="hidden", name="token", value=DriverAuthState.reset_token),
            _field(t("New password"), "password", "password", "new-password", min_length=12),
            submit=t("Set the password"),
        ),
        rx.link(t("Back to sign in"), href=SIGN_IN),
    )


PAGES = [
    (sign_in_page, SIGN_IN, page_title("Sign in"), [DriverAuthState.show_sign_in]),
    (sign_up_page, SIGN_UP, page_title("Create your account"), [DriverAuthState.show_sign_up]),
    (
        forgot_page,
        FORGOT,
        page_title("Forgot your password?"),
        [DriverAuthState.show_password_page],
    ),
    (reset_page, RESET, page_title("Choose a new password"), [DriverAuthState.show_password_page]),
]
