"""System > API keys (/system/api-keys): the keys integrations use for the REST API.

A key acts with one role inside one organisation's scope, like a login without a password
prompt. The list shows which keys exist, who made them and when each was last used (times in
UTC); "New API key" shows the key once, in a dialog that cannot be dismissed by a stray
click, with a copy button; revoking asks first. The buttons are shown to roles holding
api_keys:edit, and the server refuses the rest anyway.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from ccms_app.accounts.state import AuthState
from ccms_app.branding.components.brand import page_title
from ccms_app.system.components.section_links import section_links
from ccms_app.system.state.api_keys import (
    COPY_SCRIPT,
    REVEALED_KEY_ELEMENT,
    ApiKeyActionsState,
    ApiKeyFormState,
    ApiKeyListState,
)
from ccms_app.ui.data_list import Column, Filter, RowVar, data_list
from ccms_app.ui.dialogs import (
    DIALOG_WIDTH,
    choice_select,
    dialog,
    dialog_buttons,
    labelled,
)
from ccms_app.ui.form_fields import form_input, form_message
from ccms_app.ui.i18n import t, t_var, t_with
from ccms_app.ui.layout import app_shell
from ccms_app.ui.page_header import page_header
from ccms_app.ui.permissions import allowed, when_allowed

ROUTE = "/system/api-keys"
TITLE = page_title("API keys · System")
NAV_ROUTE = "/system"
NAME_HINT = t("Who or what uses it, e.g. ERP export. Shown in the list and the audit log.")


def _tid(value: Any) -> dict[str, Any]:
    return {"data-testid": value}


def _muted(*text: Any) -> rx.Component:
    return rx.text(*text, size="1", color=rx.color("gray", 11))


# --- create ----------------------------------------------------------------------------------


def create_dialog() -> rx.Component:
    s, testid = ApiKeyFormState, "api-key-form"
    return dialog(
        s.is_open,
        s.set_is_open,
        t("New API key"),
        rx.form(
            rx.vstack(
                form_input(s, "name", t("Name"), testid, hint=NAME_HINT),
                labelled(
                    t("Organisation (whose data the key sees)"),
                    choice_select(
                        s.organisation_id,
                        s.organisation_choices,
                        s.set_organisation,
                        t("Choose an organisation"),
                        f"{testid}-organisation",
                    ),
                ),
                labelled(
                    t("Role (what the key may do)"),
                    choice_select(
                        s.role_id, s.role_choices, s.set_role, t("Choose a role"), f"{testid}-role"
                    ),
                ),
                form_message(s, testid),
                dialog_buttons(
                    s.set_is_open(False),
                    t("Create key"),
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


def revealed_dialog() -> rx.Component:
    """The key, once. An alert dialog: a click outside does not close it, only "Done" (or
    Escape) does, and closing it takes the key out of the page for good."""
    s: Any = ApiKeyFormState  # Any: its str fields are Vars here (t_var)
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(t_with("API key {name} created", name=s.revealed_name), size="4"),
            rx.vstack(
                rx.callout(
                    t(
                        "Copy the key now: it will not be shown again. CCMS keeps only a hash of "
                        "it; if it is lost, revoke it and make a new one."
                    ),
                    icon="triangle-alert",
                    color_scheme="amber",
                    size="1",
                    width="100%",
                ),
                rx.hstack(
                    rx.code(
                        id=REVEALED_KEY_ELEMENT,
                        size="3",
                        word_break="break-all",
                        user_select="all",
                        min_height="1.5em",
                        flex="1",
                        custom_attrs=_tid("api-key-revealed"),
                    ),
                    rx.icon_button(
                        rx.icon("copy", size=14),
                        variant="soft",
                        on_click=rx.call_script(COPY_SCRIPT, callback=ApiKeyFormState.copied),
                        aria_label=t("Copy the key"),
                        custom_attrs=_tid("api-key-copy"),
                    ),
                    align="center",
                    width="100%",
                ),
                _muted(
                    t_with(
                        "It acts as {role} in {organisation}. Send it with every request as: "
                        "Authorization: Bearer <key>",
                        role=t_var(s.revealed_role),
                        organisation=s.revealed_organisation,
                    )
                ),
                rx.flex(
                    rx.alert_dialog.action(
                        rx.button(t("Done"), custom_attrs=_tid("api-key-revealed-done")),
                    ),
                    justify="end",
                    width="100%",
                ),
                spacing="3",
                width="100%",
            ),
            max_width="560px",
            width=DIALOG_WIDTH,
            padding=["16px", "24px"],
        ),
        open=s.revealed_name != "",
        on_open_change=s.set_revealed_open,
    )


# --- revoke ----------------------------------------------------------------------------------


def revoke_dialog() -> rx.Component:
    s = ApiKeyActionsState
    return dialog(
        s.target_id != 0,
        s.set_confirm_open,
        t_with("Revoke the API key {name}?", name=s.target_label),
        rx.vstack(
            rx.text(
                t(
                    "Its next request is refused, and it cannot be turned back on: an integration "
                    "using it needs a new key. It stays listed as revoked."
                ),
                size="2",
            ),
            form_message(s, "api-key-revoke"),
            dialog_buttons(
                s.set_confirm_open(False),
                t("Revoke"),
                s.busy,
                "api-key-revoke-submit",
                cancel_label=t("Cancel"),
                type="button",
                color_scheme="red",
                on_click=s.revoke,
            ),
            spacing="3",
            width="100%",
        ),
    )


def _revoke_button(row: RowVar) -> rx.Component:
    pk = row["id"].to(str)
    return when_allowed(
        ApiKeyActionsState.revoke,
        rx.cond(
            row["revoked_at"] == "",
            rx.button(
                t("Revoke…"),
                size="1",
                variant="soft",
                color_scheme="red",
                on_click=ApiKeyActionsState.ask_revoke(row["id"], row["name"]),
                custom_attrs=_tid("api-keys-revoke-" + pk),
            ),
        ),
    )


# --- the list --------------------------------------------------------------------------------


def _last_used(row: RowVar) -> rx.Component:
    return rx.vstack(
        rx.text(t_var(row["last_used_at"]), size="2"),  # a time, or "never"
        rx.cond(
            row["last_used_address"] != "",
            _muted(t_with("from {address}", address=row["last_used_address"])),
        ),
        spacing="0",
    )


def _status(row: RowVar) -> rx.Component:
    return rx.cond(
        row["revoked_at"] == "",
        rx.badge(t("active"), color_scheme="green", variant="soft"),
        rx.vstack(
            rx.badge(t("revoked"), color_scheme="gray", variant="soft"),
            _muted(row["revoked_at"]),
            spacing="1",
        ),
    )


def _role(row: RowVar) -> rx.Component:
    """A built-in role's name in the tab's language (a custom role's as it was named)."""
    return rx.text(t_var(row["role"]), size="2")


def page() -> rx.Component:
    s = ApiKeyListState
    return app_shell(
        NAV_ROUTE,
        page_header(
            t("API keys"),
            t("Keys for the REST API (/api/v1): each acts with one role in one organisation."),
        ),
        section_links(ROUTE),
        data_list(
            s,
            columns=[
                Column("name", t("Name")),
                Column("prefix", t("Key starts with")),
                Column("organisation", t("Organisation")),
                Column("role", t("Role"), render=_role),
                Column("created_by", t("Created by")),
                Column("created_at", t("Created")),
                Column("last_used_at", t("Last used"), render=_last_used),
                Column("revoked_at", t("Status"), render=_status),
            ],
            filters=[
                Filter("organisation_id", t("Organisation"), s.filter_options["organisation_id"]),
                Filter("role", t("Role"), s.filter_options["role"]),
            ],
            testid="api-keys",
            empty_text=t("No API keys yet."),
            search_placeholder=t("Search name, key start or creator…"),
            toolbar=[
                when_allowed(
                    ApiKeyFormState.create,
                    rx.button(
                        rx.icon("key-round", size=14),
                        t("New API key"),
                        on_click=ApiKeyFormState.open_new,
                        custom_attrs=_tid("api-keys-new"),
                    ),
                )
            ],
            actions=_revoke_button,
        ),
        rx.cond(
            ~allowed(ApiKeyFormState.create),
            _muted(t("Your role may look at API keys but not make or revoke them.")),
        ),
        create_dialog(),
        revealed_dialog(),
        revoke_dialog(),
    )


PAGES: list[tuple[Any, str, Any, list[Any]]] = [
    (page, ROUTE, TITLE, [AuthState.require_login, ApiKeyListState.load]),
]
