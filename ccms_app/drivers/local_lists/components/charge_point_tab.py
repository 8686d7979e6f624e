"""The Local list tab of a charge point page: versions, out-of-date reasons, last sync, the
entries as the charge point holds them with what a sync would change, and Sync now."""

from __future__ import annotations

import reflex as rx
from reflex.vars import ObjectVar

from ccms_app.drivers.components.widgets import authorization_label
from ccms_app.drivers.local_lists.state.charge_point_tab import (
    ChargePointLocalListState as LocalList,
)
from ccms_app.drivers.local_lists.state.charge_point_tab import LocalEntryRow
from ccms_app.ui.cards import empty_note
from ccms_app.ui.i18n import Text, t, t_var, t_with
from ccms_app.ui.permissions import when_allowed
from ccms_app.ui.table import cell, data_table

Panel = LocalList.panel
RESULT_COLOURS = {
    "accepted": "green",
    "up_to_date": "green",
    "offline": "gray",
    "": "gray",
}
STATUS_COLOURS = {"Accepted": "green", "Blocked": "red", "Expired": "orange", "Invalid": "red"}


def version_label(version: rx.Var) -> rx.Var:
    """A list version as the state words it (state.charge_point_tab.version_text): the
    number, or a word in the tab's language."""
    return rx.match(
        version,
        ("not asked yet", t("not asked yet")),
        ("none", t("none")),
        ("not supported", t("not supported")),
        version.to(str),
    )


def lists_label(lists: rx.Var) -> rx.Var:
    """The names of the lists assigned (data), or the state's word for none."""
    return rx.match(
        lists,
        ("none assigned", t("none assigned")),
        ("none", t("none")),
        lists.to(str),
    )


def _fact(label: Text, value: rx.Var | str, testid: str) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", color=rx.color("gray", 11)),
        rx.text(value, size="2", weight="medium", custom_attrs={"data-testid": testid}),
        spacing="0",
        min_width="0",
    )


def _actions() -> rx.Component:
    return rx.flex(
        rx.text(
            t(
                "The id tags this charge point can check without asking CCMS (offline, or with "
                "LocalPreAuthorize). Changes are pushed automatically to connected charge points."
            ),
            size="2",
            color=rx.color("gray", 11),
            max_width="560px",
        ),
        rx.spacer(),
        when_allowed(LocalList.sync_now, _buttons()),
        width="100%",
        align="center",
        wrap="wrap",
        gap="8px",
    )


def _buttons() -> rx.Component:
    """Sync, full update, version check: commands, for roles with live_monitoring:control."""
    return rx.hstack(
        rx.button(
            rx.icon("refresh-cw", size=14),
            t("Sync now"),
            on_click=LocalList.sync_now,
            loading=LocalList.busy,
            custom_attrs={"data-testid": "local-list-sync"},
        ),
        rx.button(
            t("Full update"),
            on_click=LocalList.sync_full,
            disabled=LocalList.busy,
            variant="soft",
            custom_attrs={"data-testid": "local-list-sync-full"},
        ),
        rx.button(
            t("Check version"),
            on_click=LocalList.check_version,
            disabled=LocalList.busy,
            variant="soft",
            color_scheme="gray",
            custom_attrs={"data-testid": "local-list-check-version"},
        ),
        spacing="2",
        wrap="wrap",
    )


def _message() -> rx.Component:
    return rx.cond(
        LocalList.message != "",
        rx.callout(
            LocalList.message,
            icon=rx.cond(LocalList.message_ok, "circle-check", "info"),
            color_scheme=rx.cond(LocalList.message_ok, "green", "red"),
            size="1",
            width="100%",
            custom_attrs={"data-testid": "local-list-message"},
        ),
    )


def _state_badge() -> rx.Component:
    return rx.cond(
        Panel.out_of_date,
        rx.badge(
            t("Out of date"),
            color_scheme="orange",
            variant="soft",
            custom_attrs={"data-testid": "local-list-state"},
        ),
        rx.badge(
            t("In sync"),
            color_scheme="green",
            variant="soft",
            custom_attrs={"data-testid": "local-list-state"},
        ),
    )


def _summary() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                _state_badge(),
                rx.text(
                    Panel.reasons, size="2", custom_attrs={"data-testid": "local-list-reasons"}
                ),
                align="center",
                spacing="2",
                wrap="wrap",
            ),
            rx.grid(
                _fact(t("Lists assigned"), lists_label(Panel.lists), "local-list-lists"),
                _fact(
                    t("Version CCMS sent"),
                    version_label(Panel.accepted_version),
                    "local-list-accepted",
                ),
                _fact(
                    t("Version on the charge point"),
                    version_label(Panel.reported_version),
                    "local-list-reported",
                ),
                _fact(t("Reported"), Panel.reported_at, "local-list-reported-at"),
                _fact(t("Id tags wanted"), Panel.desired_count.to_string(), "local-list-desired"),
                _fact(t("Changes not sent"), Panel.pending.to_string(), "local-list-pending"),
                _fact(t("Last sync"), Panel.last_attempt, "local-list-last-attempt"),
                _fact(t("Last success"), Panel.last_success, "local-list-last-success"),
                columns=rx.breakpoints(initial="2", md="4"),
                spacing="3",
                width="100%",
            ),
            rx.hstack(
                rx.badge(
                    t_var(Panel.last_result_text),
                    color_scheme=rx.match(Panel.last_result, *RESULT_COLOURS.items(), "red"),
                    variant="soft",
                    custom_attrs={"data-testid": "local-list-last-result"},
                ),
                rx.text(Panel.last_detail, size="1", color=rx.color("gray", 11)),
                rx.cond(
                    Panel.full_fallbacks.to(int) > 0,
                    rx.text(
                        t_with(
                            "Full updates after a version mismatch: {count}",
                            count=Panel.full_fallbacks,
                        ),
                        size="1",
                        color=rx.color("orange", 11),
                    ),
                ),
                align="center",
                spacing="2",
                wrap="wrap",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _status_badge(status: rx.Var[str]) -> rx.Component:
    return rx.badge(
        authorization_label(status),
        color_scheme=rx.match(status, *STATUS_COLOURS.items(), "gray"),
        variant="soft",
    )


def _row(row: rx.Var) -> rx.Component:
    e = row.to(ObjectVar, LocalEntryRow)
    return rx.table.row(
        cell(rx.text(e.id_tag, weight="medium", size="2")),
        cell(_status_badge(e.status)),
        cell(e.expiry),
        cell(e.parent),
        cell(
            rx.cond(
                e.change != "",
                rx.hstack(
                    rx.badge(t_var(e.change), color_scheme="orange", variant="outline"),
                    rx.text(
                        t_with("wanted: {status}", status=authorization_label(e.desired)), size="1"
                    ),
                    spacing="1",
                    align="center",
                ),
            )
        ),
        custom_attrs={"data-testid": f"local-entry-{e.id_tag}"},
    )


def _entries() -> rx.Component:
    return rx.cond(
        Panel.rows.length() > 0,
        data_table(
            [
                t("Id tag"),
                t("On the charge point"),
                t("Expiry"),
                t("Parent id tag"),
                t("Pending"),
            ],
            Panel.rows,
            _row,
            testid="local-list-entries",
        ),
        empty_note(t("The local list is empty.")),
    )


def local_list_section() -> rx.Component:
    return rx.vstack(
        _actions(),
        _message(),
        rx.cond(
            Panel.loaded,
            rx.cond(
                Panel.managed,
                rx.vstack(_summary(), _entries(), spacing="3", width="100%"),
                empty_note(
                    t(
                        "No local authorization list is assigned to this charge point, and CCMS "
                        "never sent it one."
                    )
                ),
            ),
            rx.center(rx.spinner(size="2"), padding="24px", width="100%"),
        ),
        spacing="3",
        width="100%",
        on_mount=LocalList.open,
        on_unmount=LocalList.close,
        custom_attrs={"data-testid": "local-list-section"},
    )
