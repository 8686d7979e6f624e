"""The shared server-side list: search, filters, sortable headers, pages, CSV export.

Use with a state built on `ccms_app.ui.list_state.ListState` (see its docstring):

    data_list(
        StationListState,
        columns=[
            Column("name", "Name", href=lambda row: "/stations/" + row["id"]),
            Column("address", "Address"),
            Column("status", "Status", render=lambda row: rx.badge(row["status"])),
        ],
        filters=[
            Filter("timezone", "Time zone", [("UTC", "UTC"), ("Europe/Berlin", "Berlin")]),
            Filter("area", "Area", StationListState.filter_options["area"]),  # from the DB
        ],
        testid="stations",
        empty_text="No stations yet.",
        toolbar=[rx.button("New station", on_click=...)],
        actions=lambda row: rx.button("Edit", on_click=EditState.open(row["id"])),
    )

A desktop shows a table (scrolling sideways if needed); a phone (below the `md` breakpoint)
shows one card per row. Every control carries a `data-testid` starting with `testid`:
`-search`, `-filter-<key>`, `-sort-<key>`, `-row-<id>`, `-card-<id>`, `-link-<id>`,
`-previous`, `-next`, `-page-size`, `-range`, `-export`, `-empty`, `-error`.
Column keys are the ListSpec column keys; rows are dicts of strings (`row["key"]`).
Labels, the empty text and the search placeholder are text or Vars: pass `t("Name")`
(ui.i18n) so they follow the tab's language; the list's own words are translated here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import reflex as rx
from reflex.vars import ObjectVar
from reflex.vars.base import Var, VarData

from ccms_app.ui.i18n import Text, t, t_with
from ccms_app.ui.inputs import text_input
from ccms_app.ui.list_state import ALL, PAGE_SIZES
from ccms_app.ui.permissions import when_allowed
from ccms_app.ui.table import pinned_columns
from ccms_app.ui.viewport import phone_or_wide

EMPTY = "—"  # an empty cell, so a phone card's label is not left dangling

# One row of a list as the page sees it: a Var of the row's {column key: text} dict.
RowVar = ObjectVar[dict[str, Any]]
RowRender = Callable[[RowVar], rx.Component]


@dataclass(frozen=True)
class Column:
    """One column: `render` draws the cell (default: the text), `href` makes it a link."""

    key: str
    label: Text
    sortable: bool = True
    render: RowRender | None = None
    href: Callable[[RowVar], Any] | None = None
    on_phone: bool = True  # shown on the phone card


@dataclass(frozen=True)
class Filter:
    """A select filter. `options`: (value, label) pairs (a label may be a Var: t("Online")),
    or a Var of [value, label] lists."""

    key: str
    label: Text
    options: Sequence[tuple[str, Text]] | Sequence[Sequence[str]] | rx.Var


def _tid(*parts: Any) -> dict[str, Any]:
    if any(isinstance(p, rx.Var) for p in parts):
        value: Any = parts[0]
        for p in parts[1:]:
            value = value.to(str) + "-" + p if isinstance(value, rx.Var) else f"{value}-" + p
        return {"data-testid": value}
    return {"data-testid": "-".join(str(p) for p in parts)}


def _content(column: Column, row: RowVar, testid: str) -> rx.Component:
    """The cell: drawn by `render` (or the text), a link when the column has an `href`
    (a drawn cell too: on the phone card it is the only way to the row's page)."""
    if column.href is not None:
        return rx.link(
            column.render(row) if column.render is not None else row[column.key],
            href=column.href(row),
            weight="medium",
            custom_attrs=_tid(testid, "link", row["id"]),
        )
    if column.render is not None:
        return column.render(row)
    return rx.text(rx.cond(row[column.key] == "", EMPTY, row[column.key]), size="2")


# --- toolbar -----------------------------------------------------------------------------


def _search(state: Any, testid: str, placeholder: Text) -> rx.Component:
    return text_input(
        rx.input.slot(rx.icon("search", size=14)),
        value=state.search,
        on_change=state.set_search,
        debounce_timeout=300,
        placeholder=placeholder,
        type="search",
        width=["100%", "100%", "280px"],
        custom_attrs=_tid(testid, "search"),
    )


def _filter_items(f: Filter) -> list[rx.Component] | rx.Component:
    if isinstance(f.options, rx.Var):
        # Guarded: options read from the database are undefined until the list has loaded.
        return rx.cond(
            f.options,
            rx.foreach(f.options, lambda o: rx.select.item(o[1], value=o[0])),
        )
    return [rx.select.item(label, value=value) for value, label in f.options]


def _chosen_label(f: Filter, value: rx.Var) -> rx.Var:
    """The label of the option `value` names, looked up in the browser (options may be a
    state's list, and static labels may be `t(...)` Vars)."""
    options = (
        f.options
        if isinstance(f.options, rx.Var)
        else Var.create([[key, label] for key, label in f.options])
    )
    expr = f"(({options!s}) ?? []).find((o) => o[0] === {value!s})?.[1] ?? {value!s}"
    data = VarData.merge(options._get_all_var_data(), value._get_all_var_data())
    return Var(_js_expr=f"({expr})", _var_type=str, _var_data=data).to(str)


def _filter(state: Any, f: Filter, testid: str) -> rx.Component:
    """A chip that keeps saying what it filters once chosen ("Online: No", not "No")."""
    value = state.filters.get(f.key, ALL).to(str)
    shown = rx.cond(
        value == ALL,
        t_with("{label}: all", label=f.label),
        t_with("{label}: {option}", label=f.label, option=_chosen_label(f, value)),
    )
    return rx.select.root(
        rx.select.trigger(
            shown,
            placeholder=f.label,
            custom_attrs=_tid(testid, "filter", f.key),
            min_width="140px",
        ),
        rx.select.content(
            rx.select.item(t_with("{label}: all", label=f.label), value=ALL),
            _filter_items(f),
        ),
        value=value,
        on_change=lambda chosen: state.set_filter(f.key, chosen),
    )


def _export_button(state: Any, testid: str) -> rx.Component:
    """Shown to roles that may export this list (e.g. assets:export)."""
    return when_allowed(
        state.export_csv,
        rx.button(
            rx.icon("download", size=14),
            t("Export CSV"),
            variant="soft",
            color_scheme="gray",
            on_click=state.export_csv,
            custom_attrs=_tid(testid, "export"),
        ),
    )


def _toolbar(
    state: Any,
    filters: Sequence[Filter],
    testid: str,
    placeholder: Text,
    extra: Sequence[rx.Component],
) -> rx.Component:
    return rx.flex(
        _search(state, testid, placeholder),
        *[_filter(state, f, testid) for f in filters],
        rx.cond(
            state.filtered,
            rx.button(
                t("Clear"),
                variant="ghost",
                on_click=state.clear_filters,
                custom_attrs=_tid(testid, "clear"),
            ),
        ),
        rx.spacer(),
        *extra,
        _export_button(state, testid),
        gap="8px",
        wrap="wrap",
        align="center",
        width="100%",
    )


# --- table and cards ---------------------------------------------------------------------


def _sort_icon(state: Any, key: str) -> rx.Component:
    return rx.cond(
        state.sort_key == key,
        rx.icon(rx.cond(state.descending, "arrow-down", "arrow-up"), size=12),
        rx.icon("arrow-up-down", size=12, opacity="0.3"),
    )


def _header_cell(state: Any, column: Column, testid: str) -> rx.Component:
    if not column.sortable:
        return rx.table.column_header_cell(column.label, white_space="nowrap")
    return rx.table.column_header_cell(
        rx.hstack(column.label, _sort_icon(state, column.key), spacing="1", align="center"),
        on_click=state.sort_by(column.key),
        cursor="pointer",
        white_space="nowrap",
        user_select="none",
        aria_sort=rx.cond(
            state.sort_key == column.key,
            rx.cond(state.descending, "descending", "ascending"),
            "none",
        ),
        custom_attrs=_tid(testid, "sort", column.key),
    )


def _table(
    state: Any,
    columns: Sequence[Column],
    testid: str,
    actions: RowRender | None,
) -> rx.Component:
    def row(r: RowVar) -> rx.Component:
        cells = [
            rx.table.cell(_content(c, r, testid), white_space="nowrap", vertical_align="middle")
            for c in columns
        ]
        if actions is not None:
            cells.append(rx.table.cell(actions(r), white_space="nowrap", vertical_align="middle"))
        return rx.table.row(*cells, custom_attrs=_tid(testid, "row", r["id"]))

    headers = [_header_cell(state, c, testid) for c in columns]
    if actions is not None:
        headers.append(rx.table.column_header_cell(""))
    return rx.box(
        rx.table.root(
            rx.table.header(rx.table.row(*headers)),
            rx.table.body(rx.foreach(state.rows, row)),
            variant="surface",
            size="2",
            width="100%",
        ),
        overflow_x="auto",
        width="100%",
        style=pinned_columns(actions is not None),
        custom_attrs=_tid(testid, "table"),
    )


def _cards(
    state: Any, columns: Sequence[Column], testid: str, actions: RowRender | None
) -> rx.Component:
    title, rest = columns[0], [c for c in columns[1:] if c.on_phone]

    def card(r: RowVar) -> rx.Component:
        return rx.card(
            rx.vstack(
                rx.box(_content(title, r, f"{testid}-m"), font_weight="bold"),
                *[
                    rx.hstack(
                        rx.text(c.label, size="1", color=rx.color("gray", 11), min_width="96px"),
                        rx.box(_content(c, r, f"{testid}-m"), min_width="0"),
                        spacing="2",
                        align="center",
                        width="100%",
                    )
                    for c in rest
                ],
                actions(r) if actions is not None else rx.fragment(),
                spacing="1",
                width="100%",
            ),
            width="100%",
            custom_attrs=_tid(testid, "card", r["id"]),
        )

    return rx.vstack(rx.foreach(state.rows, card), spacing="2", width="100%")


def _empty(state: Any, testid: str, empty_text: Text) -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.icon("inbox", size=28, color=rx.color("gray", 9)),
            rx.cond(
                state.filtered,
                rx.text(t("Nothing matches your search or filters."), size="2"),
                rx.text(empty_text, size="2"),
            ),
            align="center",
            spacing="2",
        ),
        padding="32px",
        width="100%",
        border=f"1px dashed {rx.color('gray', 6)}",
        border_radius="8px",
        custom_attrs=_tid(testid, "empty"),
    )


# --- pagination --------------------------------------------------------------------------


def _range(state: Any) -> rx.Var:
    """ "21-40 of 1,234" in the tab's language: ListState words it (`range_text`), the
    browser puts its two parts into the catalog's sentence."""
    parts = state.range_text.to(str).split(" of ")
    return t_with("{shown} of {total}", shown=parts[0], total=parts[1])


def _pager(state: Any, testid: str) -> rx.Component:
    return rx.flex(
        rx.text(_range(state), size="2", custom_attrs=_tid(testid, "range")),
        rx.spacer(),
        rx.hstack(
            rx.text(t("Rows"), size="1", color=rx.color("gray", 11)),
            rx.select(
                list(PAGE_SIZES),
                value=state.page_size_text,
                on_change=state.set_page_size,
                size="1",
                custom_attrs=_tid(testid, "page-size"),
            ),
            align="center",
            spacing="1",
        ),
        rx.hstack(
            rx.icon_button(
                rx.icon("chevron-left", size=16),
                on_click=state.previous_page,
                disabled=state.page <= 1,
                variant="soft",
                size="1",
                aria_label=t("Previous page"),
                custom_attrs=_tid(testid, "previous"),
            ),
            rx.text(state.page, " / ", state.pages, size="2", white_space="nowrap"),
            rx.icon_button(
                rx.icon("chevron-right", size=16),
                on_click=state.next_page,
                disabled=state.page >= state.pages,
                variant="soft",
                size="1",
                aria_label=t("Next page"),
                custom_attrs=_tid(testid, "next"),
            ),
            align="center",
            spacing="2",
        ),
        gap="12px",
        align="center",
        wrap="wrap",
        width="100%",
    )


def list_frame(
    state: Any,
    body: rx.Component,
    *,
    testid: str,
    filters: Sequence[Filter] = (),
    empty_text: Text | None = None,
    search_placeholder: Text | None = None,
    toolbar: Sequence[rx.Component] = (),
) -> rx.Component:
    """Toolbar, error, `body` (the rows, drawn by the caller) and pager of a list whose rows
    are not flat text (e.g. Live Monitoring's connector badges); `data_list` otherwise."""
    shown_empty = t("Nothing here yet.") if empty_text is None else empty_text
    placeholder = t("Search…") if search_placeholder is None else search_placeholder
    return rx.vstack(
        _toolbar(state, filters, testid, placeholder, toolbar),
        rx.cond(
            state.error != "",
            rx.callout(
                state.error,
                icon="triangle-alert",
                color_scheme="red",
                width="100%",
                custom_attrs=_tid(testid, "error"),
            ),
        ),
        rx.cond(
            state.total > 0,
            rx.vstack(body, _pager(state, testid), spacing="3", width="100%"),
            rx.cond(
                state.loaded,
                _empty(state, testid, shown_empty),
                rx.center(rx.spinner(size="2"), padding="24px", width="100%"),
            ),
        ),
        spacing="3",
        width="100%",
        custom_attrs=_tid(testid, "list"),
    )


def data_list(
    state: Any,
    columns: Sequence[Column],
    *,
    testid: str,
    filters: Sequence[Filter] = (),
    empty_text: Text | None = None,
    search_placeholder: Text | None = None,
    toolbar: Sequence[rx.Component] = (),
    actions: RowRender | None = None,
) -> rx.Component:
    """A whole list: toolbar, table (desktop) or cards (phone), pager; see the module doc."""
    rows = phone_or_wide(
        _cards(state, columns, testid, actions), _table(state, columns, testid, actions)
    )
    return list_frame(
        state,
        rows,
        testid=testid,
        filters=filters,
        empty_text=empty_text,
        search_placeholder=search_placeholder,
        toolbar=toolbar,
    )
