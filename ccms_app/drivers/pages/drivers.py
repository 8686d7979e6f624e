"""Drivers: the list (/users/drivers) and one driver (/users/drivers/[driver_id]) with contact,
RFID cards (issue, block, unblock right there), groups, vehicles and recent sessions."""

from __future__ import annotations

from collections.abc import Sequence

import reflex as rx
from reflex.vars import ArrayVar, ObjectVar

from ccms_app.accounts.state import AuthState
from ccms_app.branding.components.brand import page_title
from ccms_app.drivers.components.forms import driver_form, id_tag_form, preset, vehicle_form
from ccms_app.drivers.components.widgets import (
    back_link,
    card_delete_dialog,
    card_list,
    confirm_dialog,
    status_badge,
    users_subnav,
)
from ccms_app.drivers.state.actions import DriverActionsState
from ccms_app.drivers.state.detail import DriverDetailState, LinkRow, SessionRow
from ccms_app.drivers.state.forms import (
    OWNER_DRIVER,
    DriverFormState,
    IdTagFormState,
    VehicleFormState,
)
from ccms_app.drivers.state.lists import DriverListState
from ccms_app.finance.components.memberships import membership_badge
from ccms_app.ui.cards import empty_note, section
from ccms_app.ui.data_list import Column, Filter, RowVar, data_list
from ccms_app.ui.i18n import Text, t, t_with
from ccms_app.ui.layout import app_shell
from ccms_app.ui.page_header import follow_language, page_header
from ccms_app.ui.permissions import when_allowed
from ccms_app.ui.table import cell, data_table

ROUTE = "/users/drivers"
TITLE = page_title("Drivers")
DETAIL_ROUTE = "/users/drivers/[driver_id]"
DETAIL_TITLE = page_title("Driver")
NAV_ROUTE = "/users"

STATUS_FILTER = (("active", t("Active")), ("suspended", t("Suspended")))


def _suspend_toggle(row_id: rx.Var[str], suspended: rx.Var[bool], testid: str) -> rx.Component:
    id_text = row_id.to(str)
    return rx.cond(
        suspended,
        rx.button(
            t("Reactivate"),
            size="1",
            variant="soft",
            color_scheme="green",
            on_click=DriverActionsState.reactivate(row_id),
            custom_attrs={"data-testid": testid + "-reactivate-" + id_text},
        ),
        rx.button(
            t("Suspend"),
            size="1",
            variant="soft",
            color_scheme="orange",
            on_click=DriverActionsState.suspend(row_id),
            custom_attrs={"data-testid": testid + "-suspend-" + id_text},
        ),
    )


def _row_actions(row: RowVar) -> rx.Component:
    return when_allowed(
        DriverFormState.submit,
        rx.hstack(
            rx.button(
                t("Edit"),
                size="1",
                variant="soft",
                color_scheme="gray",
                on_click=DriverFormState.open_edit(row["id"]),
            ),
            _suspend_toggle(row["id"], row["status"] == "suspended", "drivers"),
            spacing="2",
        ),
    )


def page() -> rx.Component:
    return app_shell(
        NAV_ROUTE,
        page_header(t("Drivers"), t("People who charge with RFID cards; suspend to stop them.")),
        users_subnav(ROUTE),
        data_list(
            DriverListState,
            columns=[
                Column("name", t("Name"), href=lambda row: "/users/drivers/" + row["id"].to(str)),
                Column("email", t("Email")),
                Column("phone", t("Phone"), sortable=False),
                Column("status", t("Status"), render=lambda row: status_badge(row["status"])),
                Column("organisation", t("Organisation"), on_phone=False),
                Column("created_at", t("Created"), on_phone=False),
            ],
            filters=[Filter("status", t("Status"), STATUS_FILTER)],
            testid="drivers",
            empty_text=t("No drivers yet. Create the first one."),
            search_placeholder=t("Search name, email, phone…"),
            toolbar=[
                when_allowed(
                    DriverFormState.submit,
                    rx.button(
                        rx.icon("user-plus", size=14),
                        t("New driver"),
                        on_click=DriverFormState.open_new({}),
                        custom_attrs={"data-testid": "drivers-new"},
                    ),
                )
            ],
            actions=_row_actions,
        ),
        driver_form(),
    )


# --- one driver -----------------------------------------------------------------------------


def _fact(label: Text, value: rx.Var | str, testid: str = "") -> rx.Component:
    return rx.hstack(
        rx.text(label, size="2", color=rx.color("gray", 11), min_width="72px"),
        rx.text(value, size="2", custom_attrs={"data-testid": testid} if testid else {}),
        spacing="2",
        align="center",
    )


def _cards() -> rx.Component:
    s = DriverDetailState
    return section(
        t("RFID cards"),
        rx.cond(
            s.cards.length() > 0,
            card_list(s.cards, "driver-card"),
            empty_note(t("No cards yet.")),
        ),
        right=when_allowed(
            IdTagFormState.submit,
            rx.button(
                rx.icon("credit-card", size=14),
                t("Issue card"),
                size="2",
                on_click=IdTagFormState.open_new(
                    preset(owner_kind=OWNER_DRIVER, driver_id=s.driver_id.to_string())
                ),
                custom_attrs={"data-testid": "driver-issue-card"},
            ),
        ),
    )


def _link_list(
    rows: ArrayVar[Sequence[LinkRow]], href_prefix: str, empty: Text, testid: str
) -> rx.Component:
    def item(row: ObjectVar[LinkRow]) -> rx.Component:
        return rx.hstack(
            rx.link(row.label, href=href_prefix + row.id.to(str), weight="medium")
            if href_prefix
            else rx.text(row.label, weight="medium", size="2"),
            rx.text(row.detail, size="1", color=rx.color("gray", 11)),
            spacing="2",
            align="center",
            wrap="wrap",
        )

    return rx.cond(
        rows.length() > 0,
        rx.vstack(rx.foreach(rows, item), spacing="2", custom_attrs={"data-testid": testid}),
        empty_note(empty),
    )


def _session_row(row: rx.Var) -> rx.Component:
    session = row.to(ObjectVar, SessionRow)
    return rx.table.row(
        cell(session.id),
        cell(
            rx.vstack(
                rx.link(
                    session.charge_point,
                    href=f"/charge-points/{session.charge_point}",
                    size="2",
                    weight="medium",
                ),
                rx.text(session.station, size="1", color=rx.color("gray", 11)),
                spacing="0",
            )
        ),
        cell(rx.code(session.id_tag, size="1")),
        cell(session.started),
        cell(rx.cond(session.stopped == "charging", t("charging"), session.stopped)),
        cell(session.energy),
    )


def _header_actions() -> rx.Component:
    """Edit, suspend, delete: for roles with users:edit."""
    s = DriverDetailState
    return when_allowed(DriverFormState.submit, _header_buttons(s))


def _header_buttons(s: type[DriverDetailState]) -> rx.Component:
    return rx.hstack(
        rx.button(
            t("Edit"),
            variant="soft",
            color_scheme="gray",
            on_click=DriverFormState.open_edit(s.driver_id),
            custom_attrs={"data-testid": "driver-edit"},
        ),
        _suspend_toggle(s.driver_id.to_string(), s.suspended, "driver"),
        rx.icon_button(
            rx.icon("trash-2", size=16),
            variant="soft",
            color_scheme="red",
            aria_label=t("Delete driver"),
            on_click=s.set_confirm_delete(True),
            custom_attrs={"data-testid": "driver-delete"},
        ),
        spacing="2",
        wrap="wrap",
    )


def _detail_body() -> rx.Component:
    s = DriverDetailState
    return rx.vstack(
        page_header(
            s.name,
            "",
            status_badge(s.status, custom_attrs={"data-testid": "driver-status"}),
            _header_actions(),
        ),
        rx.card(
            rx.flex(
                _fact(t("Email"), s.email),
                _fact(t("Phone"), s.phone),
                _fact(t("Since"), s.created),
                membership_badge(),
                direction=rx.breakpoints(initial="column", sm="row"),
                gap=rx.breakpoints(initial="4px", sm="24px"),
                wrap="wrap",
            ),
            width="100%",
        ),
        rx.cond(
            s.suspended,
            rx.callout(
                t("Suspended: every card of this driver answers Blocked."),
                icon="ban",
                color_scheme="orange",
                size="1",
                width="100%",
            ),
        ),
        _cards(),
        rx.grid(
            section(
                t("Groups"),
                _link_list(s.groups, "/users/groups/", t("In no group."), "driver-groups"),
            ),
            section(
                t("Vehicles"),
                _link_list(s.vehicles, "", t("No vehicles."), "driver-vehicles"),
                right=when_allowed(
                    VehicleFormState.submit,
                    rx.button(
                        rx.icon("car", size=14),
                        t("Add vehicle"),
                        size="2",
                        variant="soft",
                        on_click=VehicleFormState.open_new(
                            preset(driver_id=s.driver_id.to_string())
                        ),
                    ),
                ),
            ),
            columns=rx.breakpoints(initial="1", md="2"),
            gap="20px",
            width="100%",
        ),
        section(
            t("Recent sessions"),
            rx.cond(
                s.sessions.length() > 0,
                data_table(
                    [
                        t("Session"),
                        t("Charge point"),
                        t("Id tag"),
                        t("Started"),
                        t("Stopped"),
                        t("Energy"),
                    ],
                    s.sessions,
                    _session_row,
                    "driver-sessions",
                ),
                empty_note(t("No charging sessions with this driver's cards yet.")),
            ),
        ),
        spacing="5",
        width="100%",
    )


def detail_page() -> rx.Component:
    s = DriverDetailState
    return app_shell(
        NAV_ROUTE,
        back_link(t("Drivers"), ROUTE),
        rx.cond(
            s.loaded,
            rx.cond(
                s.found,
                _detail_body(),
                rx.callout(t("No such driver in your network."), icon="search-x", width="100%"),
            ),
            rx.center(rx.spinner(size="3"), padding="48px", width="100%"),
        ),
        follow_language(s.follow_language),
        driver_form(),
        id_tag_form(),
        vehicle_form(),
        card_delete_dialog(),
        confirm_dialog(
            s.confirm_delete,
            s.set_confirm_delete,
            t_with("Delete {name}?", name=s.name),
            t(
                "Only a driver without cards or sessions can be deleted; suspend the driver "
                "otherwise. Group memberships go too; vehicles stay, without a driver."
            ),
            t("Delete driver"),
            s.delete,
            "driver-delete",
        ),
    )


PAGES = (
    (page, ROUTE, TITLE, [AuthState.require_login, DriverListState.load]),
    (detail_page, DETAIL_ROUTE, DETAIL_TITLE, [AuthState.require_login, DriverDetailState.load]),
)
