"""System > Roles (/system/roles): the roles an operator sees and the permission matrix.

A role is a matrix: one row per module, one checkbox per action (view, edit, control,
export). Built-in roles open read-only; a custom role opens editable for a role holding
system:edit, with only the boxes it could grant itself enabled. A saved change reaches the
role's accounts at their next click.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from ccms_app.accounts.rules.permissions import (
    ACTION_LABELS,
    MODULE_LABELS,
    Action,
    Module,
    permission,
)
from ccms_app.accounts.state import AuthState
from ccms_app.branding.components.brand import page_title
from ccms_app.system.components.section_links import section_links
from ccms_app.system.state.roles import RoleEditorState, RoleListState
from ccms_app.ui.cards import section
from ccms_app.ui.data_list import Column, RowVar, data_list
from ccms_app.ui.form_fields import field_error, form_message
from ccms_app.ui.i18n import t, t_var, t_with
from ccms_app.ui.inputs import text_input
from ccms_app.ui.layout import app_shell
from ccms_app.ui.page_header import page_header
from ccms_app.ui.permissions import when_allowed

ROUTE = "/system/roles"
TITLE = page_title("Roles · System")
NAV_ROUTE = "/system"
# Module label, then one narrow column per action: fits a 360 px phone.
MATRIX_COLUMNS = "minmax(0, 1fr) repeat(4, 48px)"


def _tid(value: Any) -> dict[str, Any]:
    return {"data-testid": value}


def _box(module: Module, action: Action) -> rx.Component:
    s, p = RoleEditorState, permission(module, action)
    return rx.center(
        rx.checkbox(
            checked=s.selected.contains(p),
            on_change=lambda checked: s.toggle(p, checked),
            disabled=s.read_only | ~s.grantable.contains(p),
            aria_label=t_with(
                "{module}: {action}",
                module=t(MODULE_LABELS[module]),
                action=t(ACTION_LABELS[action]),
            ),
            custom_attrs=_tid("perm-" + p.replace(":", "-")),
        )
    )


def permission_matrix() -> rx.Component:
    """Rows = modules, columns = actions; the same 40 boxes for every role."""
    header = rx.grid(
        rx.text(t("Module"), size="1", weight="bold"),
        *[
            rx.text(t(ACTION_LABELS[a]), size="1", weight="bold", text_align="center")
            for a in Action
        ],
        grid_template_columns=MATRIX_COLUMNS,
        gap="4px",
        width="100%",
    )
    rows = [
        rx.grid(
            rx.text(t(MODULE_LABELS[m]), size="2", overflow_wrap="anywhere"),
            *[_box(m, a) for a in Action],
            grid_template_columns=MATRIX_COLUMNS,
            gap="4px",
            align_items="center",
            padding_y="6px",
            border_top=f"1px solid {rx.color('gray', 4)}",
            width="100%",
        )
        for m in Module
    ]
    return rx.vstack(header, *rows, spacing="0", width="100%", custom_attrs=_tid("role-matrix"))


def _name_field() -> rx.Component:
    s = RoleEditorState
    return rx.vstack(
        rx.text(t("Name"), size="2", weight="medium"),
        text_input(
            value=s.name,
            on_change=s.set_name,
            disabled=s.read_only,
            width="100%",
            custom_attrs=_tid("role-name"),
        ),
        field_error(s, "name", "role"),
        field_error(s, "permissions", "role"),
        spacing="1",
        width="100%",
    )


def _delete_area() -> rx.Component:
    s = RoleEditorState
    return rx.cond(
        (s.role_id != 0) & ~s.read_only,
        rx.cond(
            s.confirm_delete,
            rx.flex(
                rx.text(t("Delete this role?"), size="2"),
                rx.button(
                    t("Yes, delete"),
                    color_scheme="red",
                    size="1",
                    on_click=s.delete,
                    custom_attrs=_tid("role-delete-confirm"),
                ),
                rx.button(t("No"), size="1", variant="soft", on_click=s.set_confirm_delete(False)),
                gap="8px",
                align="center",
                wrap="wrap",
            ),
            rx.button(
                rx.icon("trash-2", size=14),
                t("Delete"),
                variant="soft",
                color_scheme="red",
                on_click=s.set_confirm_delete(True),
                custom_attrs=_tid("role-delete"),
            ),
        ),
    )


def _editor_buttons() -> rx.Component:
    s = RoleEditorState
    return rx.flex(
        when_allowed(s.delete, _delete_area()),
        rx.spacer(),
        rx.button(t("Close"), variant="soft", color_scheme="gray", on_click=s.set_is_open(False)),
        rx.cond(
            ~s.read_only,
            rx.button(t("Save"), loading=s.busy, on_click=s.save, custom_attrs=_tid("role-save")),
        ),
        gap="8px",
        wrap="wrap",
        align="center",
        width="100%",
    )


def role_editor() -> rx.Component:
    s: Any = RoleEditorState  # Any: its str fields are Vars here (t_var)
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(
                rx.cond(s.role_id == 0, t("New role"), rx.cond(s.built_in, t_var(s.name), s.name)),
                size="4",
            ),
            rx.vstack(
                rx.cond(
                    s.role_id != 0,
                    rx.text(
                        t_with(
                            "{owner} · held by {count} account(s) you see",
                            owner=t_var(s.owner),
                            count=s.holders,
                        ),
                        size="1",
                        color=rx.color("gray", 11),
                    ),
                ),
                rx.cond(
                    s.built_in,
                    rx.callout(
                        t("A built-in role: its permissions come with CCMS and cannot be changed."),
                        icon="lock",
                        size="1",
                        width="100%",
                    ),
                ),
                rx.cond(
                    s.read_only & ~s.built_in,
                    rx.callout(
                        t(
                            "You cannot change this role: it needs system edit and every "
                            "permission it grants."
                        ),
                        icon="lock",
                        size="1",
                        width="100%",
                    ),
                ),
                _name_field(),
                permission_matrix(),
                form_message(s, "role"),
                _editor_buttons(),
                spacing="3",
                width="100%",
            ),
            max_width="640px",
            width="calc(100vw - 24px)",
            padding=["16px", "24px"],
        ),
        open=s.is_open,
        on_open_change=s.set_is_open,
    )


def _open_button(row: RowVar) -> rx.Component:
    return rx.button(
        t("Details"),
        size="1",
        variant="soft",
        color_scheme="gray",
        on_click=RoleEditorState.open_role(row["id"]),
        custom_attrs=_tid("roles-open-" + row["id"].to(str)),
    )


def _permissions(row: RowVar) -> rx.Component:
    """A role's "12 of 40", its two numbers (`granted_counts`) in the catalog's sentence."""
    return rx.text(
        t_with("{granted} of {total}", granted=row["granted"], total=row["total"]), size="2"
    )


def _built_in_card(role: RowVar) -> rx.Component:
    return rx.card(
        rx.flex(
            rx.vstack(
                rx.text(t_var(role["name"]), weight="bold", size="2"),
                rx.text(
                    t_with(
                        "{granted} of {total} permissions · {count} account(s)",
                        granted=role["granted"],
                        total=role["total"],
                        count=role["accounts"],
                    ),
                    size="1",
                    color=rx.color("gray", 11),
                ),
                spacing="0",
            ),
            rx.spacer(),
            rx.button(
                t("View"),
                size="1",
                variant="soft",
                color_scheme="gray",
                on_click=RoleEditorState.open_role(role["id"]),
                custom_attrs=_tid("roles-built-in-" + role["id"].to(str)),
            ),
            align="center",
            gap="8px",
            width="100%",
        ),
        width="100%",
    )


def built_in_roles() -> rx.Component:
    """The five roles CCMS ships: a fixed handful, read-only."""
    return section(
        t("Built-in roles"),
        rx.grid(
            rx.foreach(RoleEditorState.built_ins, _built_in_card),
            columns=rx.breakpoints(initial="1", sm="2", lg="3"),
            gap="12px",
            width="100%",
            custom_attrs=_tid("roles-built-in"),
        ),
    )


def page() -> rx.Component:
    s = RoleListState
    return app_shell(
        NAV_ROUTE,
        page_header(t("Roles"), t("What each role may do, module by module.")),
        section_links(ROUTE),
        built_in_roles(),
        section(
            t("Custom roles"),
            data_list(
                s,
                columns=[
                    Column("name", t("Name")),
                    Column("owner", t("Organisation")),
                    Column("accounts", t("Accounts")),
                    Column("permissions", t("Permissions"), sortable=False, render=_permissions),
                ],
                testid="roles",
                empty_text=t("No custom roles yet."),
                search_placeholder=t("Search roles…"),
                toolbar=[
                    when_allowed(
                        RoleEditorState.save,
                        rx.button(
                            rx.icon("plus", size=14),
                            t("New role"),
                            on_click=RoleEditorState.open_new,
                            custom_attrs=_tid("roles-new"),
                        ),
                    )
                ],
                actions=_open_button,
            ),
        ),
        role_editor(),
    )


PAGES: list[tuple[Any, str, Any, list[Any]]] = [
    (
        page,
        ROUTE,
        TITLE,
        [AuthState.require_login, RoleListState.load, RoleEditorState.load_built_ins],
    ),
]
