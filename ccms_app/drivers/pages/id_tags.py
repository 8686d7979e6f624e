"""RFID cards (/users/id-tags): search by tag, filter by status, owner and what Authorize
answers; block and unblock right in the list; issue and edit cards."""

from __future__ import annotations

import reflex as rx

from ccms_app.accounts.state import AuthState
from ccms_app.branding.components.brand import page_title
from ccms_app.drivers.components.forms import id_tag_form
from ccms_app.drivers.components.widgets import (
    AUTHORIZATION_NAMES,
    authorization_badge,
    card_actions,
    card_delete_dialog,
    choices,
    date_or_never,
    users_subnav,
)
from ccms_app.drivers.state.forms import IdTagFormState
from ccms_app.drivers.state.lists import IdTagListState
from ccms_app.ui.data_list import Column, Filter, RowVar, data_list
from ccms_app.ui.i18n import t
from ccms_app.ui.layout import app_shell
from ccms_app.ui.page_header import page_header
from ccms_app.ui.permissions import when_allowed

ROUTE = "/users/id-tags"
TITLE = page_title("RFID cards")
NAV_ROUTE = "/users"

FILTERS = (
    Filter("status", t("Status"), (("active", t("Active")), ("blocked", t("Blocked")))),
    Filter(
        "owner_kind",
        t("Owner"),
        (("driver", t("A driver")), ("group", t("A group")), ("none", t("Nobody"))),
    ),
    Filter(
        "authorization",
        t("Authorize"),
        choices(AUTHORIZATION_NAMES, "Accepted", "Blocked", "Expired"),
    ),
)


def _owner(row: RowVar) -> rx.Component:
    return rx.cond(
        row["owner_href"] != "",
        rx.link(row["owner"], href=row["owner_href"], size="2"),
        rx.text("—", size="2", color=rx.color("gray", 10)),
    )


def _actions(row: RowVar) -> rx.Component:
    """Block / unblock / delete and edit: for roles with users:edit."""
    return when_allowed(IdTagFormState.submit, _buttons(row))


def _buttons(row: RowVar) -> rx.Component:
    return rx.hstack(
        card_actions(row["id"], row["id_tag"], row["blocked"] != "", "cards"),
        rx.button(
            t("Edit"),
            size="1",
            variant="soft",
            color_scheme="gray",
            on_click=IdTagFormState.open_edit(row["id"]),
            custom_attrs={"data-testid": "cards-edit-" + row["id_tag"].to(str)},
        ),
        spacing="2",
        align="center",
    )


def page() -> rx.Component:
    return app_shell(
        NAV_ROUTE,
        page_header(
            t("RFID cards"),
            t("Id tags charge points send in Authorize; blocking works from the next one."),
        ),
        users_subnav(ROUTE),
        data_list(
            IdTagListState,
            columns=[
                Column("id_tag", t("Id tag"), render=lambda row: rx.code(row["id_tag"], size="2")),
                Column(
                    "authorization",
                    t("Authorize"),
                    render=lambda row: authorization_badge(row["authorization"]),
                ),
                Column("owner", t("Owner"), render=_owner),
                Column(
                    "expiry_date",
                    t("Valid until"),
                    render=lambda row: rx.text(date_or_never(row["expiry_date"]), size="2"),
                ),
                Column("parent_id_tag", t("Parent"), on_phone=False),
                Column("description", t("Description"), on_phone=False),
            ],
            filters=FILTERS,
            testid="cards",
            empty_text=t("No RFID cards yet. Issue the first one."),
            search_placeholder=t("Search id tag, owner, description…"),
            toolbar=[
                when_allowed(
                    IdTagFormState.submit,
                    rx.button(
                        rx.icon("credit-card", size=14),
                        t("Issue card"),
                        on_click=IdTagFormState.open_new({}),
                        custom_attrs={"data-testid": "cards-new"},
                    ),
                )
            ],
            actions=_actions,
        ),
        id_tag_form(),
        card_delete_dialog(),
    )


PAGES = ((page, ROUTE, TITLE, [AuthState.require_login, IdTagListState.load]),)
