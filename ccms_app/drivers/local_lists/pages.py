"""Local authorization lists: the lists (/users/local-lists) and one list
(/users/local-lists/[list_id]) with its id tags, its charge points and their sync state, and
Sync now. Which charge points are out of date network-wide stays on the Users page."""

from __future__ import annotations

import reflex as rx

from ccms_app.accounts.state import AuthState
from ccms_app.branding.components.brand import page_title
from ccms_app.drivers.components.widgets import back_link, users_subnav
from ccms_app.drivers.local_lists.components.pickers import MUTED, add_id_tags_dialog, assign_dialog
from ccms_app.drivers.local_lists.components.sections import (
    charge_points_section,
    delete_dialog,
    entries_section,
    list_form,
    sync_panel,
)
from ccms_app.drivers.local_lists.state.detail import LocalListDetailState
from ccms_app.drivers.local_lists.state.form import LocalListFormState
from ccms_app.drivers.local_lists.state.lists import ROUTE, LocalListDeleteState, LocalListsState
from ccms_app.ui.data_list import Column, Filter, RowVar, data_list
from ccms_app.ui.i18n import Text, t, t_with
from ccms_app.ui.layout import app_shell
from ccms_app.ui.page_header import page_header
from ccms_app.ui.permissions import when_allowed

TITLE = page_title("Local lists")
DETAIL_ROUTE = ROUTE + "/[list_id]"
DETAIL_TITLE = page_title("Local list")
NAV_ROUTE = "/users"


def _stale(row: RowVar) -> rx.Component:
    return rx.cond(
        row["stale"] != "",
        rx.badge(
            t_with("{count} out of date", count=row["out_of_date"]),
            color_scheme="amber",
            variant="soft",
            custom_attrs={"data-testid": "local-lists-stale-" + row["id"].to(str)},
        ),
        rx.text(t("none"), size="2", color=rx.color("gray", 10)),
    )


def _row_actions(row: RowVar) -> rx.Component:
    """Rename and delete: for roles with users:edit."""
    return when_allowed(LocalListFormState.submit, _row_buttons(row))


def _row_buttons(row: RowVar) -> rx.Component:
    return rx.hstack(
        rx.button(
            t("Rename"),
            size="1",
            variant="soft",
            color_scheme="gray",
            on_click=LocalListFormState.open_edit(row["id"]),
        ),
        rx.icon_button(
            rx.icon("trash-2", size=14),
            size="1",
            variant="ghost",
            color_scheme="gray",
            aria_label=t("Delete list"),
            on_click=LocalListDeleteState.ask_delete(row["id"], row["name"]),
            custom_attrs={"data-testid": "local-lists-delete-" + row["id"].to(str)},
        ),
        spacing="2",
        align="center",
    )


def page() -> rx.Component:
    return app_shell(
        NAV_ROUTE,
        page_header(
            t("Local authorization lists"),
            t("Which id tags the charge points keep, so drivers can charge when they are offline."),
        ),
        users_subnav(ROUTE),
        data_list(
            LocalListsState,
            columns=[
                Column("name", t("Name"), href=lambda row: ROUTE + "/" + row["id"].to(str)),
                Column("description", t("Description"), on_phone=False),
                Column("id_tags", t("Id tags")),
                Column("charge_points", t("Charge points")),
                Column("out_of_date", t("Out of date"), render=_stale),
                Column("organisation", t("Owner"), on_phone=False),
            ],
            testid="local-lists",
            empty_text=t("No local lists yet."),
            search_placeholder=t("Search name, description, owner…"),
            filters=[
                Filter("organisation", t("Owner"), LocalListsState.filter_options["organisation"])
            ],
            toolbar=[
                when_allowed(
                    LocalListFormState.submit,
                    rx.button(
                        rx.icon("plus", size=14),
                        t("New list"),
                        on_click=LocalListFormState.open_new({}),
                        custom_attrs={"data-testid": "local-lists-new"},
                    ),
                )
            ],
            actions=_row_actions,
        ),
        list_form(),
        delete_dialog(),
    )


# --- one list ---------------------------------------------------------------------------------


def _count(label: Text, value: rx.Var[int] | int, testid: str) -> rx.Component:
    return rx.vstack(
        rx.text(label, **MUTED),
        rx.text(value, size="5", weight="bold", custom_attrs={"data-testid": testid}),
        spacing="0",
    )


def _summary() -> rx.Component:
    s = LocalListDetailState
    return rx.card(
        rx.flex(
            _count(t("Id tags"), s.id_tag_count, "list-tag-count"),
            _count(t("Charge points"), s.charge_point_count, "list-cp-count"),
            _count(t("Out of date"), s.out_of_date_count, "list-stale-count"),
            rx.spacer(),
            when_allowed(
                s.sync_now,
                rx.button(
                    rx.icon("refresh-cw", size=14),
                    t("Sync now"),
                    on_click=s.sync_now,
                    loading=s.syncing,
                    disabled=s.charge_point_count == 0,
                    custom_attrs={"data-testid": "list-sync-now"},
                ),
            ),
            gap="24px",
            align="center",
            wrap="wrap",
            width="100%",
        ),
        width="100%",
    )


def _header() -> rx.Component:
    s = LocalListDetailState
    return page_header(
        s.name,
        "",
        when_allowed(LocalListFormState.submit, _header_buttons()),
    )


def _header_buttons() -> rx.Component:
    s = LocalListDetailState
    return rx.hstack(
        rx.button(
            t("Rename"),
            variant="soft",
            color_scheme="gray",
            on_click=LocalListFormState.open_edit(s.list_id),
            custom_attrs={"data-testid": "list-rename"},
        ),
        rx.icon_button(
            rx.icon("trash-2", size=16),
            variant="soft",
            color_scheme="red",
            aria_label=t("Delete list"),
            on_click=LocalListDeleteState.ask_delete(s.list_id, s.name),
            custom_attrs={"data-testid": "list-delete"},
        ),
        spacing="2",
    )


def _detail_body() -> rx.Component:
    s = LocalListDetailState
    return rx.vstack(
        _header(),
        rx.text(
            rx.cond(s.description != "", s.description + " · ", ""),
            t_with("Owner: {owner}", owner=s.organisation),
            **MUTED,
        ),
        _summary(),
        sync_panel(),
        entries_section(),
        charge_points_section(),
        spacing="5",
        width="100%",
    )


def detail_page() -> rx.Component:
    s = LocalListDetailState
    return app_shell(
        NAV_ROUTE,
        back_link(t("Local lists"), ROUTE),
        rx.cond(
            s.loaded,
            rx.cond(
                s.found,
                _detail_body(),
                rx.callout(t("No such local list in your network."), icon="search-x", width="100%"),
            ),
            rx.center(rx.spinner(size="3"), padding="48px", width="100%"),
        ),
        list_form(),
        delete_dialog(),
        add_id_tags_dialog(),
        assign_dialog(),
    )


PAGES = (
    (page, ROUTE, TITLE, [AuthState.require_login, LocalListsState.load]),
    (detail_page, DETAIL_ROUTE, DETAIL_TITLE, [AuthState.require_login, LocalListDetailState.load]),
)
