"""System > Sub-operators: the organisations under the network operator, their usage of
their licences, and the dialogs that create one (with its first administrator) and change
a licence. The buttons show only to those who may use them; the server decides anyway.

Test ids: `sub-operators-*` (the list, see ui/data_list), `sub-operator-new`,
`sub-operator-licence-<id>`, `subop-<field>` / `subop-<field>-error` in the dialog,
`subop-save`, `subop-message`, `sub-operators-note`.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from ccms_app.accounts.state import AuthState
from ccms_app.branding.components.brand import page_title
from ccms_app.system.components.section_links import section_links
from ccms_app.system.state.sub_operators import SubOperatorFormState, SubOperatorListState
from ccms_app.ui.data_list import Column, RowVar, data_list
from ccms_app.ui.i18n import Text, has_text, t, t_var, t_with
from ccms_app.ui.inputs import text_input
from ccms_app.ui.layout import app_shell
from ccms_app.ui.page_header import follow_language, page_header

ROUTE = "/system/sub-operators"
TITLE = page_title("Sub-operators · System")
STATUS_COLOURS = {"active": "green", "ended": "red", "not started": "amber"}

# Any: the dict fields' Var methods (`.get(...).to(str)`) are not in Reflex's stubs.
F: Any = SubOperatorFormState


def _status(row: RowVar) -> rx.Component:
    return rx.badge(
        t_var(row["status"]),
        color_scheme=rx.match(row["status"], *STATUS_COLOURS.items(), "gray"),
        variant="soft",
    )


def _actions(row: RowVar) -> rx.Component:
    return rx.cond(
        F.may_manage,
        rx.button(
            rx.icon("file-pen", size=14),
            t("Licence"),
            size="1",
            variant="soft",
            on_click=F.open_licence(row["id"]),
            custom_attrs={"data-testid": "sub-operator-licence-" + row["id"].to(str)},
        ),
    )


def _list() -> rx.Component:
    return data_list(
        SubOperatorListState,
        columns=[
            Column("name", t("Name")),
            Column("charge_points", t("Charge points")),
            Column("connectors", t("Connectors")),
            Column("valid_to", t("Valid to")),
            Column("days_left", t("Days left"), sortable=False),
            Column("status", t("Status"), sortable=False, render=_status),
        ],
        testid="sub-operators",
        empty_text=t("No sub-operators yet."),
        search_placeholder=t("Search by name…"),
        actions=_actions,
    )


# --- the dialog ---------------------------------------------------------------------------


def _field(
    name: str, label: Text, *, kind: str = "text", hint: Text = "", placeholder: Text = ""
) -> rx.Component:
    """A labelled input bound to `values[name]`, its error under it."""
    error = F.errors.get(name, "").to(str)
    testid = f"subop-{name.replace('_', '-')}"
    secret = kind == "password"
    control = text_input(
        type=kind,
        placeholder=placeholder,
        width="100%",
        aria_invalid=rx.cond(error != "", "true", "false"),
        color_scheme=rx.cond(error != "", "red", "gray"),
        auto_complete="new-password" if secret else "off",
        custom_attrs={"data-testid": testid},
        # The password never comes back from the server (a backend-only field).
        **(
            {"on_change": F.set_password}
            if secret
            else {
                "value": F.values.get(name, "").to(str),
                "on_change": lambda value: F.set_value(name, value),
            }
        ),
    )
    return rx.vstack(
        rx.text(label, size="2", weight="medium", as_="label"),
        control,
        rx.text(hint, size="1", color=rx.color("gray", 10)) if has_text(hint) else rx.fragment(),
        rx.cond(
            error != "",
            rx.text(
                error,
                size="1",
                color=rx.color("red", 11),
                custom_attrs={"data-testid": f"{testid}-error"},
            ),
        ),
        spacing="1",
        width="100%",
    )


def _grid(*children: rx.Component) -> rx.Component:
    return rx.grid(*children, columns=rx.breakpoints(initial="1", sm="2"), gap="12px", width="100%")


def _licence_fields() -> rx.Component:
    return _grid(
        _field("max_charge_points", t("Charge points allowed"), hint=t("Empty: no limit")),
        _field("max_connectors", t("Connectors allowed"), hint=t("Empty: no limit")),
        _field(
            "valid_from",
            t("Valid from"),
            kind="date",
            hint=t("First day (UTC); empty: no start date"),
        ),
        _field(
            "valid_to", t("Valid to"), kind="date", hint=t("Last day (UTC); after it, read-only")
        ),
    )


def _heading(text: Text) -> rx.Component:
    return rx.text(text, size="3", weight="bold")


def _create_body() -> rx.Component:
    return rx.vstack(
        _heading(t("Organisation")),
        _field("name", t("Name"), placeholder=t("e.g. City Parking Ltd")),
        _heading(t("First administrator")),
        _grid(
            _field("admin_name", t("Name")),
            _field("admin_email", t("E-mail"), kind="email"),
            _field(
                "admin_password",
                t("Initial password"),
                kind="password",
                hint=t("At least 12 characters; they choose their own at first login"),
            ),
        ),
        _heading(t("Licence")),
        _licence_fields(),
        spacing="3",
        width="100%",
    )


def _dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(
                rx.cond(
                    F.mode == "create",
                    t("New sub-operator"),
                    t_with("Licence of {name}", name=F.editing_name),
                )
            ),
            rx.vstack(
                rx.cond(
                    F.message != "",
                    rx.callout(
                        F.message,
                        icon="circle-alert",
                        color_scheme="red",
                        size="1",
                        width="100%",
                        custom_attrs={"data-testid": "subop-message"},
                    ),
                ),
                rx.cond(F.mode == "create", _create_body(), _licence_fields()),
                rx.flex(
                    rx.dialog.close(rx.button(t("Cancel"), variant="soft", color_scheme="gray")),
                    rx.button(
                        rx.cond(F.mode == "create", t("Create"), t("Save")),
                        on_click=F.save,
                        loading=F.busy,
                        custom_attrs={"data-testid": "subop-save"},
                    ),
                    justify="end",
                    gap="8px",
                    width="100%",
                ),
                spacing="4",
                width="100%",
            ),
            max_width="680px",
            width="calc(100vw - 24px)",
            max_height="calc(100vh - 32px)",
            overflow_y="auto",
            custom_attrs={"data-testid": "subop-dialog"},
        ),
        open=F.mode != "",
        on_open_change=F.set_is_open,
    )


# --- the page -----------------------------------------------------------------------------


def _new_button() -> rx.Component:
    return rx.cond(
        F.may_manage,
        rx.button(
            rx.icon("plus", size=16),
            t("New sub-operator"),
            on_click=F.open_new,
            custom_attrs={"data-testid": "sub-operator-new"},
        ),
    )


def _note() -> rx.Component:
    return rx.cond(
        F.note != "",
        rx.callout(
            F.note,
            icon="info",
            color_scheme="gray",
            size="1",
            width="100%",
            custom_attrs={"data-testid": "sub-operators-note"},
        ),
    )


def page() -> rx.Component:
    return app_shell(
        ROUTE,
        page_header(
            t("Sub-operators"),
            t("Organisations under your network: their own administrators, licences and usage."),
            _new_button(),
        ),
        section_links(ROUTE),
        follow_language(SubOperatorFormState.follow_language, SubOperatorListState.follow_language),
        _note(),
        _list(),
        _dialog(),
    )


ON_LOAD: list[Any] = [
    AuthState.require_login,
    SubOperatorFormState.load_access,
    SubOperatorListState.load,
]
PAGES: list[tuple[Any, str, Any, list[Any]]] = [(page, ROUTE, TITLE, ON_LOAD)]
