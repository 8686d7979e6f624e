"""User groups: the list (/users/groups) and one group (/users/groups/[group_id]) with its
account, members (add, authorise to charge on the group account, remove) and cards.

A group's price is the tariff assigned to it in Finance; ccms_app.finance imports the Users
models, so these pages link to the tariffs page (its assignment tool) by URL only.
"""

from __future__ import annotations

import reflex as rx
from reflex.vars import ObjectVar

from ccms_app.accounts.state import AuthState
from ccms_app.branding.components.brand import page_title
from ccms_app.drivers.components.forms import driver_picker, group_form, id_tag_form, preset
from ccms_app.drivers.components.widgets import (
    back_link,
    card_delete_dialog,
    card_list,
    confirm_dialog,
    users_subnav,
)
from ccms_app.drivers.state.detail import GroupDetailState, LinkRow
from ccms_app.drivers.state.forms import OWNER_GROUP, GroupFormState, IdTagFormState
from ccms_app.drivers.state.lists import GroupListState
from ccms_app.ui.cards import empty_note, section
from ccms_app.ui.data_list import Column, data_list
from ccms_app.ui.i18n import t, t_with
from ccms_app.ui.layout import app_shell
from ccms_app.ui.page_header import follow_language, page_header
from ccms_app.ui.permissions import allowed, when_allowed
from ccms_app.ui.table import cell, data_table

ROUTE = "/users/groups"
TITLE = page_title("User groups")
DETAIL_ROUTE = "/users/groups/[group_id]"
DETAIL_TITLE = page_title("User group")
NAV_ROUTE = "/users"
GROUP_TARIFF_HREF = "/finance/tariffs"  # the tariffs page assigns a tariff to a group


def page() -> rx.Component:
    return app_shell(
        NAV_ROUTE,
        page_header(
            t("User groups"),
            t("Drivers charging on one account; members are billed with the group's tariff."),
        ),
        users_subnav(ROUTE),
        data_list(
            GroupListState,
            columns=[
                Column("name", t("Name"), href=lambda row: "/users/groups/" + row["id"].to(str)),
                Column("account_name", t("Account")),
                Column("members", t("Members")),
                Column("billing_email", t("Billing email"), on_phone=False),
                Column("organisation", t("Organisation"), on_phone=False),
            ],
            testid="groups",
            empty_text=t("No user groups yet."),
            search_placeholder=t("Search name, account, email…"),
            toolbar=[
                when_allowed(
                    GroupFormState.submit,
                    rx.button(
                        rx.icon("plus", size=14),
                        t("New group"),
                        on_click=GroupFormState.open_new({}),
                        custom_attrs={"data-testid": "groups-new"},
                    ),
                )
            ],
            actions=lambda row: when_allowed(
                GroupFormState.submit,
                rx.button(
                    t("Edit"),
                    size="1",
                    variant="soft",
                    color_scheme="gray",
                    on_click=GroupFormState.open_edit(row["id"]),
                ),
            ),
        ),
        group_form(),
    )


# --- one group ------------------------------------------------------------------------------


def _member_row(row: rx.Var) -> rx.Component:
    """Name over contact, the switch, a trash button: three narrow columns, so Remove stays
    on a 360 px screen (four, with a text button, pushed it off the edge)."""
    s, member = GroupDetailState, row.to(ObjectVar, LinkRow)
    driver_id = member.id.to(str)
    return rx.table.row(
        rx.table.cell(
            rx.vstack(
                rx.link(member.label, href="/users/drivers/" + driver_id, weight="medium"),
                rx.text(
                    member.detail, size="1", color=rx.color("gray", 11), word_break="break-all"
                ),
                spacing="0",
            ),
            vertical_align="middle",
            white_space="normal",
        ),
        cell(
            rx.switch(
                checked=member.flag,
                on_change=lambda value: s.set_authorised(driver_id, value),
                disabled=~allowed(s.set_authorised),
                custom_attrs={"data-testid": "member-authorised-" + driver_id},
            )
        ),
        cell(
            when_allowed(
                s.remove_member,
                rx.icon_button(
                    rx.icon("trash-2", size=14),
                    size="1",
                    variant="ghost",
                    color_scheme="red",
                    aria_label=t("Remove"),
                    title=t("Remove"),
                    on_click=s.remove_member(driver_id),
                    custom_attrs={"data-testid": "member-remove-" + driver_id},
                ),
            )
        ),
    )


def _add_member() -> rx.Component:
    s = GroupDetailState
    return rx.vstack(
        rx.flex(
            rx.box(
                driver_picker(s, "member", s.choose_driver, s.values["driver_id"]),
                flex="1",
                width="100%",
            ),
            rx.button(
                rx.icon("user-plus", size=14),
                t("Add member"),
                on_click=s.add_member,
                custom_attrs={"data-testid": "member-add"},
            ),
            direction=rx.breakpoints(initial="column", md="row"),
            gap="8px",
            width="100%",
        ),
        rx.cond(
            s.member_error != "",
            rx.text(s.member_error, size="1", color=rx.color("red", 11)),
        ),
        spacing="1",
        width="100%",
    )


def _members() -> rx.Component:
    s = GroupDetailState
    return section(
        t("Members"),
        rx.text(
            t(
                "Authorised members may charge on the group account. Group cards work while at "
                "least one authorised member is active."
            ),
            size="2",
            color=rx.color("gray", 11),
        ),
        when_allowed(s.add_member, _add_member()),
        rx.cond(
            s.members.length() > 0,
            data_table(
                [t("Driver"), t("Authorised"), ""],
                s.members,
                _member_row,
                "group-members",
            ),
            empty_note(t("No members yet.")),
        ),
    )


def _cards() -> rx.Component:
    s = GroupDetailState
    return section(
        t("Group cards"),
        rx.cond(
            s.cards.length() > 0,
            card_list(s.cards, "group-card"),
            empty_note(t("No group cards.")),
        ),
        right=when_allowed(
            IdTagFormState.submit,
            rx.button(
                rx.icon("credit-card", size=14),
                t("Issue group card"),
                size="2",
                variant="soft",
                on_click=IdTagFormState.open_new(
                    preset(owner_kind=OWNER_GROUP, group_id=s.group_id.to_string())
                ),
            ),
        ),
    )


def _tariff_line() -> rx.Component:
    """Which tariff bills the members is set in Finance; the Users module cannot read it."""
    return rx.text(
        rx.text.strong(t("Tariff:")),
        " ",
        rx.link(
            t("Set the group's tariff in Finance"),
            href=GROUP_TARIFF_HREF,
            custom_attrs={"data-testid": "group-tariff-link"},
        ),
        size="2",
        custom_attrs={"data-testid": "group-tariff"},
    )


def _detail_body() -> rx.Component:
    s = GroupDetailState
    return rx.vstack(
        page_header(
            s.name,
            "",
            when_allowed(
                GroupFormState.submit,
                rx.hstack(
                    rx.button(
                        t("Edit"),
                        variant="soft",
                        color_scheme="gray",
                        on_click=GroupFormState.open_edit(s.group_id),
                    ),
                    rx.icon_button(
                        rx.icon("trash-2", size=16),
                        variant="soft",
                        color_scheme="red",
                        aria_label=t("Delete group"),
                        on_click=s.set_confirm_delete(True),
                    ),
                    spacing="2",
                ),
            ),
        ),
        rx.card(
            rx.flex(
                rx.text(rx.text.strong(t("Account:")), " ", s.account_name, size="2"),
                rx.text(rx.text.strong(t("Billing:")), " ", s.billing_email, size="2"),
                _tariff_line(),
                direction=rx.breakpoints(initial="column", sm="row"),
                gap=rx.breakpoints(initial="4px", sm="24px"),
                wrap="wrap",
            ),
            width="100%",
        ),
        _members(),
        _cards(),
        spacing="5",
        width="100%",
    )


def detail_page() -> rx.Component:
    s = GroupDetailState
    return app_shell(
        NAV_ROUTE,
        back_link(t("User groups"), ROUTE),
        rx.cond(
            s.loaded,
            rx.cond(
                s.found,
                _detail_body(),
                rx.callout(t("No such group in your network."), icon="search-x", width="100%"),
            ),
            rx.center(rx.spinner(size="3"), padding="48px", width="100%"),
        ),
        follow_language(s.follow_language),
        group_form(),
        id_tag_form(),
        card_delete_dialog(),
        confirm_dialog(
            s.confirm_delete,
            s.set_confirm_delete,
            t_with("Delete {name}?", name=s.name),
            t("A group with cards cannot be deleted; its memberships go with it."),
            t("Delete group"),
            s.delete,
            "group-delete",
        ),
    )


PAGES = (
    (page, ROUTE, TITLE, [AuthState.require_login, GroupListState.load]),
    (detail_page, DETAIL_ROUTE, DETAIL_TITLE, [AuthState.require_login, GroupDetailState.load]),
)
