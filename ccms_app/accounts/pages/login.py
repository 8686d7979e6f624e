"""Email + password login."""

from __future__ import annotations

import reflex as rx

from ccms_app.accounts.state import AuthState
from ccms_app.branding.components.brand import (
    accent_band,
    brand_mark,
    brand_style,
    login_text,
    page_title,
)
from ccms_app.ui.form_fields import field_label
from ccms_app.ui.i18n import language_select, t
from ccms_app.ui.inputs import text_input

ROUTE = "/login"
TITLE = page_title("Log in")
_SUBMIT_SCRIPT = (
    "const form = document.getElementById('login-form');"
    "const next = new URLSearchParams(window.location.search).get('next');"
    "if (next && !form.elements['next'].value) { form.elements['next'].value = next; }"
    "form.submit();"
)


def login_form() -> rx.Component:
    """A plain form posted to /auth/login: the session token goes straight from that
    response into an HttpOnly cookie and never through Reflex's state."""
    return rx.el.form(
        rx.el.input(type="hidden", name="next", value=AuthState.login_next),
        rx.vstack(
            rx.vstack(
                field_label(t("Email"), "email"),
                text_input(
                    id="email",
                    name="email",
                    type="email",
                    placeholder=t("operator@example.com"),
                    auto_complete="username",
                    required=True,
                    size="3",
                    width="100%",
                ),
                spacing="1",
                width="100%",
            ),
            rx.vstack(
                field_label(t("Password"), "password"),
                text_input(
                    id="password",
                    name="password",
                    type="password",
                    auto_complete="current-password",
                    required=True,
                    size="3",
                    width="100%",
                ),
                spacing="1",
                width="100%",
            ),
            rx.cond(
                AuthState.login_error != "",
                rx.callout(
                    AuthState.login_error,
                    icon="triangle-alert",
                    color_scheme="red",
                    size="1",
                    width="100%",
                    custom_attrs={"data-testid": "login-error"},
                ),
            ),
            rx.button(
                t("Log in"),
                type="submit",
                size="3",
                width="100%",
                custom_attrs={"data-testid": "login-submit"},
            ),
            spacing="4",
            width="100%",
        ),
        # Reflex's form handler always prevents the native submit; hand it back to the
        # browser (HTMLFormElement.submit() fires no submit event, so no loop). `next` is
        # read from the address bar here, not only from the state: a login typed before
        # the state arrived still lands where it was going.
        on_submit=rx.call_script(_SUBMIT_SCRIPT),
        id="login-form",
        action="/auth/login",
        method="post",
        width="100%",
    )


def login_page() -> rx.Component:
    return rx.center(
        brand_style(),
        rx.card(
            rx.vstack(
                accent_band(),
                rx.hstack(
                    brand_mark(),
                    rx.spacer(),
                    language_select(),
                    align="center",
                    width="100%",
                ),
                rx.heading(t("Log in to the operator console"), size="5"),
                login_text(),
                login_form(),
                spacing="5",
                width="100%",
            ),
            size="4",
            width="100%",
            max_width="400px",
        ),
        min_height="100vh",
        padding="16px",
        background=rx.color("gray", 2),
    )
