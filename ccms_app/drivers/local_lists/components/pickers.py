"""The dialogs that fill a local list: "Add id tags" (pick cards, or paste id tags one per
line with the problems listed per line) and "Assign charge points" (pick charge points, or
whole stations). Pickers are compact server-side lists (search, tick, page) over the
ListBoundState pickers of drivers.local_lists.state.pickers; a selection survives paging
and searching, so an operator can gather cards from several searches before adding them."""

from __future__ import annotations

from typing import Any

import reflex as rx

from ccms_app.drivers.components.widgets import authorization_label
from ccms_app.drivers.local_lists.state.pickers import (
    TAB_CHARGE_POINTS,
    TAB_PASTE,
    TAB_SEARCH,
    TAB_STATIONS,
    AddIdTagsState,
    AssignState,
    CardPickerState,
    ChargePointPickerState,
    StationPickerState,
)
from ccms_app.ui.data_list import RowRender, RowVar
from ccms_app.ui.i18n import Text, t, t_with
from ccms_app.ui.inputs import text_area, text_input

MUTED = {"size": "1", "color": rx.color("gray", 11)}


def _tid(*parts: Any) -> dict[str, Any]:
    value: Any = parts[0]
    for part in parts[1:]:
        value = value + "-" + part
    return {"data-testid": value}


def selection_bar(
    state: Any, testid: str, *actions: rx.Component, always: tuple[rx.Component, ...] = ()
) -> rx.Component:
    """ "N selected · Select page · Clear", and what to do with the selection once there is
    one (`always`: actions shown regardless). Hidden while the list is empty."""
    # One message for the translators; the count (bold) goes where they put it.
    selected = t("{count} selected").split("{count}")
    return rx.cond(
        state.total > 0,
        rx.flex(
            rx.text(
                selected[0],
                rx.text.strong(state.selected_count),
                selected[1],
                size="2",
                custom_attrs=_tid(testid, "selected"),
            ),
            rx.button(
                t("Select page"),
                size="1",
                variant="ghost",
                on_click=state.select_page,
                custom_attrs=_tid(testid, "select-page"),
            ),
            rx.cond(
                state.selected_count > 0,
                rx.button(t("Clear"), size="1", variant="ghost", on_click=state.clear_selection),
            ),
            rx.spacer(),
            rx.cond(state.selected_count > 0, rx.hstack(*actions, spacing="2", wrap="wrap")),
            *always,
            gap="8px",
            align="center",
            wrap="wrap",
            width="100%",
        ),
    )


def _range(state: Any) -> rx.Var:
    """ "21-40 of 1,234" in the tab's language (as ui.data_list words a ListState's
    `range_text`)."""
    parts = state.range_text.to(str).split(" of ")
    return t_with("{shown} of {total}", shown=parts[0], total=parts[1])


def _pager(state: Any, testid: str) -> rx.Component:
    return rx.hstack(
        rx.text(_range(state), **MUTED, custom_attrs=_tid(testid, "range")),
        rx.spacer(),
        rx.icon_button(
            rx.icon("chevron-left", size=14),
            size="1",
            variant="soft",
            disabled=state.page <= 1,
            on_click=state.previous_page,
            aria_label=t("Previous page"),
        ),
        rx.text(state.page, " / ", state.pages, size="1"),
        rx.icon_button(
            rx.icon("chevron-right", size=14),
            size="1",
            variant="soft",
            disabled=state.page >= state.pages,
            on_click=state.next_page,
            aria_label=t("Next page"),
            custom_attrs=_tid(testid, "next"),
        ),
        align="center",
        width="100%",
    )


def picker(
    state: Any,
    label: str,
    key: str,
    detail: RowRender,
    testid: str,
    placeholder: Text,
) -> rx.Component:
    """Search, a tickable row per match (`row[label]` shown, `row[key]` selected), pages
    (`label` and `key` are columns of the rows)."""

    def line(row: RowVar) -> rx.Component:
        return rx.flex(
            rx.checkbox(
                row[label],
                checked=state.selected.contains(row[key]),
                on_change=lambda _checked: state.toggle(row[key]),
                size="2",
                custom_attrs=_tid(testid, "check", row[label]),
            ),
            rx.spacer(),
            detail(row),
            gap="8px",
            align="center",
            wrap="wrap",
            width="100%",
            padding="6px 10px",
            border_bottom=f"1px solid {rx.color('gray', 4)}",
            custom_attrs=_tid(testid, "row", row[label]),
        )

    return rx.vstack(
        text_input(
            rx.input.slot(rx.icon("search", size=14)),
            value=state.search,
            on_change=state.set_search,
            debounce_timeout=300,
            placeholder=placeholder,
            type="search",
            width="100%",
            custom_attrs=_tid(testid, "search"),
        ),
        rx.box(
            rx.cond(
                state.total > 0,
                rx.foreach(state.rows, line),
                rx.center(
                    rx.cond(state.loaded, rx.text(t("No matches."), **MUTED), rx.spinner(size="2")),
                    padding="16px",
                ),
            ),
            width="100%",
            max_height="320px",
            overflow_y="auto",
            border=f"1px solid {rx.color('gray', 5)}",
            border_radius="8px",
        ),
        _pager(state, testid),
        spacing="2",
        width="100%",
    )


def _flag(value: rx.Var[str], text: Text) -> rx.Component:
    return rx.cond(value != "", rx.badge(text, variant="soft", color_scheme="teal", size="1"))


def _dialog(state: Any, title: Text, intro: Text, body: rx.Component, testid: str) -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(title),
            rx.dialog.description(intro, size="2", color=rx.color("gray", 11)),
            rx.box(body, margin_top="12px", width="100%"),
            rx.flex(
                rx.dialog.close(rx.button(t("Close"), variant="soft", color_scheme="gray")),
                justify="end",
                margin_top="12px",
            ),
            max_width="640px",
            width="calc(100vw - 24px)",
            custom_attrs=_tid(testid),
        ),
        open=state.open,
        on_open_change=state.set_open,
    )


# --- Add id tags ------------------------------------------------------------------------------


def _card_detail(row: RowVar) -> rx.Component:
    return rx.hstack(
        rx.text(row["owner"], **MUTED),
        rx.badge(
            authorization_label(row["authorization"]), variant="soft", color_scheme="gray", size="1"
        ),
        _flag(row["in_list"], t("in list")),
        spacing="2",
        align="center",
    )


def _problems() -> rx.Component:
    s = AddIdTagsState

    def line(p: Any) -> rx.Component:
        return rx.table.row(
            rx.table.cell(p.line, white_space="nowrap"),
            rx.table.cell(rx.code(p.text), max_width="180px", overflow="hidden"),
            rx.table.cell(p.problem),
        )

    return rx.cond(
        s.problems.length() > 0,
        rx.box(
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        rx.table.column_header_cell(t("Line")),
                        rx.table.column_header_cell(t("Pasted")),
                        rx.table.column_header_cell(t("Problem")),
                    )
                ),
                rx.table.body(rx.foreach(s.problems, line)),
                size="1",
                variant="surface",
                width="100%",
            ),
            max_height="200px",
            overflow="auto",
            width="100%",
            custom_attrs=_tid("paste-problems"),
        ),
    )


def _paste_tab() -> rx.Component:
    s = AddIdTagsState
    return rx.vstack(
        text_area(
            value=s.paste_text,
            on_change=s.set_paste_text,
            placeholder=t("04A2B3C4D5\n04A2B3C4D6\n…"),
            rows="8",
            width="100%",
            font_family="monospace",
            custom_attrs=_tid("paste-text"),
        ),
        rx.text(
            t(
                "One id tag per line (a column copied from a spreadsheet works). Every line is "
                "checked; if one is wrong nothing is added and the lines to fix are listed."
            ),
            **MUTED,
        ),
        _problems(),
        rx.flex(
            rx.text(t_with("{count} line(s)", count=s.paste_lines), **MUTED),
            rx.spacer(),
            rx.button(
                rx.icon("clipboard-paste", size=14),
                t("Check and add"),
                on_click=s.add_pasted,
                loading=s.busy,
                custom_attrs=_tid("paste-add"),
            ),
            align="center",
            width="100%",
        ),
        spacing="2",
        width="100%",
    )


def _search_tab() -> rx.Component:
    p = CardPickerState
    return rx.vstack(
        picker(
            p, "id_tag", "id_tag", _card_detail, "pick-card", t("Find cards by id tag or owner")
        ),
        selection_bar(
            p,
            "pick-card",
            always=(
                rx.button(
                    rx.icon("plus", size=14),
                    t_with("Add {count} card(s)", count=p.selected_count),
                    on_click=AddIdTagsState.add_selected,
                    loading=AddIdTagsState.busy,
                    disabled=p.selected_count == 0,
                    custom_attrs=_tid("pick-card-add"),
                ),
            ),
        ),
        spacing="2",
        width="100%",
    )


def add_id_tags_dialog() -> rx.Component:
    s = AddIdTagsState
    body = rx.tabs.root(
        rx.tabs.list(
            rx.tabs.trigger(
                t("Search cards"), value=TAB_SEARCH, custom_attrs=_tid("add-tab-search")
            ),
            rx.tabs.trigger(
                t("Paste id tags"), value=TAB_PASTE, custom_attrs=_tid("add-tab-paste")
            ),
        ),
        rx.tabs.content(_search_tab(), value=TAB_SEARCH, padding_top="12px"),
        rx.tabs.content(_paste_tab(), value=TAB_PASTE, padding_top="12px"),
        value=s.tab,
        on_change=s.set_tab,
        width="100%",
    )
    return _dialog(
        s,
        t("Add id tags"),
        t("Cards of this list's network. Its charge points get them at the next sync."),
        body,
        "add-id-tags-dialog",
    )


# --- Assign charge points ---------------------------------------------------------------------


def _charge_point_detail(row: RowVar) -> rx.Component:
    return rx.hstack(
        rx.text(row["station"], **MUTED),
        rx.cond(
            row["online"] != "",
            rx.badge(t("online"), color_scheme="green", variant="soft", size="1"),
            rx.badge(t("offline"), color_scheme="gray", variant="soft", size="1"),
        ),
        _flag(row["assigned"], t("assigned")),
        spacing="2",
        align="center",
    )


def _station_detail(row: RowVar) -> rx.Component:
    return rx.text(
        t_with(
            "{assigned} of {count} charge point(s) assigned",
            assigned=row["assigned"],
            count=row["charge_points"],
        ),
        **MUTED,
    )


def assign_dialog() -> rx.Component:
    s, cps, stations = AssignState, ChargePointPickerState, StationPickerState
    by_charge_point = rx.vstack(
        picker(
            cps,
            "identity",
            "id",
            _charge_point_detail,
            "pick-cp",
            t("Find by identity or station"),
        ),
        selection_bar(
            cps,
            "pick-cp",
            always=(
                rx.button(
                    rx.icon("plug", size=14),
                    t_with("Assign to {count} charge point(s)", count=cps.selected_count),
                    on_click=s.assign_selected,
                    loading=s.busy,
                    disabled=cps.selected_count == 0,
                    custom_attrs=_tid("pick-cp-assign"),
                ),
            ),
        ),
        spacing="2",
        width="100%",
    )
    by_station = rx.vstack(
        rx.text(
            t(
                "Assigns every charge point the ticked stations have now (one added to a station "
                "later is assigned on its own)."
            ),
            **MUTED,
        ),
        picker(
            stations, "name", "id", _station_detail, "pick-station", t("Find by name or address")
        ),
        selection_bar(
            stations,
            "pick-station",
            always=(
                rx.button(
                    rx.icon("map-pin", size=14),
                    t_with("Assign {count} station(s)", count=stations.selected_count),
                    on_click=s.assign_stations,
                    loading=s.busy,
                    disabled=stations.selected_count == 0,
                    custom_attrs=_tid("pick-station-assign"),
                ),
            ),
        ),
        spacing="2",
        width="100%",
    )
    body = rx.tabs.root(
        rx.tabs.list(
            rx.tabs.trigger(
                t("Charge points"), value=TAB_CHARGE_POINTS, custom_attrs=_tid("assign-tab-cps")
            ),
            rx.tabs.trigger(
                t("By station"), value=TAB_STATIONS, custom_attrs=_tid("assign-tab-stations")
            ),
        ),
        rx.tabs.content(by_charge_point, value=TAB_CHARGE_POINTS, padding_top="12px"),
        rx.tabs.content(by_station, value=TAB_STATIONS, padding_top="12px"),
        value=s.tab,
        on_change=s.set_tab,
        width="100%",
    )
    return _dialog(
        s,
        t("Assign charge points"),
        t("Charge points of this list's network. They get the list at the next sync."),
        body,
        "assign-dialog",
    )
