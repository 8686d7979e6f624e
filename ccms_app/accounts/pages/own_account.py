"""The own account (/account): name, e-mail, role, organisation, and the password form.

Every login may open it, whatever its role: it is also where the gate sends a login whose
role may see nothing else, and where a login whose password an administrator chose is asked
to replace it. The form helpers here (uncontrolled inputs whose values travel only in the
submission, one error line per field) serve System's account dialogs too.

A handler receiving a form with a password names its argument `password_form`: the gate's
audit blanks every payload key that looks like a secret, and a form's fields travel as one
list of [name, value] pairs under that argument, so the whole submission is blanked.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from ccms_app.accounts.rules.passwords import MIN_PASSWORD_LENGTH
from ccms_app.accounts.rules.redirects import ACCOUNT_ROUTE
from ccms_app.accounts.state.own_account import OwnAccountState
from ccms_app.branding.components.brand import page_title
from ccms_app.ui.form_fields import form_input, form_message
from ccms_app.ui.i18n import Text, t, t_var, t_with
from ccms_app.ui.layout import app_shell
from ccms_app.ui.page_header import page_header

ROUTE = ACCOUNT_ROUTE
TITLE = page_title("Your account")
PASSWORD_HINT = t_with(
    "At least {count} characters and hard to guess: a few unrelated words, "
    "or a password manager's.",
    count=MIN_PASSWORD_LENGTH,
)


def _fact(label: Text, value: Any, testid: str) -> rx.Component:
    return rx.flex(
        rx.text(label, size="2", color=rx.color("gray", 11), min_width="110px"),
        rx.text(value, size="2", weight="medium", custom_attrs={"data-testid": testid}),
        gap="8px",
        wrap="wrap",
        width="100%",
    )


def _facts() -> rx.Component:
    s: Any = OwnAccountState  # Any: its str fields are Vars here (t_var)
    return rx.card(
        rx.vstack(
            _fact(t("Name"), rx.cond(s.full_name != "", s.full_name, "—"), "own-name"),
            _fact(t("E-mail"), s.email, "own-email"),
            _fact(t("Role"), t_var(s.role_name), "own-role"),
            _fact(t("Organisation"), s.organisation_name, "own-organisation"),
            _fact(t("Last login"), t_var(s.last_login), "own-last-login"),  # a time, or "never"
            spacing="2",
            width="100%",
        ),
        width="100%",
        max_width="560px",
    )


def _password_form() -> rx.Component:
    s, testid = OwnAccountState, "own-password"
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading(t("Change your password"), size="4"),
                form_input(
                    s,
                    "current_password",
                    t("Current password"),
                    testid,
                    type_="password",
                    auto_complete="current-password",
                ),
                form_input(
                    s,
                    "new_password",
                    t("New password"),
                    testid,
                    type_="password",
                    hint=PASSWORD_HINT,
                    auto_complete="new-password",
                ),
                form_input(
                    s,
                    "new_password_again",
                    t("New password again"),
                    testid,
                    type_="password",
                    auto_complete="new-password",
                ),
                form_message(s, testid),
                rx.text(
                    t("Your other browsers and devices are logged out when it changes."),
                    size="1",
                    color=rx.color("gray", 11),
                ),
                rx.button(
                    t("Change password"),
                    type="submit",
                    loading=s.busy,
                    custom_attrs={"data-testid": f"{testid}-submit"},
                ),
                spacing="3",
                width="100%",
            ),
            on_submit=s.change_password,
            reset_on_submit=True,
            width="100%",
        ),
        width="100%",
        max_width="560px",
    )


def page() -> rx.Component:
    s = OwnAccountState
    return app_shell(
        ROUTE,
        page_header(t("Your account"), t("Who you are signed in as, and your password.")),
        rx.cond(
            s.must_change_password,
            rx.callout(
                t("Your password was set by an administrator. Choose your own now."),
                icon="key-round",
                color_scheme="amber",
                width="100%",
                max_width="560px",
                custom_attrs={"data-testid": "own-must-change"},
            ),
        ),
        rx.cond(
            s.loaded,
            rx.vstack(_facts(), _password_form(), spacing="4", width="100%"),
            rx.center(rx.spinner(size="3"), padding="48px", width="100%"),
        ),
    )
