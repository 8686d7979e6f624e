"""System > Accounts (/system/accounts): who logs in, with which role, in which organisation;
create an account, deactivate or reactivate it, reset its password, change its role.
Also registers the own account page (/account), which every login may open.

The list is server-side (search; filters by role, organisation, active); the buttons are
shown to roles holding system:edit, and the server refuses the rest anyway.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from ccms_app.accounts.pages import own_account as account_page
from ccms_app.accounts.pages.own_account import PASSWORD_HINT
from ccms_app.accounts.rules.passwords import MIN_PASSWORD_LENGTH
from ccms_app.accounts.state import AuthState
from ccms_app.accounts.state.own_account import OwnAccountState
from ccms_app.branding.components.brand import page_title
from ccms_app.system.components.section_links import section_links
from ccms_app.system.state.accounts import AccountActionsState, AccountFormState, AccountListState
from ccms_app.ui.data_list import Column, Filter, RowVar, data_list
from ccms_app.ui.dialogs import choice_select, dialog, dialog_buttons, labelled
from ccms_app.ui.form_fields import field_error, form_input, form_message
from ccms_app.ui.i18n import t, t_var, t_with
from ccms_app.ui.layout import app_shell
from ccms_app.ui.page_header import page_header
from ccms_app.ui.permissions import allowed, when_allowed

ROUTE = "/system/accounts"
TITLE = page_title("Accounts · System")
NAV_ROUTE = "/system"
ACTIVE_FILTER = (("true", t("Active")), ("false", t("Deactivated")))


def _tid(value: Any) -> dict[str, Any]:
    return {"data-testid": value}


# --- create ----------------------------------------------------------------------------------


def create_dialog() -> rx.Component:
    s, testid = AccountFormState, "account-form"
    return dialog(
        s.is_open,
        s.set_is_open,
        t("New account"),
        rx.form(
            rx.vstack(
                form_input(s, "full_name", t("Name"), testid),
                form_input(s, "email", t("E-mail"), testid, type_="email"),
                labelled(
                    t("Organisation"),
                    choice_select(
                        s.organisation_id,
                        s.organisation_choices,
                        s.set_organisation,
                        t("Choose an organisation"),
                        f"{testid}-organisation",
                    ),
                ),
                labelled(
                    t("Role"),
                    choice_select(
                        s.role_id, s.role_choices, s.set_role, t("Choose a role"), f"{testid}-role"
                    ),
                ),
                form_input(
                    s,
                    "password",
                    t("Initial password"),
                    testid,
                    type_="password",
                    hint=t_with(
                        "At least {count} characters and hard to guess: a few unrelated words, "
                        "or a password manager's. Pass it on yourself: it must be changed at "
                        "first login.",
                        count=MIN_PASSWORD_LENGTH,
                    ),
                    auto_complete="new-password",
                ),
                form_message(s, testid),
                dialog_buttons(
                    s.set_is_open(False),
                    t("Create account"),
                    s.busy,
                    f"{testid}-submit",
                    cancel_label=t("Cancel"),
                    type="submit",
                ),
                spacing="3",
                width="100%",
            ),
            on_submit=s.create,
            width="100%",
        ),
    )


# --- actions ---------------------------------------------------------------------------------


def _deactivate_dialog() -> rx.Component:
    s = AccountActionsState
    return dialog(
        s.dialog == "deactivate",
        s.set_dialog_open,
        t_with("Deactivate {account}?", account=s.target_label),
        rx.vstack(
            rx.text(
                t(
                    "The account can no longer log in, and every open session of it ends at its "
                    "next click. You can reactivate it later."
                ),
                size="2",
            ),
            form_message(s, "account-deactivate"),
            dialog_buttons(
                s.set_dialog_open(False),
                t("Deactivate"),
                s.busy,
                "account-deactivate-submit",
                cancel_label=t("Cancel"),
                type="button",
                color_scheme="red",
                on_click=s.deactivate,
            ),
            spacing="3",
            width="100%",
        ),
    )


def _reset_dialog() -> rx.Component:
    s, testid = AccountActionsState, "account-reset"
    return dialog(
        s.dialog == "reset",
        s.set_dialog_open,
        t_with("Reset the password of {account}", account=s.target_label),
        rx.form(
            rx.vstack(
                rx.text(
                    t(
                        "Choose a new password and pass it on: it must be changed at the next "
                        "login. Every open session of the account ends now."
                    ),
                    size="2",
                ),
                form_input(
                    s,
                    "password",
                    t("New password"),
                    testid,
                    type_="password",
                    hint=PASSWORD_HINT,
                    auto_complete="new-password",
                ),
                form_message(s, testid),
                dialog_buttons(
                    s.set_dialog_open(False),
                    t("Reset password"),
                    s.busy,
                    f"{testid}-submit",
                    cancel_label=t("Cancel"),
                    type="submit",
                ),
                spacing="3",
                width="100%",
            ),
            on_submit=s.reset_password,
            width="100%",
        ),
    )


def _role_dialog() -> rx.Component:
    s, testid = AccountActionsState, "account-role"
    return dialog(
        s.dialog == "role",
        s.set_dialog_open,
        t_with("Role of {account}", account=s.target_label),
        rx.vstack(
            rx.text(t("The new role counts from the account's next click."), size="2"),
            choice_select(
                s.role_id, s.role_choices, s.set_role, t("Choose a role"), f"{testid}-role"
            ),
            field_error(s, "role", testid),
            form_message(s, testid),
            dialog_buttons(
                s.set_dialog_open(False),
                t("Change role"),
                s.busy,
                f"{testid}-submit",
                cancel_label=t("Cancel"),
                type="button",
                on_click=s.change_role,
            ),
            spacing="3",
            width="100%",
        ),
    )


def _row_actions(row: RowVar) -> rx.Component:
    """One menu per row: three buttons side by side overflow the table on a laptop."""
    s = AccountActionsState
    label = row["email"]
    pk = row["id"].to(str)
    return when_allowed(
        s.deactivate,
        rx.menu.root(
            rx.menu.trigger(
                rx.button(
                    t("Actions"),
                    rx.icon("chevron-down", size=14),
                    size="1",
                    variant="soft",
                    color_scheme="gray",
                    custom_attrs=_tid("accounts-actions-" + pk),
                )
            ),
            rx.menu.content(
                rx.cond(
                    row["active"] == "yes",
                    rx.menu.item(
                        t("Deactivate…"),
                        color="orange",
                        on_click=s.ask_deactivate(row["id"], label),
                        custom_attrs=_tid("accounts-deactivate-" + pk),
                    ),
                    rx.menu.item(
                        t("Reactivate"),
                        on_click=s.reactivate(row["id"]),
                        custom_attrs=_tid("accounts-reactivate-" + pk),
                    ),
                ),
                rx.menu.item(
                    t("Reset password…"),
                    on_click=s.open_reset(row["id"], label),
                    custom_attrs=_tid("accounts-reset-" + pk),
                ),
                rx.menu.item(
                    t("Change role…"),
                    on_click=s.open_role(row["id"], label, row["role_id"]),
                    custom_attrs=_tid("accounts-role-" + pk),
                ),
            ),
        ),
    )


def _active_badge(row: RowVar) -> rx.Component:
    return rx.hstack(
        rx.cond(
            row["active"] == "yes",
            rx.badge(t("active"), color_scheme="green", variant="soft"),
            rx.badge(t("deactivated"), color_scheme="gray", variant="soft"),
        ),
        rx.cond(
            row["must_change_password"] == "yes",
            rx.badge(t("new password due"), color_scheme="amber", variant="soft"),
        ),
        spacing="1",
        wrap="wrap",
    )


def _role(row: RowVar) -> rx.Component:
    """A built-in role's name in the tab's language (a custom role's as it was named)."""
    return rx.text(t_var(row["role"]), size="2")


def _last_login(row: RowVar) -> rx.Component:
    return rx.text(t_var(row["last_login"]), size="2")  # a time, or "never"


def page() -> rx.Component:
    s = AccountListState
    return app_shell(
        NAV_ROUTE,
        page_header(t("Accounts"), t("Who logs in to CCMS, with which role and organisation.")),
        section_links(ROUTE),
        data_list(
            s,
            columns=[
                Column("email", t("E-mail")),
                Column("name", t("Name")),
                Column("role", t("Role"), render=_role),
                Column("organisation", t("Organisation")),
                Column("active", t("Status"), render=_active_badge),
                Column("last_login", t("Last login"), render=_last_login),
            ],
            filters=[
                Filter("role_id", t("Role"), s.filter_options["role_id"]),
                Filter("organisation_id", t("Organisation"), s.filter_options["organisation_id"]),
                Filter("active", t("Status"), ACTIVE_FILTER),
            ],
            testid="accounts",
            empty_text=t("No accounts yet."),
            search_placeholder=t("Search name or e-mail…"),
            toolbar=[
                when_allowed(
                    AccountFormState.create,
                    rx.button(
                        rx.icon("user-plus", size=14),
                        t("New account"),
                        on_click=AccountFormState.open_new,
                        custom_attrs=_tid("accounts-new"),
                    ),
                )
            ],
            actions=_row_actions,
        ),
        rx.cond(
            ~allowed(AccountFormState.create),
            rx.text(
                t("Your role may look at accounts but not change them."),
                size="1",
                color=rx.color("gray", 11),
            ),
        ),
        create_dialog(),
        _deactivate_dialog(),
        _reset_dialog(),
        _role_dialog(),
    )


PAGES: list[tuple[Any, str, Any, list[Any]]] = [
    (page, ROUTE, TITLE, [AuthState.require_login, AccountListState.load]),
    (
        account_page.page,
        account_page.ROUTE,
        account_page.TITLE,
        [AuthState.require_login, OwnAccountState.load],
    ),
]
