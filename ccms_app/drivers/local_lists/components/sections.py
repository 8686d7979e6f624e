"""The blocks of the local list pages: the create / rename dialog, the delete confirmation,
and on one list's page its id tags, its charge points with their sync state, and the Sync now
panel with a result per charge point."""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.vars import ObjectVar

from ccms_app.drivers.components.forms import form_dialog, text_field
from ccms_app.drivers.components.widgets import (
    AUTHORIZATION_NAMES,
    authorization_badge,
    choices,
    confirm_dialog,
    date_or_never,
    status_badge,
)
from ccms_app.drivers.local_lists.components.charge_point_tab import version_label
from ccms_app.drivers.local_lists.components.pickers import MUTED, selection_bar
from ccms_app.drivers.local_lists.state.detail import (
    SYNC_TEXTS,
    AssignedListState,
    EntryListState,
    LocalListDetailState,
    SyncRow,
)
from ccms_app.drivers.local_lists.state.form import LocalListFormState
from ccms_app.drivers.local_lists.state.lists import LocalListDeleteState
from ccms_app.drivers.local_lists.state.pickers import AddIdTagsState, AssignState
from ccms_app.ui.cards import section
from ccms_app.ui.data_list import Column, Filter, RowVar, data_list
from ccms_app.ui.i18n import Text, t, t_var, t_with
from ccms_app.ui.permissions import allowed, when_allowed

SYNC_COLOURS = {
    "In sync": "green",
    "Out of date": "amber",
    "Never synced": "orange",
    "Not supported": "red",
}


def _tid(value: Any) -> dict[str, Any]:
    return {"data-testid": value}


def _row_removal(label: Text, on_click: Any, testid: Any) -> rx.Component:
    """The red per-row action of a list (remove a card, unassign a charge point)."""
    return rx.button(
        label,
        size="1",
        variant="ghost",
        color_scheme="red",
        on_click=on_click,
        custom_attrs=_tid(testid),
    )


def _selected_removal(label: Text, s: Any, on_click: Any, testid: str) -> rx.Component:
    """The red bulk action for the selected rows, e.g. "Remove 3 selected" (`label`)."""
    return rx.button(
        label,
        size="2",
        variant="soft",
        color_scheme="red",
        disabled=s.selected_count == 0,
        on_click=on_click,
        custom_attrs=_tid(testid),
    )


def list_form() -> rx.Component:
    s, tp = LocalListFormState, "local-list-form"
    return form_dialog(
        s,
        tp,
        t("New local list"),
        t("Rename local list"),
        text_field(s, "name", t("Name"), tp, placeholder=t("e.g. Fleet cards")),
        text_field(
            s,
            "description",
            t("Description"),
            tp,
            placeholder=t("Who these cards belong to, why these charge points"),
        ),
    )


def delete_dialog() -> rx.Component:
    s = LocalListDeleteState
    return confirm_dialog(
        s.confirm_open,
        s.set_confirm_open,
        t_with("Delete {name}?", name=s.confirm_label),
        t(
            "Only a list that is assigned to no charge point can be deleted: unassign it first on "
            "its page, so no card leaves a charge point by surprise."
        ),
        t("Delete list"),
        s.delete,
        "local-list-delete",
    )


# --- id tags ----------------------------------------------------------------------------------


def _tag_cell(row: RowVar) -> rx.Component:
    """The id tag, with a checkbox to select it for removal when the role may remove."""
    s = EntryListState
    return rx.cond(
        allowed(s.remove_selected),
        rx.checkbox(
            rx.code(row["id_tag"], size="2"),
            checked=s.selected.contains(row["id_tag"]),
            on_change=lambda _checked: s.toggle(row["id_tag"]),
            custom_attrs=_tid("entry-check-" + row["id_tag"].to(str)),
        ),
        rx.code(row["id_tag"], size="2"),
    )


def entries_section() -> rx.Component:
    s = EntryListState
    return section(
        t("Id tags"),
        rx.text(
            t(
                "Sent to every charge point the list is assigned to, each with what Authorize "
                "would answer (a blocked or expired card is sent as such, so the charge point "
                "refuses it offline too)."
            ),
            **MUTED,
        ),
        data_list(
            s,
            columns=[
                Column("id_tag", t("Id tag"), render=_tag_cell),
                Column(
                    "authorization",
                    t("Sent as"),
                    render=lambda r: authorization_badge(r["authorization"]),
                ),
                Column("owner", t("Owner")),
                Column(
                    "expiry_date",
                    t("Expires"),
                    render=lambda r: rx.text(date_or_never(r["expiry_date"]), size="2"),
                ),
                Column("added_at", t("Added"), on_phone=False),
            ],
            filters=[
                Filter(
                    "authorization",
                    t("Sent as"),
                    choices(AUTHORIZATION_NAMES, "Accepted", "Blocked", "Expired"),
                )
            ],
            testid="entries",
            empty_text=t("No id tags yet: add cards by searching, or paste a column of id tags."),
            search_placeholder=t("Search id tag or owner…"),
            toolbar=[
                when_allowed(
                    AddIdTagsState.add_selected,
                    rx.button(
                        rx.icon("plus", size=14),
                        t("Add id tags"),
                        on_click=AddIdTagsState.open_dialog(LocalListDetailState.list_id),
                        custom_attrs=_tid("entries-add"),
                    ),
                )
            ],
            actions=lambda r: when_allowed(
                s.remove,
                _row_removal(
                    t("Remove"), s.remove(r["id_tag"]), "entry-remove-" + r["id_tag"].to(str)
                ),
            ),
        ),
        when_allowed(
            s.remove_selected,
            selection_bar(
                s,
                "entries",
                _selected_removal(
                    t_with("Remove {count} selected", count=s.selected_count),
                    s,
                    s.remove_selected,
                    "entries-remove-selected",
                ),
            ),
        ),
    )


# --- charge points ----------------------------------------------------------------------------


def _charge_point_cell(row: RowVar) -> rx.Component:
    s = AssignedListState
    return rx.hstack(
        when_allowed(
            s.unassign_selected,
            rx.checkbox(
                checked=s.selected.contains(row["id"]),
                on_change=lambda _checked: s.toggle(row["id"]),
                custom_attrs=_tid("assigned-check-" + row["identity"].to(str)),
            ),
        ),
        rx.link(row["identity"], href="/charge-points/" + row["identity"].to(str), weight="medium"),
        spacing="2",
        align="center",
    )


def _online(row: RowVar) -> rx.Component:
    return rx.cond(
        row["online"] != "",
        rx.badge(t("online"), color_scheme="green", variant="soft"),
        rx.badge(t("offline"), color_scheme="gray", variant="soft"),
    )


def _last_sync(row: RowVar) -> rx.Component:
    return rx.vstack(
        rx.text(
            rx.cond(row["last_result_text"] == "", t("never"), t_var(row["last_result_text"])),
            size="2",
        ),
        rx.cond(
            row["last_detail"] != "",
            rx.text(row["last_detail"], **MUTED, max_width="320px", white_space="normal"),
        ),
        spacing="0",
    )


def _unassign_all_dialog() -> rx.Component:
    s = AssignedListState
    return confirm_dialog(
        s.confirm_unassign_all,
        s.set_confirm_unassign_all,
        t_with("Unassign {name} from every charge point?", name=LocalListDetailState.name),
        t(
            "At their next sync the charge points lose the list's id tags (those that are in no "
            "other list assigned to them)."
        ),
        t("Unassign all"),
        s.unassign_all,
        "unassign-all",
    )


def charge_points_section() -> rx.Component:
    s = AssignedListState
    return section(
        t("Charge points"),
        rx.text(
            t(
                "Connected charge points are synced automatically with differential updates; "
                "offline ones when they reconnect. Sync now does it at once."
            ),
            **MUTED,
        ),
        data_list(
            s,
            columns=[
                Column("identity", t("Charge point"), render=_charge_point_cell),
                Column("station", t("Station")),
                Column("online", t("Connection"), render=_online),
                Column(
                    "sync",
                    t("Sync"),
                    render=lambda r: status_badge(
                        r["sync_text"],
                        SYNC_COLOURS,
                        t_var(r["sync_text"]),
                        custom_attrs=_tid("assigned-sync-" + r["identity"].to(str)),
                    ),
                ),
                Column(
                    "accepted_version",
                    t("Version"),
                    render=lambda r: rx.text(
                        version_label(r["accepted_version"]),
                        rx.cond(
                            r["reported_version"] != r["accepted_version"],
                            rx.text.span(
                                " ",
                                t_with(
                                    "(reports {version})",
                                    version=version_label(r["reported_version"]),
                                ),
                                **MUTED,
                            ),
                        ),
                        size="2",
                        custom_attrs=_tid("assigned-version-" + r["identity"].to(str)),
                    ),
                ),
                Column("last_result", t("Last sync"), render=_last_sync),
                Column("last_attempt_at", t("When"), on_phone=False),
            ],
            filters=[
                Filter("sync", t("Sync"), [(key, t(text)) for key, text in SYNC_TEXTS.items()])
            ],
            testid="assigned",
            empty_text=t("Not assigned to any charge point yet."),
            search_placeholder=t("Search charge point or station…"),
            toolbar=[
                rx.icon_button(
                    rx.icon("refresh-cw", size=14),
                    variant="soft",
                    color_scheme="gray",
                    aria_label=t("Reload"),
                    on_click=[s.refresh, LocalListDetailState.refresh],
                ),
                when_allowed(
                    AssignState.assign_selected,
                    rx.button(
                        rx.icon("plug", size=14),
                        t("Assign charge points"),
                        on_click=AssignState.open_dialog(LocalListDetailState.list_id),
                        custom_attrs=_tid("assigned-add"),
                    ),
                ),
            ],
            actions=lambda r: when_allowed(
                s.unassign,
                _row_removal(
                    t("Unassign"), s.unassign(r["id"]), "assigned-unassign-" + r["identity"].to(str)
                ),
            ),
        ),
        when_allowed(
            s.unassign_selected,
            selection_bar(
                s,
                "assigned",
                _selected_removal(
                    t_with("Unassign {count} selected", count=s.selected_count),
                    s,
                    s.unassign_selected,
                    "assigned-unassign-selected",
                ),
                always=(
                    rx.button(
                        t("Unassign all"),
                        size="2",
                        variant="ghost",
                        color_scheme="red",
                        on_click=s.set_confirm_unassign_all(True),
                        custom_attrs=_tid("assigned-unassign-all"),
                    ),
                ),
            ),
        ),
        _unassign_all_dialog(),
    )


# --- sync now ---------------------------------------------------------------------------------


def _result_row(row: ObjectVar[SyncRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link(row.identity, href="/charge-points/" + row.identity.to(str))),
        rx.table.cell(
            rx.badge(t_var(row.text), color_scheme=rx.cond(row.ok, "green", "red"), variant="soft")
        ),
        rx.table.cell(version_label(row.version)),
        rx.table.cell(row.detail, white_space="normal", min_width="200px"),
        custom_attrs=_tid("sync-result-" + row.identity.to(str)),
    )


def sync_panel() -> rx.Component:
    s = LocalListDetailState
    return rx.cond(
        s.sync_message != "",
        rx.vstack(
            rx.callout(
                s.sync_message,
                icon=rx.cond(s.sync_ok, "circle-check", "triangle-alert"),
                color_scheme=rx.cond(s.sync_ok, "green", "orange"),
                size="1",
                width="100%",
                custom_attrs=_tid("sync-message"),
            ),
            rx.cond(
                s.sync_results.length() > 0,
                rx.box(
                    rx.table.root(
                        rx.table.header(
                            rx.table.row(
                                rx.table.column_header_cell(t("Charge point")),
                                rx.table.column_header_cell(t("Result")),
                                rx.table.column_header_cell(t("Version")),
                                rx.table.column_header_cell(t("Detail")),
                            )
                        ),
                        rx.table.body(rx.foreach(s.sync_results, _result_row)),
                        size="1",
                        variant="surface",
                        width="100%",
                    ),
                    max_height="320px",
                    overflow="auto",
                    width="100%",
                    custom_attrs=_tid("sync-results"),
                ),
            ),
            rx.button(t("Hide results"), size="1", variant="ghost", on_click=s.clear_sync_results),
            spacing="2",
            width="100%",
        ),
    )
